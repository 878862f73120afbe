import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { replayDefaults } from '../../../cli/replay-setup.js'
import { computeCellMetrics } from '../../../core/eval/cell-metrics.js'
import { evaluatePools } from '../../../core/eval/evaluate-pools.js'
import { type ScoreItem, scoreSamples } from '../../../core/eval/score-samples.js'
import { readSampleDump, summarizePools } from '../../../core/metrics/index.js'
import type { ModelPlugin } from '../../../core/plugin-api/model.js'
import type { TaskPlugin } from '../../../core/plugin-api/task.js'
import type { VerifierPlugin, VerifyItem } from '../../../core/plugin-api/verifier.js'
import { builtins } from '../../helpers/builtin-factories.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bonbench-mixed-scores-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function dump(name: string, lines: readonly object[]): Promise<string> {
  const file = path.join(dir, name)
  await writeFile(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`)
  return file
}

/** The reported case: one of four samples has no score, and its reward (1) would beat the recorded −3. */
const mixed = [
  { id: 'a', reward: 1, score: -3 },
  { id: 'a', reward: 0 },
  { id: 'b', reward: 1, score: -3 },
  { id: 'b', reward: 0, score: -4 },
]

/** The real math-answer verifier, keeping the items it was asked to judge. */
function watched(): { verifier: VerifierPlugin; asked: VerifyItem[] } {
  const inner = builtins['math-answer']!() as VerifierPlugin
  const asked: VerifyItem[] = []
  return { asked, verifier: { ...inner, score: async (batch, ctx) => (asked.push(...batch), inner.score(batch, ctx)) } }
}

/**
 * `bench eval --model replay --samples <file>` without a task, as the CLI sets it up: replayDefaults,
 * the sample-dump task's problems, the replay model's pools judged by `recorded` (an oracle, unless
 * a selector is given), and the cell's metrics.
 */
async function replay(file: string, selector?: VerifierPlugin) {
  const { matrix } = await replayDefaults(file, {})
  const task = builtins['sample-dump']!({ samples: file }) as TaskPlugin
  const { test } = await task.load({ seed: 0 })
  const model = await (builtins.replay!({ samples: file }) as ModelPlugin).create({ seed: 0, corpus: '', concurrency: 1 })
  const reward = builtins.recorded!() as VerifierPlugin
  const pools = await evaluatePools({
    model,
    problems: test,
    judges: { reward, selector: selector ?? reward, concurrency: 1 },
    temperature: 1,
    seed: 0,
    poolSize: matrix.poolSize!,
    generation: {},
    done: new Map(),
    onPool: () => {},
  })
  return computeCellMetrics(pools, { nGrid: matrix.nGrid!, threshold: 1, bootstrap: 50, seed: 0 }).metrics
}

describe('a dump whose score is on some samples only', () => {
  it('bench score reads it and skips Bo-N with a note', async () => {
    const summary = summarizePools((await readSampleDump(await dump('mix.jsonl', mixed))).problems)
    expect(summary.bestOfN).toBeNull()
    expect(summary.notes).toContain('Bo-N skipped: 1 of 4 samples carry no score (Bo-N needs a score on every sample)')
  })

  it('replay refuses it up front (BENCH_USAGE), naming the dump, the count, the problems and the fixes', async () => {
    const file = await dump('mix.jsonl', mixed)
    const refusal = {
      code: 'BENCH_USAGE',
      message: expect.stringMatching(
        /mix\.jsonl: 1 of 4 samples carry no score \(in 1 problem\(s\): 'a'\).*Give every sample a score, or remove every "score" so the reward ranks the samples \(or the selector that --verifier names\)/,
      ),
    }
    await expect(replayDefaults(file, {})).rejects.toMatchObject(refusal)
    await expect(replayDefaults(file, { task: 'humaneval' })).rejects.toMatchObject(refusal)
    await expect((builtins.replay!({ samples: file }) as ModelPlugin).create({ seed: 0, corpus: '', concurrency: 1 })).rejects.toMatchObject({
      code: 'BENCH_USAGE',
      message: expect.stringMatching(/^bonbench:replay: .*mix\.jsonl: 1 of 4 samples carry no score/),
    })
  })

  it('names at most three problems, then an ellipsis', async () => {
    const file = await dump('many.jsonl', [{ id: 's', reward: 1, score: 1 }, ...['p', 'q', 'r', 't'].map((id) => ({ id, reward: 0 }))])
    await expect(readSampleDump(file, { scores: 'all-or-none' })).rejects.toThrow(/4 of 5 samples carry no score \(in 4 problem\(s\): 'p', 'q', 'r', …\)/)
  })

  it('scoreSamples never ranks recorded scores against the reward or a verifier’s scores in one call', async () => {
    const problem = { id: 'a', prompt: 'What is 3 + 4?', answer: '7' }
    const items: ScoreItem[] = [
      { problem, completion: '\\boxed{7}', recorded: { reward: 1, score: -3 } },
      { problem, completion: '\\boxed{8}', recorded: { reward: 0 } },
    ]
    const recorded = builtins.recorded!() as VerifierPlugin
    await expect(scoreSamples(items, { reward: recorded, selector: recorded, concurrency: 1 })).rejects.toMatchObject({
      code: 'BENCH_USAGE',
      message: expect.stringMatching(/1 of 2 replayed samples carry no recorded score \(problems 'a'\).*against the reward \(bonbench:recorded\)/),
    })
    const selector = watched()
    await expect(scoreSamples(items, { reward: recorded, selector: selector.verifier, concurrency: 1 })).rejects.toMatchObject({
      code: 'BENCH_USAGE',
      message: expect.stringContaining("against bonbench:math-answer's score"),
    })
    expect(selector.asked).toEqual([])
  })
})

describe('dumps scored on every sample or on none: replay’s Bo-N is bench score’s', () => {
  const rewards = [
    [1, 0, 0, 1, 0, 1],
    [0, 0, 0, 0, 1, 0],
    [1, 1, 0, 1, 0, 0],
  ]
  const scores = [
    [0.2, 0.9, 0.1, 0.5, 0.9, 0.3],
    [0, 0.1, 0.2, 0.3, 0.4, 0.5],
    [1, 1, 0.5, 0.2, 0.2, 0],
  ]

  it('every sample scored: the recorded scores rank the pools, also when a selector is given (it is never asked)', async () => {
    const file = await dump(
      'scored.jsonl',
      rewards.flatMap((row, i) => row.map((reward, j) => ({ id: `p${i}`, reward, score: scores[i]![j], text: `\\boxed{${j}}` }))),
    )
    const score = summarizePools((await readSampleDump(file)).problems)
    const metrics = await replay(file)
    expect(metrics.grid).toEqual(score.k)
    metrics.bestOfN.forEach((v, i) => expect(v).toBeCloseTo(score.bestOfN!.values[i]!, 12))
    const selector = watched()
    expect((await replay(file, selector.verifier)).bestOfN).toEqual(metrics.bestOfN)
    expect(selector.asked).toEqual([])
  })

  it('no sample scored: the reward ranks them, bench score’s Bo-N with the reward as the score', async () => {
    const file = await dump(
      'unscored.jsonl',
      rewards.map((row, i) => ({ id: `p${i}`, samples: row.map((reward) => ({ reward })) })),
    )
    const read = await readSampleDump(file)
    expect(summarizePools(read.problems).bestOfN).toBeNull()
    const asScored = read.problems.map((p) => ({ ...p, samples: p.samples.map((s) => ({ ...s, score: s.reward })) }))
    const score = summarizePools(asScored)
    const metrics = await replay(file)
    expect(metrics.grid).toEqual(score.k)
    metrics.bestOfN.forEach((v, i) => expect(v).toBeCloseTo(score.bestOfN!.values[i]!, 12))
  })
})
