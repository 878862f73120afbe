import { describe, expect, it } from 'vitest'
import { deriveSeed } from '../../core/rng.js'
import type { ScoredGroup } from '../../core/plugin-api/strategy.js'
import type { Problem } from '../../core/plugin-api/task.js'
import { validatePlugin } from '../../core/registry/validate-plugin.js'
import { lambdaFor } from '../../core/train/lambda.js'
import { builtins } from '../helpers/builtin-factories.js'
import { parseChoices, tabular, type TabularInstance } from '../../plugins/models/tabular/index.js'
import { bonRlS } from '../../plugins/strategies/bon-rl-s.js'
import { toy } from '../../plugins/tasks/toy/index.js'
import { toyAnswer } from '../../plugins/verifiers/toy-answer/index.js'
import { createRng } from '../../core/rng.js'

const load = (options = {}) => toy(options).load({ seed: 0 })
const vctx = { concurrency: 1 }

describe('toy task', () => {
  it('is deterministic in its options (not the run seed) and well formed', async () => {
    const a = await load()
    const b = await toy().load({ seed: 12345 })
    expect(b).toEqual(a)
    expect(a.train).toHaveLength(32)
    expect(new Set(a.train.map((p) => p.id)).size).toBe(32)
    for (const p of a.train) {
      const data = p.data as { answers: string[]; correct: string[] }
      expect(parseChoices(p.prompt)).toEqual(data.answers)
      expect(data.correct.length).toBeGreaterThan(0)
      expect(data.correct.length).toBeLessThan(data.answers.length)
      for (const c of data.correct) expect(data.answers).toContain(c)
      expect(data.correct).toContain(p.expert)
      expect(p.answer).toBe(p.expert)
    }
    expect(new Set(a.train.map((p) => p.level))).toEqual(new Set([1, 2, 3, 4]))
    expect((await load({ seed: 2 })).train[0]!.prompt).not.toBe(a.train[0]!.prompt)
  })

  it("splits: 'shared' (default) evaluates the trained prompts; 'disjoint' keeps test prompts out of training", async () => {
    const shared = await load()
    expect(shared.test).toEqual(shared.train)
    const disjoint = await load({ split: 'disjoint', prompts: 30 })
    const trainIds = new Set(disjoint.train.map((p) => p.id))
    expect(disjoint.test.length).toBe(10)
    expect(disjoint.test.some((p) => trainIds.has(p.id))).toBe(false)
    expect(disjoint.train.length + disjoint.test.length).toBe(30)
  })

  it('rejects bad options with the plugin name', () => {
    expect(() => toy({ levels: [9] })).toThrow(/bonbench:toy: invalid options: levels: level 9 is not defined/)
    expect(() => toy({ levelSpecs: { 5: { choices: 3, correct: 3 } }, levels: [5] })).toThrow(/at least one answer must be wrong/)
    expect(() => toy({ prompt: 3 } as never)).toThrow(/bonbench:toy/)
  })
})

