import { describe, expect, it } from 'vitest'
import { learningRateFor, learningRateOverrides, resolveConfig } from '../../../core/config/resolve-config.js'

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

describe('learningRateOverrides: the settings over train.learningRate that `--lr` would not win against', () => {
  const resolved = (fileConfig: Parameters<typeof resolveConfig>[0]['fileConfig']) => resolveConfig({ cwd: '/', fileConfig })

  it('names a strategy’s train.learningRates entry and an arm’s own rate that differ from the flag’s, with their values', () => {
    const config = resolved({
      matrix: {
        task: 'toy',
        strategies: ['bonbench:rl', 'sft', 'rl-low', 'bon-rl'],
        arms: { 'rl-low': { strategy: 'rl', learningRate: 1e-5 } },
      },
      train: { learningRate: 1e-3, learningRates: { rl: 4, sft: 1e-4 } },
    })
    expect(learningRateOverrides(config, 1e-4)).toEqual([
      'train.learningRates.rl (4) sets the rate of bonbench:rl',
      'matrix.arms.rl-low.learningRate (0.00001) sets the rate of rl-low',
    ])
    // Each of them is what learningRateFor gives: the flag (train.learningRate) is not their rate.
    expect(learningRateFor(config.train, 'bonbench:rl', config.arms)).toBe(4)
    expect(learningRateFor(config.train, 'rl-low', config.arms)).toBe(1e-5)
  })

  it('names a learning-rate axis; none when nothing sets a strategy’s own rate', () => {
    expect(learningRateOverrides(resolved({ matrix: { task: 'toy', strategies: ['rl'], learningRates: [1e-4, 3e-4] } }), 1e-4)).toEqual([
      "matrix.learningRates (0.0001, 0.0003), a learning-rate axis, sets every trained cell's rate",
    ])
    expect(learningRateOverrides(resolved({ matrix: { task: 'toy', strategies: ['rl'] }, train: { learningRate: 1 } }), 1e-4)).toEqual([])
  })
})
