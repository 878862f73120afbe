import { describe, expect, it } from 'vitest'
import { sft } from '../../../plugins/strategies/sft.js'
import { broken, expectMatch, expectMismatch, grad, monteCarloUpdate, policyOf, standardSetup } from './enumerable-policy.js'

const setup = { ...standardSetup, expert: 3 }

describe('sft: w = 1 on the expert', () => {
  it('its update is ∇log π(y_expert), and a flipped sign fails', async () => {
    const { pi } = policyOf(setup)
    const expected = grad(pi, 3)
    expectMatch(await monteCarloUpdate({ strategy: sft(), setup, nTrain: 1, k: 0, groups: 200, seed: 1 }), expected)
    expectMismatch(await monteCarloUpdate({ strategy: sft(), setup, nTrain: 1, k: 0, groups: 200, seed: 1, transform: broken.flipSign }), expected)
  })

  it('needs the expert and no policy samples; rejects options', () => {
    expect(sft().needs({ nTrain: 4 })).toEqual({ policySamples: 0, expert: true })
    expect(() => sft({ k: 3 })).toThrow(/bonbench:sft/)
  })
})
