import { describe, expect, it } from 'vitest'
import { learningRateFor, resolveConfig } from '../../../core/config/resolve-config.js'

describe('learningRateFor', () => {
  it('takes a strategy’s own rate by its matrix name or short name, else train.learningRate, else undefined', () => {
    const config = resolveConfig({
      cwd: '/',
      fileConfig: {
        matrix: { task: 'toy', strategies: ['sft', 'bonbench:bon-rlb', 'rl'] },
        train: { learningRate: 1e-4, learningRates: { 'bon-rlb': 3e-5, 'bonbench:sft': 2e-4 } },
      },
    })
    expect(learningRateFor(config.train, 'bonbench:bon-rlb')).toBe(3e-5)
    expect(learningRateFor(config.train, 'sft')).toBe(2e-4)
    expect(learningRateFor(config.train, 'rl')).toBe(1e-4)
    expect(learningRateFor(resolveConfig({ cwd: '/', fileConfig: { matrix: { task: 'toy', strategies: ['rl'] } } }).train, 'rl')).toBeUndefined()
  })
})
