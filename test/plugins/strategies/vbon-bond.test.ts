import { describe, expect, it } from 'vitest'
import { bond } from '../../../plugins/strategies/bond.js'
import { vbon } from '../../../plugins/strategies/vbon.js'
import {
  add,
  bonDistribution,
  broken,
  choose,
  expectMatch,
  expectMismatch,
  grad,
  monteCarloUpdate,
  monteCarloUpdates,
  policyOf,
  standardSetup,
  zeros,
  type Setup,
} from './enumerable-policy.js'

// The reference policy differs from the current one, so F_ref and BoN(π_ref) are not those of π.
const setup: Setup = { ...standardSetup, refLogits: [0.0, 0.5, 0.2, -0.3, 0.1] }
const { pi, piRef } = policyOf(setup)

/**
 * E[u(y)] over the M reference samples: u = (N−1)·log((c + 1)/(M + 1)), c ~ Binomial(M, F_ref(r_y)),
 * F_ref(s) = P_ref(r ≤ s); then the RL part's expectation Σ_y π(y)·E[u(y)]·∇log π(y).
 */
function expectedLogCdfRl(n: number, M: number): number[] {
  const { r } = setup
  return pi.reduce((acc, p, y) => {
    const F = piRef.reduce((a, q, k) => a + (r[k]! <= r[y]! ? q : 0), 0)
    let eu = 0
    for (let c = 0; c <= M; c++) eu += choose(M, c) * F ** c * (1 - F) ** (M - c) * (n - 1) * Math.log((c + 1) / (M + 1))
    return add(acc, grad(pi, y), p * eu)
  }, zeros(pi.length))
}

/** The forward part: E over BoN picks of the reference policy of ∇log π(ỹ). */
function expectedForward(n: number): number[] {
  return bonDistribution(piRef, setup.r, n).reduce((acc, b, y) => add(acc, grad(pi, y), b), zeros(pi.length))
}

describe('vbon: RL on (N′−1)·log F̂_ref(r)', () => {
  for (const n of [2, 4]) {
    it(`matches Σ π(y)·E_ref[u(y)]·∇log π(y) at N′ = ${n} (K = 2N′, M = max(2N′, 8)); a flipped sign fails`, async () => {
      const M = Math.max(2 * n, 8)
      const expected = expectedLogCdfRl(n, M)
      const [rule, flipped] = await monteCarloUpdates({ setup, nTrain: n, groups: 10000, seed: 140 + n }, [
        { strategy: vbon() },
        { strategy: vbon(), transform: broken.flipSign },
      ])
      expectMatch(rule!, expected)
      expectMismatch(flipped!, expected)
    })
  }

  it('declares K, M and β = 1; refuses a group without reference samples', () => {
    expect(vbon().needs({ nTrain: 4 })).toEqual({ policySamples: 8, referenceSamples: 8, klBeta: 1 })
    expect(vbon({ 'reference-samples': 32, 'kl-beta': 0.1 }).needs({ nTrain: 8 })).toEqual({ policySamples: 16, referenceSamples: 32, klBeta: 0.1 })
    const rng = { next: () => 0, int: () => 0, fork: () => rng }
    const group = {
      problem: { id: 'q', prompt: 'p' },
      policy: [
        { completion: 'a', reward: 1, score: 1 },
        { completion: 'b', reward: 0, score: 0 },
      ],
    }
    expect(() => vbon().weights(group, { nTrain: 2, lambda: 0, rng })).toThrow(/reference samples/)
  })
})

describe('bond: forward SFT on reference BoN picks + backward RL on (N′−1)·log F̂_ref(r)', () => {
  for (const n of [2, 4]) {
    it(`matches (1−mix)·E_BoN(π_ref)[∇log π] + mix·(RL part) at N′ = ${n}; without the forward part it fails`, async () => {
      const M = Math.max(2 * n, 8)
      const mix = 0.5
      const forward = expectedForward(n)
      const expected = add(
        forward.map((x) => (1 - mix) * x),
        expectedLogCdfRl(n, M),
        mix,
      )
      const K = 2 * n
      const [rule, backwardOnly] = await monteCarloUpdates({ setup, nTrain: n, groups: 10000, seed: 150 + n }, [
        { strategy: bond() },
        { strategy: bond(), transform: (out) => out.sequences.slice(0, K) },
      ])
      expectMatch(rule!, expected)
      expectMismatch(backwardOnly!, expected)
    })
  }

  it('mix = 0 is pure SFT on reference BoN picks; declares klBeta = mix by default', async () => {
    expectMatch(await monteCarloUpdate({ strategy: bond({ mix: 0 }), setup, nTrain: 4, groups: 10000, seed: 160 }), expectedForward(4))
    expect(bond().needs({ nTrain: 2 })).toEqual({ policySamples: 4, referenceSamples: 8, klBeta: 0.5 })
    expect(bond({ mix: 0.2, 'kl-beta': 0.05 }).needs({ nTrain: 2 }).klBeta).toBe(0.05)
  })
})