describe('toy-answer verifier', () => {
  const problem: Problem = { id: 'toy-1', prompt: 'p', answer: 'fern', data: { answers: ['fern', 'moss', 'ivy'], correct: ['fern', 'ivy'] } }

  it('rewards exactly the correct answers; score = reward by default (an oracle)', async () => {
    const verdicts = await toyAnswer().score(
      ['fern', ' ivy \n', 'moss', '', 'fern tree'].map((completion) => ({ problem, completion })),
      vctx,
    )
    expect(verdicts.map((v) => v.reward)).toEqual([1, 1, 0, 0, 0])
    expect(verdicts.map((v) => v.score)).toEqual([1, 1, 0, 0, 0])
    expect(verdicts.map((v) => v.reason)).toEqual(['passed', 'passed', 'failed', 'no-answer', 'failed'])
    expect(verdicts[1]!.answer).toBe('ivy')
    await expect(toyAnswer().score([{ problem: { id: 'x', prompt: 'p' }, completion: 'a' }], vctx)).rejects.toMatchObject({ code: 'BENCH_DATA_INVALID' })
  })

  it('with noise, the score is a seeded judge fixed per (prompt, answer): consistent, imperfect, reward unchanged', async () => {
    const judge = toyAnswer({ noise: 1, seed: 5 })
    const items = ['fern', 'moss', 'fern', 'ivy'].map((completion) => ({ problem, completion }))
    const first = await judge.score(items, vctx)
    const again = await toyAnswer({ noise: 1, seed: 5 }).score(items, vctx)
    expect(again).toEqual(first)
    expect(first[0]!.score).toBe(first[2]!.score)
    expect(first.map((v) => v.reward)).toEqual([1, 0, 1, 1])
    expect(first[0]!.score).not.toBe(1)
    expect((await toyAnswer({ noise: 1, seed: 6 }).score(items, vctx))[0]!.score).not.toBe(first[0]!.score)
    expect(() => toyAnswer({ noise: -1 })).toThrow(/bonbench:toy-answer/)
  })
})

describe('toy × tabular × strategies, end to end through the plugin seams', () => {
  it('every new built-in is registered under its short name and passes the plugin validator', () => {
    const names = [
      'tabular',
      'toy',
      'toy-answer',
      'sft',
      'rl',
      'bon-sft',
      'bon-rl',
      'bon-rl-v',
      'bon-rl-s',
      'bon-rlb',
      'bon-rlb-p',
      'vbon',
      'bond',
      'pass-at-k',
    ]
    for (const name of names) {
      const plugin = validatePlugin(builtins[name]!(), 'builtins')
      expect(plugin.name).toBe(`bonbench:${name}`)
    }
  })

  it('base difficulty varies across prompts, and bon-rl-s training raises pass@4 on the trained prompts', async () => {
    const task = await load()
    const model = (await tabular().create({ seed: 1, corpus: '', concurrency: 1 })) as TabularInstance
    const verifier = toyAnswer()
    const pFail = (m: TabularInstance, p: Problem) => {
      const pi = m.policy(p.prompt)
      const correct = (p.data as { correct: string[] }).correct
      return m.answers(p.prompt).reduce((acc, a, k) => acc + (correct.includes(a) ? 0 : pi[k]!), 0)
    }
    const base = task.test.map((p) => pFail(model, p))
    expect(base.some((q) => q < 0.3)).toBe(true)
    expect(base.some((q) => q > 0.9)).toBe(true)
    const passAt4 = (m: TabularInstance) => task.test.reduce((acc, p) => acc + 1 - pFail(m, p) ** 4, 0) / task.test.length
    const before = passAt4(model)

    const strategy = bonRlS()
    const K = strategy.needs({ nTrain: 4 }).policySamples
    for (let step = 0; step < 40; step++) {
      const results = await model.sample(task.train.map((p) => ({ promptId: p.id, prompt: p.prompt, n: K, temperature: 1, seed: deriveSeed(7, step, p.id) })))
      const sequences = []
      for (const [i, problem] of task.train.entries()) {
        const completions = results[i]!.completions
        const verdicts = await verifier.score(
          completions.map((c) => ({ problem, completion: c.text })),
          vctx,
        )
        const group: ScoredGroup = {
          problem,
          policy: completions.map((c, j) => ({ completion: c.text, reward: verdicts[j]!.reward!, score: verdicts[j]!.score })),
        }
        const out = strategy.weights(group, { nTrain: 4, lambda: lambdaFor(4), rng: createRng(deriveSeed(7, step, problem.id, 'w')) })
        sequences.push(...out.sequences.map((s) => ({ ...s, weight: s.weight / task.train.length })))
      }
      await model.update(sequences, { learningRate: 20 })
    }
    expect(passAt4(model)).toBeGreaterThan(before + 0.05)
  })
})
