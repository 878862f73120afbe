import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readJournal } from '../../core/run/journal.js'
import { compareJournals, formatDifference, normalisedJournal } from '../helpers/compare-journals.js'
import { EVAL_EVERY_RECORDS, onlyJournal, tinyMathArgs, writeTinyMathConfig } from '../helpers/tiny-math-run.js'
import { bench, tempDir } from './cli-helper.js'

// Issue 12 §2: the same command from a cold and a warm cache, and with one sampling thread or
// two, must journal the same records: only wall times and paths may differ. Whether the learned
// verifier came from the cache is said in the log, never in a record (a queue worker that retries a
// killed base job finds the reward model cached, and its run must journal what a cold one does).
describe('a cache or a worker count never changes a result (bench run, journals record by record)', () => {
  const project = tempDir('bonbench-cache-')
  afterAll(() => project.cleanup())
  writeTinyMathConfig(project.dir)
  const run = (runsDir: string, cacheDir: string, concurrency: number) => bench(tinyMathArgs({ runsDir, cacheDir, concurrency }), { cwd: project.dir })

  it('cold cache vs warm cache: the second run loads the pretrained base and journals the same records', async () => {
    const cold = await run('cold', 'cache', 1)
    expect(cold.exitCode, cold.stderr).toBe(0)
    expect(cold.stdout).toMatch(/base model: pretraining 3 steps/)
    expect(existsSync(join(project.dir, 'cache', 'models'))).toBe(true)
    const warm = await run('warm', 'cache', 1)
    expect(warm.exitCode, warm.stderr).toBe(0)
    expect(warm.stdout).toMatch(/base model: loaded from cache/)
    expect(warm.stdout).not.toMatch(/base model: pretraining/)
    expect(warm.stdout + warm.stderr).toMatch(/bonbench:reward-model: loaded cached reward model/)
    const coldJournal = onlyJournal(join(project.dir, 'cold'))
    const warmJournal = onlyJournal(join(project.dir, 'warm'))
    // The comparison covers every kind of record, and the fine-tuned arms really trained.
    const records = readJournal(coldJournal).records
    expect(new Set(records.map((r) => r.type))).toEqual(new Set(['train', 'prepare', 'pool', 'cell', 'checkpoint']))
    const sft = records.filter((r) => r.type === 'train' && r.cellId.startsWith('sft-'))
    expect(sft).toHaveLength(2)
    expect(sft.every((r) => r.type === 'train' && r.log.gradNorm > 0)).toBe(true)
    expect(formatDifference(compareJournals(coldJournal, warmJournal))).toBe('the journals are the same record for record')
  }, 300_000)

  it('--concurrency 1 vs --concurrency 2 (sampling in-process vs two worker threads), each from a cold cache', async () => {
    const two = await run('two-threads', 'cache-two', 2)
    expect(two.exitCode, two.stderr).toBe(0)
    expect(two.stdout).toMatch(/base model: pretraining 3 steps/)
    const twoJournal = onlyJournal(join(project.dir, 'two-threads'))
    const manifest = JSON.parse(readFileSync(join(twoJournal, '..', 'run.json'), 'utf8')) as { provenance: { config: { concurrency?: number } } }
    expect(manifest.provenance.config.concurrency).toBe(2)
    // The cold run of the first test sampled in-process (concurrency 1).
    const oneJournal = onlyJournal(join(project.dir, 'cold'))
    expect(formatDifference(compareJournals(oneJournal, twoJournal))).toBe('the journals are the same record for record')
  }, 300_000)

  it('train.evalEvery on vs off: checkpoint evaluations and KL are added, training and every final number stay bit-identical', async () => {
    // Same cache as the warm run above, so both journals start from the same pretrained base.
    writeTinyMathConfig(project.dir, { evalEvery: 1, file: 'eval-every.json' })
    const args = tinyMathArgs({ runsDir: 'eval-every', cacheDir: 'cache', concurrency: 1 }).filter((a) => a !== '--no-reports')
    const on = await bench([...args, '--config', 'eval-every.json'], { cwd: project.dir })
    expect(on.exitCode, on.stderr).toBe(0)
    const onJournal = onlyJournal(join(project.dir, 'eval-every'))
    const offJournal = onlyJournal(join(project.dir, 'warm'))
    const records = readJournal(onJournal).records
    expect(records).toHaveLength(EVAL_EVERY_RECORDS)
    const evals = records.filter((r) => r.type === 'checkpoint-eval')
    expect(evals.map((r) => r.type === 'checkpoint-eval' && `${r.cellId}@${r.step}`)).toEqual(['sft-n1-t1-s1@1', 'bon-rl-n4-t1-s1@1'])
    for (const r of records) {
      const kl = r.type === 'checkpoint-eval' ? r.kl : r.type === 'cell' ? r.result.kl : undefined
      if (r.type !== 'checkpoint-eval' && r.type !== 'cell') continue
      if (kl?.state !== 'measured') throw new Error(`${r.cellId}: KL not measured`)
      // Monte Carlo: a trained arm's estimate may dip below 0 by noise, never by much.
      expect(kl.perToken).toBeGreaterThan(-1e-3)
      if (r.type === 'cell' && r.key.strategy === 'base') {
        // π = π_base scored by the same logProb: exactly zero, not merely small.
        expect(kl.perToken).toBe(0)
        expect(kl.ci).toEqual([0, 0])
      }
    }
    // Drop what evalEvery adds (its records, the cells' kl): the rest is the run without it, record for record.
    const without = (path: string) => normalisedJournal(path, { ignore: ['kl'] }).filter((r) => (r as { type: string }).type !== 'checkpoint-eval')
    expect(without(onJournal)).toEqual(without(offJournal))
    // The reports show the frontier.
    const report = readFileSync(join(onJournal, '..', 'report.md'), 'utf8')
    expect(report).toContain('## Divergence frontier')
    expect(report).toMatch(/\| sft \| 1 \| /)
    const results = JSON.parse(readFileSync(join(onJournal, '..', 'results.json'), 'utf8')) as {
      version: number
      groups: Array<{ frontier?: Array<{ step: number }> }>
      charts: Array<{ kind: string }>
    }
    expect(results.version).toBe(3)
    expect(results.groups.map((g) => g.frontier?.map((p) => p.step))).toEqual([[0], [1, 2], [1, 2]])
    expect(results.charts.filter((c) => c.kind === 'frontier')).toHaveLength(2)
  }, 300_000)
})
