/**
 * The sample counts each rule's estimator needs at N′ (DESIGN §2.2), and the p̂ clip bounds:
 * - bond with mix < 1 needs M ≥ N′ reference samples, else its forward part (SFT on BoN picks of
 *   the reference) vanishes without a word;
 * - bon-rl and its variants need K ≥ 2N′: the baseline of a pick is the mean of the OTHER subsets'
 *   picks, and with one subset a baseline of 0 would change the expected update;
 * - bon-rlb and bon-rlb-p with p̂ need K ≥ N′ + 1: p̂ is the failure rate outside the pick's subset,
 *   a constant ½ when nothing is outside; with the exact p K ≥ N′ is enough;
 * - p̂ is clipped into [1/(K+1), K/(K+1)], not [1/K, (K−1)/K].
 * Each refusal is a BenchError naming the strategy and the option that fixes it.
 */
import { describe, expect, it } from 'vitest'
import { weightGroups } from '../../../cli/weighted-groups.js'
import { createRng } from '../../../core/rng.js'
import type { ScoredGroup, ScoredSample, StrategyPlugin } from '../../../core/plugin-api/strategy.js'
import { bond } from '../../../plugins/strategies/bond.js'
import { bonRl } from '../../../plugins/strategies/bon-rl.js'
import { bonRlS } from '../../../plugins/strategies/bon-rl-s.js'
import { bonRlV } from '../../../plugins/strategies/bon-rl-v.js'
import { bonRlb, gMinus } from '../../../plugins/strategies/bon-rlb.js'
import { bonRlbP } from '../../../plugins/strategies/bon-rlb-p.js'
import { leaveOutFailRate } from '../../../plugins/strategies/shared/fail-rate.js'

/** Samples with distinct scores r (so r-picks are unique) and rewards R. */
const samples = (prefix: string, R: readonly number[]): ScoredSample[] => R.map((reward, i) => ({ completion: `${prefix}${i}`, reward, score: i / 10 }))
const groupOf = (R: readonly number[], reference?: readonly number[]): ScoredGroup => ({
  problem: { id: 'q', prompt: 'p', data: { pFail: 0.5 } },
  policy: samples('y', R),
  ...(reference ? { reference: samples('ref', reference) } : {}),
})
const params = (nTrain: number) => ({ nTrain, lambda: 0, rng: createRng(7) })
const weightsOf = (strategy: StrategyPlugin, group: ScoredGroup, nTrain: number) => strategy.weights(group, params(nTrain))
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0)

describe('bond: the forward part needs M ≥ N′ reference samples', () => {
  it("refuses M < N′ with mix < 1, in needs() and weights(), naming bond and 'reference-samples'", () => {
    const message = /bonbench:bond: M = 3 reference samples per prompt, but at N′ = 4 the rule needs M ≥ N′ = 4 .*option 'reference-samples' to at least 4/
    expect(() => bond({ 'reference-samples': 3 }).needs({ nTrain: 4 })).toThrow(message)
    expect(() => bond({ 'reference-samples': 3, mix: 0 }).needs({ nTrain: 4 })).toThrow(message)
    // A trainer that gathers fewer reference samples than declared meets the same refusal.
    expect(() => weightsOf(bond(), groupOf([1, 0, 1, 0, 1, 0, 1, 0], [1, 0, 1]), 4)).toThrow(message)
  })

  it('with M = N′ the forward part is one pick weighing 1 − mix; with mix = 1 M < N′ is allowed', () => {
    const group = groupOf([1, 0, 1, 0], [0, 1])
    const out = weightsOf(bond({ 'reference-samples': 2, mix: 0.25 }), group, 2)
    const forward = out.sequences.slice(group.policy.length)
    expect(out.stats?.picks).toBe(1)
    expect(forward.map((s) => s.weight)).toEqual([0.75])
    // The backward part is leave-one-out: its weights sum to 0, so everything that remains is the forward part.
    expect(sum(out.sequences.map((s) => s.weight))).toBeCloseTo(0.75, 12)
    expect(bond({ 'reference-samples': 1, mix: 1 }).needs({ nTrain: 4 })).toEqual({ policySamples: 8, referenceSamples: 1, klBeta: 1 })
    expect(weightsOf(bond({ mix: 1 }), groupOf([1, 0, 1, 0], [1]), 2).stats?.picks).toBe(0)
  })

  it('declares a default M ≥ N′ at every N′', () => {
    for (const n of [1, 2, 3, 4, 8, 16, 32, 64]) expect(bond().needs({ nTrain: n }).referenceSamples).toBeGreaterThanOrEqual(n)
  })
})

