import { describe, it } from 'vitest'
import { softmax } from '../../../plugins/models/tabular/index.js'
import { bonRlbP } from '../../../plugins/strategies/bon-rlb-p.js'
import { passAtK } from '../../../plugins/strategies/pass-at-k.js'
import { rl } from '../../../plugins/strategies/rl.js'
import { expectMatch, failRate, finiteDifference, monteCarloUpdate, standardSetup, type Setup } from './enumerable-policy.js'

// DESIGN §2.2 at a sampling temperature T ≠ 1: π is the policy that was sampled, π_T = softmax(θ/T),
// and the models step along ∇θ log π_T (the harness's `temperature`). Each rule's expectation is then
// its claim about π_T: rl climbs E_{π_T}[R], bon-rlb-p with the exact p of π_T climbs pass@N(π_T).
// With the T = 1 step the models used to take, bon-rlb-p at T = 2 had cosine 0.32 with ∇pass@2.
const oracle: Setup = { answers: ['a', 'b', 'c', 'd', 'e'], logits: [-0.2, 0.6, 0.3, 0.0, 0.4], R: [1, 0, 0, 1, 0], r: [1, 0, 0, 1, 0] }
const piAt = (logits: readonly number[], T: number) => softmax([...logits], T)

describe('weight rules at a sampling temperature T ≠ 1', () => {
  for (const T of [0.5, 2]) {
    it(`rl is unbiased for ∇E_{π_T}[R] at T = ${T}`, async () => {
      const target = finiteDifference((l) => piAt(l, T).reduce((acc, p, k) => acc + p * oracle.R[k]!, 0), oracle.logits)
      expectMatch(await monteCarloUpdate({ strategy: rl(), setup: oracle, nTrain: 1, groups: 20000, seed: 31, temperature: T }), target)
    })

    it(`bon-rlb-p with the exact p of π_T is unbiased for ∇pass@2(π_T) at T = ${T}`, async () => {
      const pFail = (l: readonly number[]) => failRate(piAt(l, T), oracle.R)
      const target = finiteDifference((l) => 1 - pFail(l) ** 2, oracle.logits)
      const mc = await monteCarloUpdate({
        strategy: bonRlbP({ 'p-fail': 'exact' }),
        setup: oracle,
        nTrain: 2,
        data: { pFail: pFail(oracle.logits) },
        groups: 20000,
        seed: 32,
        temperature: T,
      })
      expectMatch(mc, target)
    })
  }

  it('pass-at-k is unbiased for ∇ Bo-2 accuracy under π_T at T = 2 (an imperfect verifier with a tie)', async () => {
    const setup = standardSetup
    // Bo-N accuracy = Σ_y π_bon(y) R(y), π_bon from π_T with ties broken at random.
    const boN = (l: readonly number[]) => {
      const pi = piAt(l, 2)
      return pi.reduce((acc, p, y) => {
        let F = 0
        let Fm = 0
        for (let k = 0; k < pi.length; k++) {
          if (setup.r[k]! <= setup.r[y]!) F += pi[k]!
          if (setup.r[k]! < setup.r[y]!) Fm += pi[k]!
        }
        return acc + ((p * (F ** 2 - Fm ** 2)) / (F - Fm)) * setup.R[y]!
      }, 0)
    }
    expectMatch(await monteCarloUpdate({ strategy: passAtK(), setup, nTrain: 2, groups: 20000, seed: 33, temperature: 2 }), finiteDifference(boN, setup.logits))
  })
})
