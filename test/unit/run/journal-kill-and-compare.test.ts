import { execa } from 'execa'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { KILL_AFTER_RECORDS_ENV, NO_FSYNC_ENV, readJournal } from '../../../core/run/journal.js'
import type { JournalRecord } from '../../../core/run/journal-types.js'
import { compareJournals, expectSameJournal, formatDifference } from '../../helpers/compare-journals.js'
import { bundleForNode } from '../../helpers/bundle-for-node.js'
import { repoRoot, tempDir } from '../../e2e/cli-helper.js'

const dir = tempDir('bonbench-journal-')
afterAll(() => dir.cleanup())

// core/run/journal.ts bundled once for the file by esbuild (what tsx compiles it with): the children
// below start as plain Node, without tsx's loader hooks, about 0.15 s of CPU less each (10 children).
let bundled: Promise<string> | undefined
const journalModule = () =>
  (bundled ??= (async () => {
    const outfile = join(dir.dir, 'journal.mjs')
    await bundleForNode(join(repoRoot, 'core/run/journal.ts'), outfile)
    return outfile
  })())

const pool = (text: string, reward: number): JournalRecord => ({
  type: 'pool',
  cellId: 'base-n1-t1-s1',
  promptId: 'p1',
  samples: [{ text, reward, score: 0.5, tokens: 2 }],
})
const write = (name: string, records: unknown[]) => {
  const path = join(dir.dir, name)
  writeFileSync(path, records.map((r) => JSON.stringify(r) + '\n').join(''))
  return path
}

describe('compareJournals (the record-by-record check of issue 12)', () => {
  const base = [
    { type: 'train', cellId: 'pretrain', log: { step: 0, loss: 3.5, gradNorm: 1.25 } },
    { type: 'checkpoint', cellId: 'sft', step: 2, dir: '/runs/a/checkpoints/sft', hash: 'abc' },
    pool('42', 1),
    { type: 'prepare', name: 'rm', facts: { auc: 0.75, prepareMs: 12, cached: false } },
  ]

  it('ignores wall times and paths only', () => {
    const a = write('a.jsonl', base)
    const b = write(
      'b.jsonl',
      base.map((r) =>
        r.type === 'checkpoint'
          ? { ...r, dir: '/runs/b/checkpoints/sft' }
          : r.type === 'prepare'
            ? { ...r, facts: { auc: 0.75, prepareMs: 99, cached: false } }
            : r,
      ),
    )
    expect(compareJournals(a, b)).toBeUndefined()
    expect(() => expectSameJournal(a, b)).not.toThrow()
  })

  it('reports the first differing record and field: a verdict, a loss in its last bit, a flag, a missing record', () => {
    const a = write('a.jsonl', base)
    const verdict = write('c.jsonl', [base[0], base[1], pool('42', 0), base[3]])
    expect(formatDifference(compareJournals(a, verdict))).toBe('record 2 (pool base-n1-t1-s1 p1) differs at samples[0].reward: expected 1, got 0')
    const loss = write('d.jsonl', [{ ...base[0], log: { step: 0, loss: 3.5000000000000004, gradNorm: 1.25 } }, ...base.slice(1)])
    expect(compareJournals(a, loss)).toMatchObject({ index: 0, path: 'log.loss', record: 'train pretrain step 0' })
    const cached = write('e.jsonl', [...base.slice(0, 3), { type: 'prepare', name: 'rm', facts: { auc: 0.75, prepareMs: 12, cached: true } }])
    expect(compareJournals(a, cached)?.path).toBe('facts.cached')
    expect(compareJournals(a, cached, { ignore: ['cached'] })).toBeUndefined()
    const short = write('f.jsonl', base.slice(0, 3))
    expect(compareJournals(a, short)).toMatchObject({ index: 3, path: 'length', expected: 4, actual: 3, record: 'missing prepare rm' })
    expect(() => expectSameJournal(a, short)).toThrow(/record 3 \(missing prepare rm\)/)
  })
})

