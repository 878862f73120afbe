import { describe, expect, it } from 'vitest'
import { groupAnswers, majorityAtK, majorityExact, majorityExactCost } from '../../../core/metrics/index.js'
import { createRng } from '../../../core/rng.js'
import { bruteMajority, randomPool } from './brute-force.js'

describe('majorityAtK', () => {
  it('matches enumeration of every k-subset on 300 random pools (ties, abstentions, graded rewards)', () => {
    for (let seed = 2000; seed < 2300; seed++) {
      const pool = randomPool(seed)
      const ks = Array.from({ length: pool.length }, (_, i) => i + 1)
      const result = majorityAtK(pool, ks, { exactLimit: Infinity })
      expect(result.exact.every(Boolean)).toBe(true)
      expect(result.stdErr.every((se) => se === 0)).toBe(true)
      ks.forEach((k, j) => expect(result.values[j]).toBeCloseTo(bruteMajority(pool, k), 12))
    }
  })

  it('splits a tie between answers evenly', () => {
    const pool = [
      { answer: 'a', reward: 1 },
      { answer: 'b', reward: 0 },
    ]
    expect(majorityAtK(pool, [2]).values[0]).toBeCloseTo(0.5, 15)
    expect(majorityAtK(pool, [1]).values[0]).toBeCloseTo(0.5, 15)
    const three = [
      { answer: 'a', reward: 1 },
      { answer: 'a', reward: 1 },
      { answer: 'b', reward: 0 },
      { answer: 'c', reward: 0 },
    ]
    // k = 4: 'a' wins outright. k = 2: {a,a} → 1; {a,b},{a,c} ×2 each → ½; {b,c} → 0 ⇒ (1 + 4·½)/6.
    expect(majorityAtK(three, [4, 2]).values).toEqual([expect.closeTo(1, 14), expect.closeTo(3 / 6, 14)])
  })

  it('lets abstentions take slots but never win; all-abstain subsets score the abstentions', () => {
    const pool = [{ answer: 'wrong', reward: 0 }, { reward: 1 }, { reward: 1 }]
    // k = 1: 1/3 picks 'wrong' (0), 2/3 abstain-only (1). k = 2: any subset with 'wrong' → 0 (2 of 3), {abst, abst} → 1.
    expect(majorityAtK(pool, [1, 2, 3]).values).toEqual([expect.closeTo(2 / 3, 14), expect.closeTo(1 / 3, 14), 0])
    expect(majorityAtK([{ reward: 0.5 }, { reward: 0 }], [1, 2]).values).toEqual([0.25, 0.25])
  })

  it('is exact by the dynamic programme at n = 64, k = 32 and the seeded Monte Carlo agrees within its standard error', () => {
    const rng = createRng(11)
    const answers = ['x', 'y', 'z', 'w', 'v']
    const weights = [0.3, 0.25, 0.2, 0.15, 0.1]
    const pool = Array.from({ length: 64 }, () => {
      let u = rng.next()
      let i = 0
      while (i < answers.length - 1 && u >= weights[i]!) u -= weights[i++]!
      return rng.next() < 0.1 ? { reward: 0 } : { answer: answers[i]!, reward: i === 1 ? 1 : 0 }
    })
    const ks = [2, 8, 32, 63]
    const exact = majorityAtK(pool, ks, { exactLimit: Infinity })
    expect(exact.exact).toEqual([true, true, true, true])
    const mc = majorityAtK(pool, ks, { exactLimit: 0, monteCarloSamples: 20000, seed: 3 })
    expect(mc.exact).toEqual([false, false, false, false])
    ks.forEach((_, j) => {
      // At k = 63 the winner can be the same in every subset: then the estimate is exact, SE 0.
      if (ks[j]! <= 32) expect(mc.stdErr[j]!).toBeGreaterThan(0)
      expect(Math.abs(mc.values[j]! - exact.values[j]!)).toBeLessThan(4 * mc.stdErr[j]! + 1e-9)
    })
    // Probabilities still sum correctly: with every reward 1 the exact value is 1 at every k.
    const ones = pool.map((s) => ({ ...s, reward: 1 }))
    expect(majorityAtK(ones, ks, { exactLimit: Infinity }).values.map((v) => Math.abs(v - 1) < 1e-10)).toEqual([true, true, true, true])
  })

  it('repeats its Monte Carlo estimate for a seed and changes it for another', () => {
    const pool = randomPool(5, 9).map((s, i) => ({ ...s, answer: `a${i % 3}` }))
    const k = Math.max(1, pool.length - 1)
    const a = majorityAtK(pool, [k], { exactLimit: 0, seed: 1 })
    const b = majorityAtK(pool, [k], { exactLimit: 0, seed: 1 })
    expect(a).toEqual(b)
    const big = Array.from({ length: 40 }, (_, i) => ({ answer: `a${i % 4}`, reward: i % 3 === 0 ? 1 : 0 }))
    const c = majorityAtK(big, [9], { exactLimit: 0, seed: 1 })
    const d = majorityAtK(big, [9], { exactLimit: 0, seed: 2 })
    expect(c.values[0]).not.toBe(d.values[0])
  })

  it('falls back to Monte Carlo when the programme would exceed exactLimit, and prices k = n at zero', () => {
    const pool = Array.from({ length: 1024 }, (_, i) => ({ answer: `a${i % 10}`, reward: i % 10 === 0 ? 1 : 0 }))
    const groups = groupAnswers(pool)
    expect(majorityExactCost(groups, 512)).toBeGreaterThan(2e7)
    expect(majorityExactCost(groups, 1024)).toBe(0)
    const result = majorityAtK(pool, [512, 1024], { monteCarloSamples: 200 })
    expect(result.exact).toEqual([false, true])
    // 1024 = 10·102 + 4: a0…a3 tie with 103 votes each and only a0 is rewarded.
    expect(result.values[1]).toBeCloseTo(0.25, 14)
    expect(majorityExact(groupAnswers(pool.slice(0, 20)), 20)).toBeCloseTo(0.1, 14)
  })

  it('rejects k outside 1..n', () => {
    expect(() => majorityAtK([{ answer: 'a', reward: 1 }], [2])).toThrow(expect.objectContaining({ code: 'BENCH_USAGE' }))
  })
})
