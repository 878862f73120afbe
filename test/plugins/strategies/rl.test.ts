import { describe, it } from 'vitest'
import { rl } from '../../../plugins/strategies/rl.js'
import { broken, expectMatch, expectMismatch, gradMean, monteCarloUpdate, standardSetup as setup } from './enumerable-policy.js'

describe('rl: w_i = (v_i − mean of the others)/K', () => {
  it('is unbiased for ∇E_π[R]', async () => {
    const mc = await monteCarloUpdate({ strategy: rl(), setup, nTrain: 1, groups: 20000, seed: 11 })
    expectMatch(mc, gradMean(setup, setup.R))
  })

  it("with reward: 'verifier' is unbiased for ∇E_π[r]", async () => {
    const mc = await monteCarloUpdate({ strategy: rl({ reward: 'verifier' }), setup, nTrain: 1, groups: 20000, seed: 12 })
    expectMatch(mc, gradMean(setup, setup.r))
  })

  it('broken variants (|w|, flipped sign) fail the same check', async () => {
    for (const transform of [broken.absolute, broken.flipSign]) {
      const mc = await monteCarloUpdate({ strategy: rl(), setup, nTrain: 1, groups: 20000, seed: 11, transform })
      expectMismatch(mc, gradMean(setup, setup.R))
    }
  })
})
