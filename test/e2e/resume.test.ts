import { execa } from 'execa'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { benchBin, bench, tempDir } from './cli-helper.js'

const config = {
  plugins: [['toy', { prompts: 160 }]],
  matrix: { task: 'toy', model: 'tabular', strategies: ['rl', 'bon-rlb'], nGrid: [1, 2, 4, 8], nTrain: [4], seeds: [0, 1] },
  train: { steps: 20, pretrainSteps: 0 },
  eval: { bootstrap: 200 },
}

interface Line { type: string; cellId: string; promptId?: string; result?: { metrics: unknown; prompts: unknown; training: unknown; compute: Record<string, number> } }
const readLines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [])
const cells = (path: string) => readLines(path).map((l) => JSON.parse(l) as Line).filter((r) => r.type === 'cell')
/** What must not depend on the interruption: every metric, per prompt too, and the training logs. */
const comparable = (r: Line) => ({ cellId: r.cellId, metrics: r.result!.metrics, prompts: r.result!.prompts, training: r.result!.training })

describe('bench run --resume after SIGKILL', () => {
  const project = tempDir('bonbench-resume-')
  afterAll(() => project.cleanup())
  writeFileSync(join(project.dir, 'bench.config.json'), JSON.stringify(config))

  it('finishes with the same numbers as an uninterrupted run, losing at most the record being written', async () => {
    const reference = await bench(['run', '--no-tui', '--no-reports', '--runs-dir', 'uninterrupted'], { cwd: project.dir })
    expect(reference.exitCode, reference.stderr).toBe(0)
    const referenceDir = /run directory: (.+)/.exec(reference.stdout)![1]!.trim()
    const full = readLines(join(referenceDir, 'journal.jsonl')).length

    const child = execa(process.execPath, [benchBin, 'run', '--no-tui', '--no-reports', '--runs-dir', 'killed'], { cwd: project.dir, reject: false, env: { CI: 'true' } })
    let runDir: string | undefined
    const runsDir = join(project.dir, 'killed')
    // Kill once the journal holds some records but well before all of them.
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      if (!runDir && existsSync(runsDir)) runDir = readdirSync(runsDir).map((d) => join(runsDir, d))[0]
      if (runDir && readLines(join(runDir, 'journal.jsonl')).length >= full / 3) break
      await new Promise((r) => setTimeout(r, 20))
    }
    child.kill('SIGKILL')
    await child
    await new Promise((r) => setTimeout(r, 500)) // the CLI process behind the wrapper exits when its parent dies
    const journal = join(runDir!, 'journal.jsonl')
    const afterKill = readLines(journal)
    await new Promise((r) => setTimeout(r, 500))
    expect(readLines(journal).length).toBe(afterKill.length) // nothing is still writing
    expect(afterKill.length).toBeGreaterThan(0)
    expect(afterKill.length).toBeLessThan(full)
    // Every line but possibly the last (the one being written) is a whole record.
    const unparsable = afterKill.filter((line) => { try { JSON.parse(line); return false } catch { return true } })
    expect(unparsable.length).toBeLessThanOrEqual(1)
    if (unparsable.length === 1) expect(unparsable[0]).toBe(afterKill.at(-1))
    const finishedBefore = cells(journal).length
    expect(finishedBefore).toBeLessThan(cells(join(referenceDir, 'journal.jsonl')).length)

    const resumed = await bench(['run', '--resume', runDir!, '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(resumed.exitCode, resumed.stderr + resumed.stdout).toBe(0)
    const expected = cells(join(referenceDir, 'journal.jsonl')).map(comparable)
    const actual = cells(journal).map(comparable)
    expect(actual.map((c) => c.cellId).sort()).toEqual(expected.map((c) => c.cellId).sort())
    for (const cell of expected) expect(actual.find((c) => c.cellId === cell.cellId)).toEqual(cell)
    // Pools journaled before the kill were reused, not drawn again.
    const pools = cells(journal).length && readLines(journal).map((l) => { try { return JSON.parse(l) as Line } catch { return undefined } }).filter((r) => r?.type === 'pool')
    const keys = (pools as Line[]).map((p) => `${p.cellId}/${p.promptId}`)
    expect(new Set(keys).size).toBe(keys.length)
  }, 180_000)
})