describe(`${KILL_AFTER_RECORDS_ENV} (test-only kill hook)`, () => {
  // A child process appends 5 records; with the hook at k it must die by SIGKILL after exactly k.
  const script = (journal: string) => `import { Journal } from ${JSON.stringify(journal)}
const journal = new Journal(process.argv[1])
for (let i = 0; i < 5; i++) journal.append({ type: 'train', cellId: 'c', log: { step: i, loss: i, gradNorm: 0 } })
console.log('finished')`
  // The suite sets BENCH_TEST_NO_FSYNC=1 (vitest.config.ts); these children fsync unless a case sets it.
  const run = async (path: string, env: Record<string, string>) =>
    execa(process.execPath, ['--input-type=module', '-e', script(await journalModule()), path], {
      cwd: repoRoot,
      reject: false,
      env: { [NO_FSYNC_ENV]: '', ...env },
    })

  it('kills the process right after the k-th fsync’d record, and does nothing when unset or invalid', async () => {
    const killed = await run(join(dir.dir, 'k2.jsonl'), { [KILL_AFTER_RECORDS_ENV]: '2' })
    expect(killed.signal).toBe('SIGKILL')
    expect(killed.stdout).toBe('')
    expect(readJournal(join(dir.dir, 'k2.jsonl')).records.map((r) => (r.type === 'train' ? r.log.step : -1))).toEqual([0, 1])
    for (const value of ['', '0', 'x', '-1']) {
      const path = join(dir.dir, `none${value}.jsonl`)
      const whole = await run(path, { [KILL_AFTER_RECORDS_ENV]: value })
      expect(whole.exitCode, whole.stderr).toBe(0)
      expect(readJournal(path).records).toHaveLength(5)
    }
  })
})

describe('Journal.appendMany (queue mode: one write and one fsync per cell)', () => {
  // One record appended alone, then four in one batch: the file is what five appends write.
  const script = (journal: string) => `import { Journal } from ${JSON.stringify(journal)}
const journal = new Journal(process.argv[1])
const step = (i) => ({ type: 'train', cellId: 'c', log: { step: i, loss: i / 3, gradNorm: 0 } })
journal.append(step(0))
journal.appendMany([])
journal.appendMany([1, 2, 3, 4].map(step))
console.log('finished')`
  // The suite sets BENCH_TEST_NO_FSYNC=1 (vitest.config.ts); these children fsync unless a case sets it.
  const run = async (path: string, env: Record<string, string>) =>
    execa(process.execPath, ['--input-type=module', '-e', script(await journalModule()), path], {
      cwd: repoRoot,
      reject: false,
      env: { [NO_FSYNC_ENV]: '', ...env },
    })

  it('writes the records as appends do, and the kill hook still stops right after the k-th (the batch cut there)', async () => {
    const whole = join(dir.dir, 'many.jsonl')
    const done = await run(whole, {})
    expect(done.exitCode, done.stderr).toBe(0)
    const oneByOne = write(
      'one-by-one.jsonl',
      [0, 1, 2, 3, 4].map((i) => ({ type: 'train', cellId: 'c', log: { step: i, loss: i / 3, gradNorm: 0 } })),
    )
    expect(readFileSync(whole, 'utf8')).toBe(readFileSync(oneByOne, 'utf8'))
    const cut = join(dir.dir, 'many-k3.jsonl')
    const killed = await run(cut, { [KILL_AFTER_RECORDS_ENV]: '3' })
    expect(killed.signal).toBe('SIGKILL')
    expect(readFileSync(cut, 'utf8').endsWith('\n')).toBe(true)
    expect(readJournal(cut).records.map((r) => (r.type === 'train' ? r.log.step : -1))).toEqual([0, 1, 2])
  })

  it(`writes the same file under ${NO_FSYNC_ENV}=1 (the suite's setting), and the kill hook cuts it at the same record`, async () => {
    const synced = join(dir.dir, 'synced.jsonl')
    const unsynced = join(dir.dir, 'unsynced.jsonl')
    expect((await run(synced, {})).exitCode).toBe(0)
    const done = await run(unsynced, { [NO_FSYNC_ENV]: '1' })
    expect(done.exitCode, done.stderr).toBe(0)
    expect(readFileSync(unsynced, 'utf8')).toBe(readFileSync(synced, 'utf8'))
    const cut = join(dir.dir, 'unsynced-k3.jsonl')
    const killed = await run(cut, { [KILL_AFTER_RECORDS_ENV]: '3', [NO_FSYNC_ENV]: '1' })
    expect(killed.signal).toBe('SIGKILL')
    expect(readFileSync(cut, 'utf8')).toBe(
      readFileSync(synced, 'utf8')
        .split('\n')
        .slice(0, 3)
        .map((line) => `${line}\n`)
        .join(''),
    )
  })
})
