import { describe, expect, it } from 'vitest'
import type { TaskData } from '../../core/plugin-api/task.js'
import { math } from '../../plugins/tasks/math/index.js'
import type { MathTaskOptions } from '../../plugins/tasks/math/index.js'
import { mathAnswer } from '../../plugins/verifiers/math-answer/index.js'

const load = (options: MathTaskOptions = {}, seed = 0): Promise<TaskData> => math(options).load({ seed })

/** The value of an expression by JavaScript's own arithmetic (same precedence): an independent oracle. */
const evaluate = (expression: string): number => Function(`return (${expression})`)() as number

function thrown(make: () => unknown): { code?: string; message: string } {
  try {
    make()
  } catch (error) {
    return error as { code?: string; message: string }
  }
  throw new Error('expected a throw')
}

describe('math task', () => {
  it('is a task graded by math-answer with a stop after the answer line', () => {
    const task = math()
    expect(task).toMatchObject({ name: 'bonbench:math', kind: 'task', rewardVerifier: 'math-answer', generation: { maxTokens: 81, stop: ['\n\n', 'Q:'] } })
  })

  it('is deterministic in its seed option and independent of the run seed', async () => {
    const a = await load({ trainSize: 300, testSize: 50 }, 0)
    const b = await load({ trainSize: 300, testSize: 50 }, 99)
    expect(b).toEqual(a)
    const c = await load({ trainSize: 300, testSize: 50, seed: 2 })
    expect(c.test.map((p) => p.prompt)).not.toEqual(a.test.map((p) => p.prompt))
  })

  it('has disjoint, duplicate-free splits of the requested sizes', async () => {
    const data = await load()
    expect(data.train).toHaveLength(4000)
    expect(data.test).toHaveLength(200)
    const train = new Set(data.train.map((p) => p.prompt))
    expect(train.size).toBe(4000)
    expect(new Set(data.test.map((p) => p.prompt)).size).toBe(200)
    expect(data.test.filter((p) => train.has(p.prompt))).toEqual([])
    expect(new Set([...data.train, ...data.test].map((p) => p.id)).size).toBe(4200)
  })

  it('follows the level mix exactly and keeps prompt + expert within the budget', async () => {
    const data = await load({ trainSize: 1000, testSize: 100, levels: [1, 3, 5], mix: [2, 1, 1] })
    const count = (split: 'train' | 'test', level: number) => data[split].filter((p) => p.level === level).length
    expect([1, 3, 5].map((l) => count('test', l))).toEqual([50, 25, 25])
    expect([1, 3, 5].map((l) => count('train', l))).toEqual([500, 250, 250])
    const all = [...(await load()).train, ...(await load()).test]
    expect(new Set(all.map((p) => p.level))).toEqual(new Set([1, 2, 3, 4, 5]))
    expect(Math.max(...all.map((p) => p.prompt.length + p.expert!.length))).toBeLessThanOrEqual(90)
  })

  it('writes experts as steps then an answer line, with the answer JavaScript computes', async () => {
    const data = await load({ trainSize: 500, testSize: 100 })
    for (const p of [...data.train, ...data.test]) {
      const expression = /^Q: ([\d+*()-]+)=\?\n$/.exec(p.prompt)![1]!
      expect(p.expert).toMatch(/^(\d+[+*-]\d+=\d+\n)+A: \d+\n$/)
      expect(Number(p.answer)).toBe(evaluate(expression))
      expect(p.expert!.endsWith(`A: ${p.answer}\n`)).toBe(true)
      for (const step of p.expert!.split('\n').slice(0, -2)) {
        const [lhs, rhs] = step.split('=')
        expect(evaluate(lhs!)).toBe(Number(rhs))
      }
    }
  })

  it('has every expert graded correct by math-answer, and a wrong final answer graded wrong', async () => {
    const data = await load()
    const problems = [...data.train, ...data.test]
    const verifier = mathAnswer()
    const right = await verifier.score(
      problems.map((problem) => ({ problem, completion: problem.expert! })),
      { concurrency: 1 },
    )
    expect(right.filter((v) => !v.pass)).toEqual([])
    const wrong = await verifier.score(
      problems.map((problem) => ({ problem, completion: problem.expert!.replace(/A: \d+\n$/, `A: ${Number(problem.answer) + 1}\n`) })),
      { concurrency: 1 },
    )
    expect(wrong.filter((v) => v.pass)).toEqual([])
    const cut = await verifier.score([{ problem: data.test[0]!, completion: data.test[0]!.expert!.split('A:')[0]! }], { concurrency: 1 })
    expect(cut[0]!.reason).toBe('no-answer')
  })

  it('makes harder levels longer: more steps, bigger numbers', async () => {
    const data = await load({ trainSize: 2000, testSize: 100 })
    const mean = (level: number, f: (p: (typeof data.train)[number]) => number) => {
      const ps = data.train.filter((p) => p.level === level)
      return ps.reduce((a, p) => a + f(p), 0) / ps.length
    }
    const steps = [1, 2, 3, 4, 5].map((l) => mean(l, (p) => p.data!.steps as number))
    expect(steps).toEqual([1, 1, 2, 3, 3])
    const answerDigits = [1, 2, 3, 4, 5].map((l) => mean(l, (p) => p.answer!.length))
    expect(answerDigits[4]!).toBeGreaterThan(answerDigits[0]!)
  })

  it('applies level overrides and the direct format', async () => {
    const data = await load({ trainSize: 100, testSize: 20, levels: [3], levelSpecs: { 3: { ops: 4, parens: 0 } }, format: 'direct' })
    expect(data.test.every((p) => p.data!.steps === 4 && /^Q: (\d+[+*-]){4}\d+=\?\n$/.test(p.prompt))).toBe(true)
    expect(data.test.every((p) => /^A: \d+\n$/.test(p.expert!))).toBe(true)
  })

  it('rejects bad options and impossible sizes with BENCH_PLUGIN_OPTIONS naming the plugin', async () => {
    for (const options of [{ trainSize: -1 }, { mix: [1] }, { levels: [7] }, { levelSpecs: { 2: { operators: '/' } } }, { unknown: 1 }] as MathTaskOptions[]) {
      const error = thrown(() => math(options))
      expect(error.code).toBe('BENCH_PLUGIN_OPTIONS')
      expect(error.message).toContain('bonbench:math')
    }
    const tiny = math({ levels: [1], levelSpecs: { 1: { digits: [1, 1], operators: '+' } }, testSize: 100, trainSize: 0 })
    await expect(tiny.load({ seed: 0 })).rejects.toMatchObject({
      code: 'BENCH_PLUGIN_OPTIONS',
      message: expect.stringMatching(/level 1 has too few distinct problems/),
    })
  })
})

describe("math task, format 'reversed'", () => {
  it('writes each step result least significant digit first, keeps the answer line, and grades correct', async () => {
    const [plain, reversed] = await Promise.all([
      math({ trainSize: 40, testSize: 10 }).load({ seed: 0 }),
      math({ trainSize: 40, testSize: 10, format: 'reversed' }).load({ seed: 0 }),
    ])
    const verifier = mathAnswer({})
    reversed.train.forEach((p, i) => {
      const q = plain.train[i]!
      expect(p.prompt).toBe(q.prompt)
      const steps = q.expert!.trim().split('\n')
      const reversedSteps = p.expert!.trim().split('\n')
      expect(reversedSteps.at(-1)).toBe(steps.at(-1)) // A: n unchanged
      steps.slice(0, -1).forEach((step, j) => {
        const [lhs, result] = step.split('=')
        expect(reversedSteps[j]).toBe(`${lhs}=${[...result!].reverse().join('')}`)
      })
    })
    const verdicts = await verifier.score(
      reversed.train.map((problem) => ({ problem, completion: problem.expert! })),
      { concurrency: 1 },
    )
    expect(verdicts.every((v) => v.reward === 1)).toBe(true)
  })
})
