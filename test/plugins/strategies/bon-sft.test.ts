import { describe, expect, it } from 'vitest'
import { lambdaFor } from '../../../core/train/lambda.js'
import { bonSft } from '../../../plugins/strategies/bon-sft.js'
import {
  add,
  bonDistribution,
  enumerateTuples,
  expectMatch,
  expectMismatch,
  grad,
  monteCarloUpdate,
  policyOf,
  standardSetup,
  zeros,
  type Setup,
} from './enumerable-policy.js'

// Expert 'd' ties with the wrong answer 'c' under r, so mid-rank wins of ½ matter.
const setup: Setup = { ...standardSetup, expert: 3 }
const c = (a: number, b: number) => (a > b ? 1 : a === b ? 0.5 : 0)

/**
 * The intended expectation, written out: ∇log π(y_e) + λ∇Q(y_e) − E_bon[∇log π(ỹ)]
 * − λ/(K−1)·E[Σ_{j≠ỹ} c(ỹ, y_j)∇log π(y_j)], where the last sum splits into the K − N′ samples
 * outside the pick's subset (independent of ỹ: E_bon[∇Q(ỹ)] each) and the N′ − 1 losers inside it
 * (enumerated over N′-tuples, ties split evenly).
 */
function expectedBonSft(n: number, K: number, lambda: number): number[] {
  const { pi } = policyOf(setup)
  const { r } = setup
  const A = pi.length
  const gradQ = (y: number) => pi.reduce((acc, p, k) => add(acc, grad(pi, k), p * c(r[y]!, r[k]!)), zeros(A))
  const bon = bonDistribution(pi, r, n)
  const e = setup.expert!
  const out = add(grad(pi, e), gradQ(e), lambda)
  for (let y = 0; y < A; y++) {
    add(out, grad(pi, y), -bon[y]!)
    add(out, gradQ(y), (-lambda * (K - n) * bon[y]!) / (K - 1))
  }
  enumerateTuples(pi, n, (tuple, prob) => {
    const best = Math.max(...tuple.map((y) => r[y]!))
    const tops = tuple.map((y, i) => (r[y] === best ? i : -1)).filter((i) => i >= 0)
    for (const t of tops) {
      for (let j = 0; j < n; j++) if (j !== t) add(out, grad(pi, tuple[j]!), (-lambda * prob * c(r[tuple[t]!]!, r[tuple[j]!]!)) / (tops.length * (K - 1)))
    }
  })
  return out
}

describe('bon-sft: expert through the tilted BoN policy', () => {
  for (const n of [2, 4]) {
    it(`matches its written-out expectation at N′ = ${n} (K = 2N′, λ by kl-match)`, async () => {
      const lambda = lambdaFor(n)
      const K = 2 * n
      const expected = expectedBonSft(n, K, lambda)
      const mc = await monteCarloUpdate({ strategy: bonSft(), setup, nTrain: n, lambda, groups: 20000, seed: 20 + n })
      expect(mc.groups).toBe(20000)
      expectMatch(mc, expected)
    })
  }

  it('broken variants fail: the tilt terms missing (λ = 0), the expert term missing', async () => {
    const lambda = lambdaFor(2)
    const expected = expectedBonSft(2, 4, lambda)
    expectMismatch(await monteCarloUpdate({ strategy: bonSft(), setup, nTrain: 2, lambda: 0, groups: 20000, seed: 22 }), expected)
    const dropExpert = await monteCarloUpdate({
      strategy: bonSft(),
      setup,
      nTrain: 2,
      lambda,
      groups: 20000,
      seed: 22,
      transform: (out) => out.sequences.slice(0, -1),
    })
    expectMismatch(dropExpert, expected)
  })

  it('at N′ = 1 (λ₁ = 0) equals sft in expectation', async () => {
    const { pi } = policyOf(setup)
    const mc = await monteCarloUpdate({ strategy: bonSft(), setup, nTrain: 1, lambda: lambdaFor(1), groups: 20000, seed: 23 })
    expectMatch(mc, grad(pi, setup.expert!))
  })

  it('declares K = max(2N′, 4) and the expert; refuses a group without the expert score', () => {
    expect(bonSft().needs({ nTrain: 8 })).toEqual({ policySamples: 16, expert: true })
    expect(bonSft({ k: 6 }).needs({ nTrain: 1 }).policySamples).toBe(6)
    const group = {
      problem: { id: 'q', prompt: 'p' },
      policy: [
        { completion: 'a', reward: 1, score: 1 },
        { completion: 'b', reward: 0, score: 0 },
      ],
      expert: 'z',
    }
    const rng = { next: () => 0.5, int: () => 0, fork: () => rng }
    expect(() => bonSft().weights(group, { nTrain: 1, lambda: 0, rng })).toThrow(/expertScored/)
  })
})
