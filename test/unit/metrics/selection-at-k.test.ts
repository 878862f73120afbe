import { describe, expect, it } from 'vitest'
import { bestOfN, majorityAtK } from '../../../core/metrics/index.js'
import { type SelectionSample, selectionAtK, selectionUnavailable } from '../../../core/metrics/selection-at-k.js'
import { type SelectionRule, resolveSelectionRules, selectionRuleId } from '../../../core/metrics/selection-rules.js'
import { createRng } from '../../../core/rng.js'
import { randomPool, subsets } from './brute-force.js'

// Reference rules, written from their definitions over one explicit subset, without the estimators.
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length

/** Mean reward of the members of `sub` whose objective is the largest (ties split evenly). */
function argmaxBy(pool: SelectionSample[], sub: number[], objective: (i: number) => number): number {
  const values = sub.map(objective)
  const top = Math.max(...values)
  return mean(sub.filter((_, j) => values[j] === top).map((i) => pool[i]!.reward))
}

function bruteRule(pool: SelectionSample[], k: number, rule: SelectionRule): number {
  return mean(
    subsets(pool.length, k).map((sub) => {
      switch (rule.rule) {
        case 'argmax':
          return argmaxBy(pool, sub, (i) => pool[i]!.score)
        case 'rbon-kl':
          return argmaxBy(pool, sub, (i) => pool[i]!.score + rule.beta * pool[i]!.logProb!)
        case 'rbon-wd': {
          const same = (i: number, j: number) => {
            const a = rule.cost === 'answer' ? pool[i]!.answer : pool[i]!.text
            const b = rule.cost === 'answer' ? pool[j]!.answer : pool[j]!.text
            return i === j || (a !== undefined && a === b)
          }
          return argmaxBy(pool, sub, (i) => pool[i]!.score - rule.beta * mean(sub.map((j) => (same(i, j) ? 0 : 1))))
        }
        case 'srbon-kl': {
          const w = sub.map((i) => Math.exp(pool[i]!.score / rule.beta))
          const z = w.reduce((a, b) => a + b, 0)
          return sub.reduce((s, i, j) => s + (w[j]! / z) * pool[i]!.reward, 0)
        }
        case 'majority':
        case 'weighted-majority': {
          const byAnswer = new Map<string, { weight: number; rewards: number[] }>()
          for (const i of sub) {
            const a = pool[i]!.answer
            if (a === undefined) continue
            const entry = byAnswer.get(a) ?? { weight: 0, rewards: [] }
            entry.weight += rule.rule === 'majority' ? 1 : pool[i]!.score
            entry.rewards.push(pool[i]!.reward)
            byAnswer.set(a, entry)
          }
          if (byAnswer.size === 0) return mean(sub.map((i) => pool[i]!.reward))
          const top = Math.max(...[...byAnswer.values()].map((e) => e.weight))
          return mean([...byAnswer.values()].filter((e) => e.weight === top).map((e) => mean(e.rewards)))
        }
      }
    }),
  )
}

/** randomPool with a log-probability (a few levels, so the KL objective ties too) and a text per sample. */
function richPool(seed: number, maxN = 9): SelectionSample[] {
  const rng = createRng(seed + 77)
  return randomPool(seed, maxN).map((s) => ({ ...s, logProb: -rng.int(4), text: `t${rng.int(3)}` }))
}

const rules: SelectionRule[] = [
  { rule: 'argmax' },
  { rule: 'majority' },
  { rule: 'weighted-majority' },
  { rule: 'rbon-kl', beta: 0.5 },
  { rule: 'rbon-kl', beta: 2 },
  { rule: 'rbon-wd', beta: 1, cost: 'answer' },
  { rule: 'rbon-wd', beta: 4, cost: 'text' },
  { rule: 'srbon-kl', beta: 0.7 },
]

