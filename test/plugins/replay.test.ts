import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { scoreSamples } from '../../core/eval/score-samples.js'
import { checkSampleResults } from '../../core/plugin-api-checks/check-samples.js'
import type { ModelPlugin } from '../../core/plugin-api/model.js'
import type { Problem, TaskPlugin } from '../../core/plugin-api/task.js'
import type { VerifierPlugin, VerifyItem } from '../../core/plugin-api/verifier.js'
import { builtins } from '../helpers/builtin-factories.js'
import { sharedData } from './code-fixtures.js'

const dir = mkdtempSync(path.join(tmpdir(), 'bonbench-replay-plugin-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const problem: Problem = { id: 'm', prompt: 'What is 3 + 4?', answer: '7' }

/** The real math-answer verifier, keeping the items it was asked to judge. */
function watched(): { verifier: VerifierPlugin; asked: VerifyItem[] } {
  const inner = builtins['math-answer']!() as VerifierPlugin
  const asked: VerifyItem[] = []
  return { asked, verifier: { ...inner, score: async (batch, ctx) => (asked.push(...batch), inner.score(batch, ctx)) } }
}

describe('recorded judgements (Completion.recorded) in scoreSamples', () => {
  it('uses what is recorded, sends only the rest to the verifiers; an oracle’s score is the recorded reward; recorded scores only on every sample', async () => {
    const { verifier, asked } = watched()
    const judged = await scoreSamples(
      [
        { problem, completion: 'so \\boxed{7}', recorded: { reward: 0, answer: 'x' } },
        { problem, completion: 'so \\boxed{7}' },
        { problem, completion: 'so \\boxed{8}', recorded: { reward: 1 } },
        { problem, completion: 'so \\boxed{7}', recorded: { answer: '9' } },
      ],
      { reward: verifier, selector: verifier, concurrency: 1 },
    )
    expect(asked.map((i) => i.completion)).toEqual(['so \\boxed{7}', 'so \\boxed{7}'])
    expect(judged).toEqual([
      { completion: 'so \\boxed{7}', reward: 0, score: 0, answer: 'x', reason: 'recorded' },
      { completion: 'so \\boxed{7}', reward: 1, score: 1, answer: '7', reason: 'passed' },
      { completion: 'so \\boxed{8}', reward: 1, score: 1, answer: undefined, reason: 'recorded' },
      { completion: 'so \\boxed{7}', reward: 1, score: 1, answer: '9', reason: 'passed' },
    ])
    const scored = await scoreSamples(
      [
        { problem, completion: 'so \\boxed{7}', recorded: { reward: 0, score: 0.3 } },
        { problem, completion: 'so \\boxed{8}', recorded: { score: 0.9 } },
      ],
      { reward: verifier, selector: verifier, concurrency: 1 },
    )
    expect(scored.map((j) => [j.reward, j.score])).toEqual([
      [0, 0.3],
      [0, 0.9],
    ])
    await expect(
      scoreSamples(
        [
          { problem, completion: 'a', recorded: { reward: 0, score: 0.3 } },
          { problem, completion: 'b', recorded: { reward: 1 } },
        ],
        { reward: verifier, selector: verifier, concurrency: 1 },
      ),
    ).rejects.toMatchObject({ code: 'BENCH_USAGE' })
  })

  it('with a separate selector: recorded scores on every sample win (it is not asked); on none, it scores every sample', async () => {
    const reward = watched()
    const selector = watched()
    const judged = await scoreSamples(
      [
        { problem, completion: 'a \\boxed{7}', recorded: { reward: 1, score: 5 } },
        { problem, completion: 'b \\boxed{8}', recorded: { reward: 0, score: 2 } },
      ],
      { reward: reward.verifier, selector: selector.verifier, concurrency: 1 },
    )
    expect(reward.asked).toEqual([])
    expect(selector.asked).toEqual([])
    expect(judged.map((j) => [j.reward, j.score])).toEqual([
      [1, 5],
      [0, 2],
    ])
    const unscored = await scoreSamples(
      [
        { problem, completion: 'a \\boxed{7}', recorded: { reward: 1 } },
        { problem, completion: 'b \\boxed{8}', recorded: { reward: 0 } },
      ],
      { reward: reward.verifier, selector: selector.verifier, concurrency: 1 },
    )
    expect(selector.asked.map((i) => i.completion)).toEqual(['a \\boxed{7}', 'b \\boxed{8}'])
    expect(unscored.map((j) => [j.reward, j.score])).toEqual([
      [1, 1],
      [0, 0],
    ])
  })

  it('the sample() check refuses a malformed recorded judgement, naming the model', () => {
    const request = { promptId: 'p', prompt: 'x', n: 1, temperature: 1, seed: 0 }
    const answer = (recorded: unknown) => [{ promptId: 'p', completions: [{ text: '', tokens: [], logProb: 0, finishReason: 'eos', recorded }] }]
    expect(() => checkSampleResults('bonbench:replay', [request], answer({ reward: 2 }))).toThrow(
      /bonbench:replay.*recorded\.reward to be a number in \[0, 1\]/,
    )
    expect(() => checkSampleResults('bonbench:replay', [request], answer({ score: Number.NaN }))).toThrow(/recorded\.score to be a finite number/)
    expect(checkSampleResults('bonbench:replay', [request], answer({ reward: 1, answer: '7' }))).toHaveLength(1)
  })
})

describe('replay model, sample-dump task, recorded verifier', () => {
  it('replays the first n samples of a prompt in dump order, with their judgement; any seed, the same pool', async () => {
    const dump = path.join(dir, 'd.jsonl')
    writeFileSync(dump, [1, 0, 1].map((reward, i) => JSON.stringify({ id: 'a', reward, score: i, text: `t${i}` })).join('\n'))
    const model = await (builtins.replay!({ samples: dump }) as ModelPlugin).create({ seed: 0, corpus: '', concurrency: 1 })
    const ask = (seed: number, n: number) => model.sample([{ promptId: 'a', prompt: 'ignored', n, temperature: 0.5, seed }])
    const [two] = await ask(1, 2)
    expect(two!.completions.map((c) => [c.text, c.recorded])).toEqual([
      ['t0', { reward: 1, score: 0 }],
      ['t1', { reward: 0, score: 1 }],
    ])
    expect(await ask(99, 2)).toEqual([two])
    await expect(ask(1, 4)).rejects.toThrow(/holds 3 samples for 'a' but the pool needs 4\. Pass --pool-size 3 or less/)
    await expect(model.sample([{ promptId: 'zz', prompt: 'nope', n: 1, temperature: 1, seed: 0 }])).rejects.toThrow(
      /prompt 'zz' is not in the dump .*ids like 'a'/,
    )
    expect(model.describe()).toMatchObject({ parameters: 0, backend: 'replay', problems: 1, samples: 3, hash: expect.stringMatching(/^[0-9a-f]{64}$/) })
    await expect((builtins.replay!() as ModelPlugin).create({ seed: 0, corpus: '', concurrency: 1 })).rejects.toMatchObject({ code: 'BENCH_USAGE' })
  })

  it('sample-dump: the Qwen2.5-Math problems with their question as prompt, gt as answer, judged by recorded; a dump without rewards is refused', async () => {
    const qwen = path.join(sharedData, 'samples/qwen25math_math_cot_100.jsonl.gz')
    const task = builtins['sample-dump']!({ samples: qwen }) as TaskPlugin
    expect(task.rewardVerifier).toBe('recorded')
    const data = await task.load({ seed: 0 })
    expect(data.train).toEqual([])
    expect(data.test).toHaveLength(100)
    expect(data.test[0]).toMatchObject({ id: '0', prompt: expect.stringMatching(/^What is \$10\.0000198/), answer: '420' })
    const unjudged = path.join(dir, 'unjudged.jsonl')
    writeFileSync(unjudged, JSON.stringify({ task_id: 'HumanEval/0', completion: 'x' }))
    await expect((builtins['sample-dump']!({ samples: unjudged }) as TaskPlugin).load({ seed: 0 })).rejects.toThrow(
      /unjudged\.jsonl:1: bad line: reward: missing.*name the task whose verifiers judge it/,
    )
  })

  it('recorded refuses to invent a verdict for a sample without a recorded reward', async () => {
    const verifier = builtins.recorded!() as VerifierPlugin
    expect(await verifier.score([], { concurrency: 1 })).toEqual([])
    await expect(verifier.score([{ problem, completion: 'x' }], { concurrency: 1 })).rejects.toMatchObject({
      code: 'BENCH_RUN_INVALID',
      message: expect.stringContaining('carry no recorded reward'),
    })
  })
})
