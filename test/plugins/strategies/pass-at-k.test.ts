import { describe, expect, it } from 'vitest'
import { createRng } from '../../../core/rng.js'
import type { ScoredGroup } from '../../../core/plugin-api/strategy.js'
import { softmax } from '../../../plugins/models/tabular/index.js'
import { passAtK } from '../../../plugins/strategies/pass-at-k.js'
import { rl } from '../../../plugins/strategies/rl.js'
import { subsetCredit } from '../../../plugins/strategies/shared/subset-credit.js'
import {
  bonDistribution,
  broken,
  expectMatch,
  expectMismatch,
  finiteDifference,
  gradPassAtN,
  monteCarloUpdate,
  standardSetup as setup,
} from './enumerable-policy.js'

/** ∇J for J(θ) = E[R(BoN pick)] = Σ_y π_bon(y; θ)·R(y), by finite differences of the §2.1 formula. */
const gradBonReward = (n: number) =>
  finiteDifference((logits) => bonDistribution(softmax(logits), setup.r, n).reduce((acc, b, y) => acc + b * setup.R[y]!, 0), setup.logits)

describe('pass-at-k: exact N-subset group estimator', () => {
  for (const n of [2, 4]) {
    it(`is unbiased for ∇E[R(y*)] with the verifier's selection at N′ = ${n}; dropping negative weights fails`, async () => {
      const expected = gradBonReward(n)
      expectMatch(await monteCarloUpdate({ strategy: passAtK(), setup, nTrain: n, groups: 20000, seed: 120 + n }), expected)
      expectMismatch(await monteCarloUpdate({ strategy: passAtK(), setup, nTrain: n, groups: 20000, seed: 120 + n, transform: broken.dropNegative }), expected)
    })
  }

  it('with an oracle verifier it is unbiased for ∇pass@N (N′ = 4, K = 8)', async () => {
    const oracle = { ...setup, r: setup.R }
    expectMatch(await monteCarloUpdate({ strategy: passAtK(), setup: oracle, nTrain: 4, groups: 20000, seed: 130 }), gradPassAtN(oracle, 4))
  })

  it('at N′ = 1 its weights are exactly rl', () => {
    const rng = createRng(9)
    for (let trial = 0; trial < 50; trial++) {
      const policy = Array.from({ length: 5 }, () => {
        const y = rng.int(5)
        return { completion: setup.answers[y]!, reward: setup.R[y]!, score: setup.r[y]! }
      })
      const group: ScoredGroup = { problem: { id: 'q', prompt: 'p' }, policy }
      const got = passAtK()
        .weights(group, { nTrain: 1, lambda: 0, rng })
        .sequences.map((s) => s.weight)
      const want = rl()
        .weights(group, { nTrain: 1, lambda: 0, rng })
        .sequences.map((s) => s.weight)
      got.forEach((w, i) => expect(w).toBeCloseTo(want[i]!, 12))
    }
  })

  it('its closed-form subset averages equal brute force over every N-subset (ties, fractional rewards)', () => {
    const rng = createRng(4)
    const subsets = (k: number, n: number): number[][] => {
      if (n === 0) return [[]]
      if (k < n) return []
      return [...subsets(k - 1, n), ...subsets(k - 1, n - 1).map((s) => [...s, k - 1])]
    }
    const f = (S: number[], r: number[], R: number[]) => {
      const best = Math.max(...S.map((i) => r[i]!))
      const top = S.filter((i) => r[i] === best)
      return top.reduce((a, i) => a + R[i]!, 0) / top.length
    }
    for (let trial = 0; trial < 200; trial++) {
      const k = 2 + rng.int(7)
      const n = 1 + rng.int(k - 1)
      const r = Array.from({ length: k }, () => rng.int(3))
      const R = Array.from({ length: k }, () => (rng.next() < 0.5 ? rng.int(2) : rng.next()))
      const { withSample, withoutSample } = subsetCredit(r, R, n)
      for (let i = 0; i < k; i++) {
        const all = subsets(k, n)
        const inS = all.filter((S) => S.includes(i))
        const outS = all.filter((S) => !S.includes(i))
        expect(withSample[i]).toBeCloseTo(inS.reduce((a, S) => a + f(S, r, R), 0) / inS.length, 12)
        if (outS.length > 0) expect(withoutSample[i]).toBeCloseTo(outS.reduce((a, S) => a + f(S, r, R), 0) / outS.length, 12)
      }
    }
  })

  it('weighs every sample exactly 0 when every reward is equal (all correct: the closed form left ±1.1e-16, counted as weighted)', () => {
    for (const reward of [1, 0, 0.5]) {
      const group: ScoredGroup = {
        problem: { id: 'q', prompt: 'p' },
        // The review's all-correct group (a reward model's tied scores): the closed form gave 1.1e-16.
        policy: [4.875, 4.90625, 4.90625, 4.90625, 4.875, 4.9375, 4.9375, 4.90625].map((score, i) => ({ completion: `y${i}`, reward, score })),
      }
      const out = passAtK().weights(group, { nTrain: 4, lambda: 0, rng: createRng(1) })
      expect(out.sequences.map((s) => s.weight)).toEqual([0, 0, 0, 0, 0, 0, 0, 0])
      expect(out.stats?.weighted ?? 0).toBe(0)
    }
  })

  it('declares K = max(2N′, 4) and refuses K ≤ N′', () => {
    expect(passAtK().needs({ nTrain: 3 })).toEqual({ policySamples: 6 })
    const group: ScoredGroup = {
      problem: { id: 'q', prompt: 'p' },
      policy: [
        { completion: 'a', reward: 1, score: 1 },
        { completion: 'b', reward: 0, score: 0 },
      ],
    }
    expect(() => passAtK().weights(group, { nTrain: 2, lambda: 0, rng: createRng(1) })).toThrow(/at least 3/)
  })
})