describe('selectionAtK', () => {
  it('equals the average over every N-subset for each rule, on 200 random small pools (ties, abstentions, graded rewards)', () => {
    for (let seed = 5000; seed < 5200; seed++) {
      const pool = richPool(seed)
      const ks = Array.from({ length: pool.length }, (_, i) => i + 1)
      for (const rule of rules) {
        const curve = selectionAtK(pool, ks, rule, { seed: 1 })
        expect(curve.exact.every(Boolean), selectionRuleId(rule)).toBe(true)
        expect(curve.stdErr.every((e) => e === 0)).toBe(true)
        ks.forEach((k, j) => expect(curve.values[j], `${selectionRuleId(rule)} seed ${seed} k ${k}`).toBeCloseTo(bruteRule(pool, k, rule), 12))
      }
    }
  })

  it('gives Bo-N and maj@N exactly as the existing estimators do', () => {
    const pool = richPool(42, 12)
    const ks = [1, 2, 3]
    expect(selectionAtK(pool, ks, { rule: 'argmax' }, { seed: 3 }).values).toEqual(bestOfN(pool, ks))
    expect(selectionAtK(pool, ks, { rule: 'majority' }, { seed: 3 }).values).toEqual(majorityAtK(pool, ks, { seed: 3 }).values)
  })

  it('weights votes by score: two low-scored votes lose to one high-scored vote', () => {
    const pool = [
      { answer: 'x', score: 0.2, reward: 0 },
      { answer: 'x', score: 0.2, reward: 0 },
      { answer: 'y', score: 0.9, reward: 1 },
    ]
    // k = 3: x sums 0.4 < 0.9 → y (1). k = 2: {x,x} → 0, {x,y} ×2 → y → 2/3.
    expect(selectionAtK(pool, [3, 2], { rule: 'weighted-majority' }, { seed: 0 }).values).toEqual([1, expect.closeTo(2 / 3, 14)])
    expect(selectionAtK(pool, [3], { rule: 'majority' }, { seed: 0 }).values).toEqual([0])
  })

  it('moves SRBoN-KL from the mean reward (large β) to Bo-N (small β)', () => {
    const pool = richPool(9, 8).map((s, i) => ({ ...s, score: i / 10 }))
    const ks = [2, 4]
    const hot = selectionAtK(pool, ks, { rule: 'srbon-kl', beta: 1e6 }, { seed: 0 }).values
    const cold = selectionAtK(pool, ks, { rule: 'srbon-kl', beta: 1e-4 }, { seed: 0 }).values
    const meanReward = mean(pool.map((s) => s.reward))
    hot.forEach((v) => expect(v).toBeCloseTo(meanReward, 5))
    expect(cold).toEqual(bestOfN(pool, ks).map((v) => expect.closeTo(v, 10)))
  })

  it('estimates by seeded Monte Carlo past the enumeration limit: unbiased within its standard error, the same seed the same number', () => {
    const rng = createRng(31)
    const pool = Array.from({ length: 16 }, () => {
      const s: SelectionSample = { reward: rng.next() < 0.4 ? 1 : 0, score: rng.int(5) / 4, text: `t${rng.int(3)}` }
      if (rng.next() > 0.1) s.answer = `a${rng.int(4)}`
      return s
    })
    const k = 6 // C(16, 6) = 8008 subsets
    for (const rule of rules.filter((r) => ['weighted-majority', 'rbon-wd', 'srbon-kl'].includes(r.rule))) {
      const exact = bruteRule(pool, k, rule)
      const mc = selectionAtK(pool, [k], rule, { seed: 7, enumerationLimit: 1000, draws: 3000 })
      expect(mc.exact).toEqual([false])
      expect(mc.stdErr[0]).toBeGreaterThan(0)
      expect(Math.abs(mc.values[0]! - exact), selectionRuleId(rule)).toBeLessThan(4 * mc.stdErr[0]! + 1e-12)
      expect(selectionAtK(pool, [k], rule, { seed: 7, enumerationLimit: 1000, draws: 3000 })).toEqual(mc)
      expect(selectionAtK(pool, [k], rule, { seed: 8, enumerationLimit: 1000, draws: 3000 }).values[0]).not.toBe(mc.values[0])
    }
  })

  it('says what is missing when a rule needs log-probabilities the pool lacks', () => {
    const pool = [
      { reward: 1, score: 1, logProb: -2 },
      { reward: 0, score: 0 },
    ]
    expect(selectionUnavailable({ rule: 'rbon-kl', beta: 1 }, pool)).toMatch(/log π_ref\(y\) of every sample/)
    expect(selectionUnavailable({ rule: 'rbon-wd', beta: 1, cost: 'answer' }, pool)).toBeUndefined()
    expect(() => selectionAtK(pool, [1], { rule: 'rbon-kl', beta: 1 }, { seed: 0 })).toThrow(/finite log-probability/)
    expect(() => selectionAtK(pool, [3], { rule: 'srbon-kl', beta: 1 }, { seed: 0 })).toThrow(/k must be an integer in 1..n = 2/)
  })
})

describe('resolveSelectionRules', () => {
  it('validates options, applies defaults and gives stable ids', () => {
    const rules = resolveSelectionRules(['majority', 'weighted-majority', ['rbon-kl', { beta: 0.1 }], ['rbon-wd', { beta: 2 }], ['srbon-kl', { beta: 0.5 }]])
    expect(rules.map(selectionRuleId)).toEqual(['majority', 'weighted-majority', 'rbon-kl(beta=0.1)', 'rbon-wd(beta=2,cost=answer)', 'srbon-kl(beta=0.5)'])
    expect(resolveSelectionRules(undefined)).toEqual([])
  })

  it('refuses bad options and duplicates with a message naming the entry', () => {
    expect(() => resolveSelectionRules([['rbon-kl', {}]])).toThrow(/eval.selectionRules\[0\] \(rbon-kl\): invalid options: beta/)
    expect(() => resolveSelectionRules([['rbon-kl', { beta: -1 }]])).toThrow(/beta: must be a number > 0/)
    expect(() => resolveSelectionRules([['srbon-kl', { beta: 1, temperature: 2 }]])).toThrow(/Unrecognized key/)
    expect(() => resolveSelectionRules(['majority', 'majority'])).toThrow(/majority is listed twice/)
  })
})
