import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { KILL_AFTER_RECORDS_ENV } from '../../core/run/journal.js'
import { readJournal } from '../../core/run/journal.js'
import { readRun } from '../../core/run/run-record.js'
import { buildResults } from '../../reports/results-json.js'
import { resultsSchema } from '../../reports/results-schema.js'
import { compareJournals, formatDifference, normalisedJournal } from '../helpers/compare-journals.js'
import { onlyJournal, tinyMathConfig } from '../helpers/tiny-math-run.js'
import { bench, tempDir } from './cli-helper.js'

// Study v2's run side in one tiny run: a named arm (rl on the verifier reward), a plain strategy
// with K = kPerN × N′, a learning-rate axis, checkpoint evaluations with a validation split carved
// from train, and fine-tuning-only problems. Killed at several records and resumed, it must journal
// exactly what the uninterrupted run does.
const config = {
  ...tinyMathConfig,
  matrix: {
    ...tinyMathConfig.matrix,
    task: 'math',
    strategies: ['rl-on-r', 'bon-rl-s'],
    arms: { 'rl-on-r': { strategy: 'rl', options: { reward: 'verifier' } } },
    learningRates: [1e-3, 3e-3],
    order: 'strategy-first',
    nGrid: [1, 2],
    seeds: [1],
  },
  train: { ...tinyMathConfig.train, steps: 2, pretrainSteps: 3, evalEvery: 1, kPerN: 2, finetuneProblems: 6 },
  eval: { ...tinyMathConfig.eval, testPrompts: 2, validationPrompts: 2 },
}

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean)
const args = (runsDir: string, cacheDir: string) => ['run', '--cache-dir', cacheDir, '--runs-dir', runsDir, '--concurrency', '1', '--no-tui', '--no-reports']

describe('study v2 run side: arms × learning rates × checkpoints with validation, resumed', () => {
  const project = tempDir('bonbench-study-arms-')
  afterAll(() => project.cleanup())
  writeFileSync(join(project.dir, 'bench.config.json'), JSON.stringify(config))

  it('plans, records and resumes bit-identically', async () => {
    const reference = await bench(args('uninterrupted', 'cache-ref'), { cwd: project.dir })
    expect(reference.exitCode, reference.stderr + reference.stdout).toBe(0)
    const expected = onlyJournal(join(project.dir, 'uninterrupted'))
    const records = readJournal(expected).records
    const cells = records.flatMap((r) => (r.type === 'cell' ? [r] : []))
    expect(cells.map((r) => r.cellId)).toEqual([
      'base-n1-t1-s1',
      'rl-on-r-n1-lr0.001-t1-s1',
      'rl-on-r-n1-lr0.003-t1-s1',
      'bon-rl-s-n4-lr0.001-t1-s1',
      'bon-rl-s-n4-lr0.003-t1-s1',
    ])
    // Validation beside test: on every cell and every checkpoint evaluation, over other prompts.
    for (const c of cells) {
      expect(c.result.validation?.prompts.map((p) => p.promptId)).toHaveLength(2)
      expect(c.result.validation!.prompts.some((p) => p.promptId.startsWith('test-'))).toBe(false)
    }
    const evals = records.flatMap((r) => (r.type === 'checkpoint-eval' ? [r] : []))
    expect(evals).toHaveLength(4)
    for (const e of evals) expect(e.validation?.metrics.grid).toEqual([1, 2])
    // K = kPerN × N′ = 8 for bon-rl-s at N′ = 4: 8 policy samples × 4 prompts per step.
    const bonCheckpoint = records.find((r) => r.type === 'checkpoint' && r.cellId === 'bon-rl-s-n4-lr0.001-t1-s1')
    expect(bonCheckpoint && bonCheckpoint.type === 'checkpoint' && bonCheckpoint.compute?.samplesDrawn).toBe(2 * 4 * 8)
    // The two rates train differently; the arm trains on its verifier reward.
    const train = (id: string) => records.flatMap((r) => (r.type === 'train' && r.cellId === id ? [r.log.loss] : []))
    expect(train('rl-on-r-n1-lr0.001-t1-s1')).not.toEqual(train('rl-on-r-n1-lr0.003-t1-s1'))
    const log = reference.stdout + reference.stderr
    expect(log).toMatch(/train split: \d+ problems to pretrain on, 6 reserved for fine-tuning only, 2 for validation/)

    // results.json: the lr in keys and groups, validation on cells and checkpoints, the arm's strategy and options.
    const run = await readRun(join(expected, '..'))
    const results = resultsSchema.parse(buildResults(run, { now: new Date(0), bootstrap: 20 }))
    expect(results.cells.find((c) => c.cellId === 'rl-on-r-n1-lr0.003-t1-s1')!.key.learningRate).toBe(3e-3)
    expect(results.groups.map((g) => g.groupId)).toContainEqual(expect.stringMatching(/\/rl-on-r\/n1\/lr0\.003\/t1$/))
    expect(results.cells.every((c) => c.validation !== undefined)).toBe(true)
    expect(results.cells.filter((c) => c.checkpoints?.every((e) => e.validation !== undefined)).length).toBe(4)
    expect(results.provenance.strategies).toContainEqual(
      expect.objectContaining({ name: 'rl-on-r', plugin: 'bonbench:rl', arm: true, options: expect.objectContaining({ reward: 'verifier' }) }),
    )

    const full = normalisedJournal(expected)
    const kills = [Math.floor(full.length * 0.3), Math.floor(full.length * 0.55), Math.floor(full.length * 0.8)]
    let journal: string | undefined
    for (const k of kills) {
      const before = journal ? lines(journal).length : 0
      const runArgs = journal ? ['run', '--resume', join(journal, '..'), '--no-tui', '--no-reports'] : args('killed', 'cache-killed')
      const killed = await bench(runArgs, { cwd: project.dir, env: { [KILL_AFTER_RECORDS_ENV]: String(k - before) } })
      expect(killed.signal, `the run was to kill itself after record ${k}: ${killed.stderr}`).toBe('SIGKILL')
      journal ??= onlyJournal(join(project.dir, 'killed'))
      expect(normalisedJournal(journal), `after the kill at record ${k}`).toEqual(full.slice(0, k))
    }
    const resumed = await bench(['run', '--resume', join(journal!, '..'), '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(resumed.exitCode, resumed.stderr + resumed.stdout).toBe(0)
    expect(formatDifference(compareJournals(expected, journal!))).toBe('the journals are the same record for record')

    // `--resume` alone with `--config`: finds that run again (finished: nothing left to do).
    const again = await bench(
      ['run', '--config', 'bench.config.json', '--resume', '--runs-dir', 'killed', '--cache-dir', 'cache-killed', '--no-tui', '--no-reports'],
      { cwd: project.dir },
    )
    expect(again.exitCode, again.stderr + again.stdout).toBe(0)
    expect(again.stderr).toContain(`resuming ${join(journal!, '..')}`)
    expect(lines(journal!)).toHaveLength(full.length)
  }, 400_000)
})
