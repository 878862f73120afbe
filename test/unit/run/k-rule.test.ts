import { describe, expect, it } from 'vitest'
import { resolveConfig } from '../../../core/config/resolve-config.js'
import { cellLearningRate } from '../../../core/config/resolve-config.js'
import { kRuleApplies, resolveRunPlugins } from '../../../core/run/run-plugins.js'
import { PluginRegistry } from '../../../core/registry/registry.js'
import { builtins } from '../../../cli/builtins.js'

async function setup(matrix: Record<string, unknown>, train: Record<string, unknown> = {}) {
  const config = resolveConfig({ cwd: '/', fileConfig: { matrix: { task: 'toy', model: 'tabular', ...matrix }, train } })
  return { config, plugins: await resolveRunPlugins(config, new PluginRegistry({ builtins })) }
}

describe('train.kPerN: K = kPerN × N′ for BoN-aware strategies', () => {
  it('sets K per N′ for BoN-aware strategies and arms, not for N′ = 1 strategies or arms that give k', async () => {
    const arms = { 'bon-rl-s-k5': { strategy: 'bon-rl-s', options: { k: 5 } }, 'bon-rl-v-fast': { strategy: 'bon-rl-v', learningRate: 1e-3 } }
    const { config, plugins } = await setup(
      { strategies: ['rl', 'bon-rlb-p', 'bon-rl-s-k5', 'bon-rl-v-fast', 'pass-at-k'], nTrain: [2, 4], arms },
      { kPerN: 4 },
    )
    expect(plugins.strategyFor('bon-rlb-p', 2).needs({ nTrain: 2 }).policySamples).toBe(8)
    expect(plugins.strategyFor('bon-rlb-p', 4).needs({ nTrain: 4 }).policySamples).toBe(16)
    expect(plugins.strategyFor('bon-rl-v-fast', 4).needs({ nTrain: 4 }).policySamples).toBe(16)
    expect(plugins.strategyFor('pass-at-k', 4).needs({ nTrain: 4 }).policySamples).toBe(16)
    expect(plugins.strategyFor('bon-rl-s-k5', 4).needs({ nTrain: 4 }).policySamples).toBe(5)
    expect(plugins.strategyFor('rl', 1).needs({ nTrain: 1 }).policySamples).toBe(4)
    expect(kRuleApplies(config, 'rl', plugins.strategies.get('rl')!)).toBe(false)
    expect(kRuleApplies(config, 'bon-rl-s-k5', plugins.strategies.get('bon-rl-s-k5')!)).toBe(false)
    expect(kRuleApplies(config, 'bon-rlb-p', plugins.strategies.get('bon-rlb-p')!)).toBe(true)
    // The same instance for the same (name, N′).
    expect(plugins.strategyFor('bon-rlb-p', 4)).toBe(plugins.strategyFor('bon-rlb-p', 4))
  })

  it('leaves every strategy its own default K without kPerN', async () => {
    const { plugins } = await setup({ strategies: ['bon-rlb-p'], nTrain: [4] })
    expect(plugins.strategyFor('bon-rlb-p', 4).needs({ nTrain: 4 }).policySamples).toBe(8)
    expect(plugins.strategyFor('bon-rlb-p', 4)).toBe(plugins.strategies.get('bon-rlb-p'))
  })

  it("builds an arm from its strategy's factory with its options (bad options fail before any work)", async () => {
    const { plugins } = await setup({ strategies: ['rl-on-r'], arms: { 'rl-on-r': { strategy: 'rl', options: { reward: 'verifier' } } } })
    expect(plugins.strategies.get('rl-on-r')!.name).toBe('bonbench:rl')
    expect(plugins.strategies.get('rl-on-r')!.options).toMatchObject({ reward: 'verifier' })
    await expect(setup({ strategies: ['x'], arms: { x: { strategy: 'rl', options: { reward: 'nope' } } } })).rejects.toThrow(/matrix\.arms\.x/)
  })

  it('gives each cell its learning rate: the axis, then train.learningRates, then the arm, then train.learningRate', async () => {
    const { config } = await setup(
      { strategies: ['a', 'b', 'rl'], arms: { a: { strategy: 'rl', learningRate: 2e-4 }, b: { strategy: 'rl', learningRate: 2e-4 } } },
      { learningRate: 1e-4, learningRates: { b: 5e-5 } },
    )
    expect(cellLearningRate(config, { strategy: 'a' })).toBe(2e-4)
    expect(cellLearningRate(config, { strategy: 'b' })).toBe(5e-5)
    expect(cellLearningRate(config, { strategy: 'rl' })).toBe(1e-4)
    expect(cellLearningRate(config, { strategy: 'a', learningRate: 3e-5 })).toBe(3e-5)
  })
})