describe('bon-rl family: the baseline needs K ≥ 2N′ (two BoN subsets)', () => {
  const variants = [
    ['bon-rl', bonRl],
    ['bon-rl-v', bonRlV],
    ['bon-rl-s', bonRlS],
  ] as const

  for (const [name, factory] of variants) {
    it(`${name} refuses N′ ≤ K < 2N′ naming the option k; K = 2N′ gives two picks with the other pick as baseline`, () => {
      for (const K of [2, 3]) {
        expect(() => weightsOf(factory({ k: K }), groupOf([1, 0, 1].slice(0, K)), 2)).toThrow(
          new RegExp(`bonbench:${name}: K = ${K} policy samples per prompt, but at N′ = 2 the rule needs K ≥ 4 .*option 'k' to at least 4`),
        )
      }
      // K = 4, N′ = 2: two picks; w = (v(pick) − v(other pick))/2, so the weights always sum to 0.
      const out = weightsOf(factory({ k: 4 }), groupOf([1, 0, 1, 0]), 2)
      expect(out.stats?.picks).toBe(2)
      expect(sum(out.sequences.map((s) => s.weight))).toBeCloseTo(0, 12)
    })
  }

  it('needs() still declares the K it is given (the check is in weights()); k < 2 is a bad option', () => {
    expect(bonRlS({ k: 5 }).needs({ nTrain: 4 })).toEqual({ policySamples: 5 })
    expect(() => bonRl({ k: 1 })).toThrow(/bonbench:bon-rl/)
  })

  it('bench weights (weightGroups) shows the refusal for a too-small k, and its own message for a too-small dump', () => {
    const problem = { id: 'a', prompt: 'P', samples: [1, 0, 1, 0].map((reward, i) => ({ text: `t${i}`, reward, score: i })) }
    const options = { nTrain: 4, lambda: 0, seed: 1, threshold: 1 }
    expect(() => weightGroups([problem], bonRl({ k: 4 }), options)).toThrow(/bonbench:bon-rl: K = 4 .* needs K ≥ 8 .*option 'k' to at least 8/)
    expect(() => weightGroups([problem], bonRl(), options)).toThrow(/has 4 samples, fewer than the 8 one group of bonbench:bon-rl needs at N′ = 4/)
  })
})

describe('bon-rlb and bon-rlb-p: p̂ needs a sample outside the subset', () => {
  for (const [name, factory] of [
    ['bon-rlb', bonRlb],
    ['bon-rlb-p', bonRlbP],
  ] as const) {
    it(`${name} with p-fail 'estimate' refuses K = N′ naming the option k; K = N′ + 1, or the exact p at K = N′, is fine`, () => {
      expect(() => weightsOf(factory({ k: 2 }), groupOf([1, 0]), 2)).toThrow(
        new RegExp(`bonbench:${name}: K = 2 policy samples per prompt, but at N′ = 2 the rule needs K ≥ 3 .*p̂.*option 'k' to at least 3`),
      )
      expect(weightsOf(factory({ k: 3 }), groupOf([1, 0, 0]), 2).stats?.picks).toBe(1)
      expect(weightsOf(factory({ k: 2, 'p-fail': 'exact' }), groupOf([1, 0]), 2).stats?.picks).toBe(1)
      expect(() => weightsOf(factory({ 'p-fail': 'exact' }), groupOf([1]), 2)).toThrow(
        new RegExp(`bonbench:${name}: K = 1 .* needs K ≥ 2 \\(one BoN subset\\)`),
      )
    })
  }
})

describe('leaveOutFailRate: p̂ outside the subset, clipped into [1/(K+1), K/(K+1)]', () => {
  /** The mutant a review found passing the Monte Carlo checks: the clip into [1/K, (K−1)/K]. */
  const mutant = (rewards: readonly number[], members: readonly number[]) => {
    const K = rewards.length
    const outside = rewards.filter((_, i) => !members.includes(i))
    const raw = outside.filter((r) => r < 1).length / outside.length
    return Math.min(Math.max(raw, 1 / K), (K - 1) / K)
  }
  const cases: Array<[rewards: number[], members: number[], want: number]> = [
    [[0, 0, 0, 0], [0, 1], 4 / 5], // both outside fail: raw 1 → K/(K+1)
    [[1, 1, 1, 1], [0, 1], 1 / 5], // both outside succeed: raw 0 → 1/(K+1)
    [[0, 0, 0, 0, 0, 0, 0, 0], [0, 1, 2, 3], 8 / 9],
    [[1, 0, 0, 1, 0, 1], [0, 1], 1 / 2], // outside [0, 1, 0, 1]: 2 of 4 fail, inside the bounds
    [[0, 1, 1, 0, 1, 0], [3, 4], 1 / 2], // the members' own rewards do not count
    [[1, 0, 0, 0, 1], [0], 3 / 4], // outside [0, 0, 0, 1]: 3 of 4; within [1/6, 5/6]
  ]

  it('matches the hand-computed values', () => {
    for (const [rewards, members, want] of cases) expect(leaveOutFailRate(rewards, members)).toBeCloseTo(want, 15)
  })

  it('the [1/K, (K−1)/K] mutant fails the same cases (at the bounds)', () => {
    const caught = cases.filter(([rewards, members, want]) => Math.abs(mutant(rewards, members) - want) > 1e-12)
    expect(caught.length).toBe(3)
  })

  it('bon-rlb weights an all-fail group by g⁻ at p̂ = K/(K+1) (no clip on the weight)', () => {
    // K = 4, N′ = 2: p̂ = 4/5, g⁻ = 2·(4/5)/(1/5) = 8; each of the B = 2 failed picks weighs −8/2 = −4.
    const out = weightsOf(bonRlb({ clip: 1e9 }), groupOf([0, 0, 0, 0]), 2)
    expect(gMinus(2, 4 / 5)).toBeCloseTo(8, 12)
    expect(out.sequences.map((s) => s.weight).filter((w) => w !== 0)).toEqual([-4, -4].map((w) => expect.closeTo(w, 12)))
  })
})
