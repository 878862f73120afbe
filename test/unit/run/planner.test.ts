import { describe, expect, it } from 'vitest'
import { resolveConfig, type ResolvedConfig } from '../../../core/config/resolve-config.js'
import type { StrategyPlugin } from '../../../core/plugin-api/strategy.js'
import { planCells, strategyOfArm } from '../../../core/run/planner.js'
import { builtins } from '../../helpers/builtin-factories.js'

/** The built-in strategies of a matrix by matrix name, as a run resolves them (their own usesNTrain decides N′). */
function builtinStrategies(config: ResolvedConfig): Map<string, StrategyPlugin> {
  return new Map(config.strategies.map((name) => [name, builtins[strategyOfArm(name, config.arms)]!() as StrategyPlugin]))
}

function plan(matrix: Record<string, unknown>) {
  const config = resolveConfig({ cwd: '/', fileConfig: { matrix: { task: 'toy', model: 'tabular', ...matrix } } })
  return planCells(config, builtinStrategies(config))
}

describe('planCells', () => {
  it('crosses seeds × temperatures × (base + strategies × N′), N′ only for BoN-aware strategies', () => {
    const ids = plan({ strategies: ['sft', 'bon-rl'], nTrain: [2, 4], temperatures: [0.5, 1], seeds: [0, 1] }).map((c) => c.cellId)
    expect(ids).toEqual([
      'base-n1-t0.5-s0',
      'sft-n1-t0.5-s0',
      'bon-rl-n2-t0.5-s0',
      'bon-rl-n4-t0.5-s0',
      'base-n1-t1-s0',
      'sft-n1-t1-s0',
      'bon-rl-n2-t1-s0',
      'bon-rl-n4-t1-s0',
      'base-n1-t0.5-s1',
      'sft-n1-t0.5-s1',
      'bon-rl-n2-t0.5-s1',
      'bon-rl-n4-t0.5-s1',
      'base-n1-t1-s1',
      'sft-n1-t1-s1',
      'bon-rl-n2-t1-s1',
      'bon-rl-n4-t1-s1',
    ])
  })

  it('adds the base model alone at each base-only temperature, once per seed', () => {
    const cells = plan({ strategies: ['rl'], temperatures: [1], baseTemperatures: [1.5, 0.5, 1, 0.5], seeds: [3] })
    expect(cells.map((c) => c.cellId)).toEqual(['base-n1-t1-s3', 'rl-n1-t1-s3', 'base-n1-t0.5-s3', 'base-n1-t1.5-s3'])
    expect(cells.filter((c) => c.key.temperature !== 1).every((c) => c.key.strategy === 'base')).toBe(true)
  })

  it('resolves base-only temperatures deduplicated, ascending and outside the training temperatures', () => {
    const config = resolveConfig({ cwd: '/', fileConfig: { matrix: { task: 'toy', temperatures: [0.7, 1], baseTemperatures: [1.3, 0.7, 0.4, 1.3] } } })
    expect(config.baseTemperatures).toEqual([0.4, 1.3])
    expect(resolveConfig({ cwd: '/', fileConfig: { matrix: { task: 'toy' } } }).baseTemperatures).toEqual([])
  })
})

describe('planCells with arms, a learning-rate axis and an order (study v2)', () => {
  const arms = { 'rl-on-r': { strategy: 'rl', options: { reward: 'verifier' } }, 'bon-rl-s-k16': { strategy: 'bon-rl-s', options: { k: 16 } } }

  it('keeps the ids of a run without arms, rates or order exactly as before', () => {
    const before = plan({ strategies: ['sft', 'bon-rl'], nTrain: [2, 4], temperatures: [1], seeds: [0] })
    expect(before.map((c) => c.cellId)).toEqual(['base-n1-t1-s0', 'sft-n1-t1-s0', 'bon-rl-n2-t1-s0', 'bon-rl-n4-t1-s0'])
    expect(before.every((c) => !('learningRate' in c.key))).toBe(true)
    // Unused arms change nothing either.
    const withArms = plan({ strategies: ['sft', 'bon-rl'], nTrain: [2, 4], temperatures: [1], seeds: [0], arms })
    expect(withArms).toEqual(before)
  })

  it('plans a named arm under its name, with the N′ axis of its strategy', () => {
    const ids = plan({ strategies: ['rl', 'rl-on-r', 'bon-rl-s-k16'], nTrain: [4, 8], seeds: [0], arms }).map((c) => c.cellId)
    expect(ids).toEqual(['base-n1-t1-s0', 'rl-n1-t1-s0', 'rl-on-r-n1-t1-s0', 'bon-rl-s-k16-n4-t1-s0', 'bon-rl-s-k16-n8-t1-s0'])
  })

  it('crosses trained cells with the learning-rate axis, in the key and the id; the base has one cell', () => {
    const cells = plan({ strategies: ['sft', 'bon-rl-s'], nTrain: [4], seeds: [0], learningRates: [3e-5, 1e-4] })
    expect(cells.map((c) => c.cellId)).toEqual([
      'base-n1-t1-s0',
      'sft-n1-lr0.00003-t1-s0',
      'sft-n1-lr0.0001-t1-s0',
      'bon-rl-s-n4-lr0.00003-t1-s0',
      'bon-rl-s-n4-lr0.0001-t1-s0',
    ])
    expect(cells[0]!.key).not.toHaveProperty('learningRate')
    expect(cells[2]!.key.learningRate).toBe(1e-4)
  })

  it("orders 'strategy-first' by N′ pass, then strategy as listed, rate, temperature, seed; same cells as the default", () => {
    const matrix = { strategies: ['sft', 'bon-rl-s', 'rl-on-r'], nTrain: [4, 8], seeds: [0, 1], learningRates: [1e-4, 3e-4], arms }
    const first = plan({ ...matrix, order: 'strategy-first' }).map((c) => c.cellId)
    expect(first).toEqual([
      'base-n1-t1-s0',
      'base-n1-t1-s1',
      'sft-n1-lr0.0001-t1-s0',
      'sft-n1-lr0.0001-t1-s1',
      'sft-n1-lr0.0003-t1-s0',
      'sft-n1-lr0.0003-t1-s1',
      'bon-rl-s-n4-lr0.0001-t1-s0',
      'bon-rl-s-n4-lr0.0001-t1-s1',
      'bon-rl-s-n4-lr0.0003-t1-s0',
      'bon-rl-s-n4-lr0.0003-t1-s1',
      'rl-on-r-n1-lr0.0001-t1-s0',
      'rl-on-r-n1-lr0.0001-t1-s1',
      'rl-on-r-n1-lr0.0003-t1-s0',
      'rl-on-r-n1-lr0.0003-t1-s1',
      'bon-rl-s-n8-lr0.0001-t1-s0',
      'bon-rl-s-n8-lr0.0001-t1-s1',
      'bon-rl-s-n8-lr0.0003-t1-s0',
      'bon-rl-s-n8-lr0.0003-t1-s1',
    ])
    expect([...first].sort()).toEqual(
      plan(matrix)
        .map((c) => c.cellId)
        .sort(),
    )
  })

  it('accepts train.learningRates keyed by an arm', () => {
    const config = resolveConfig({
      cwd: '/',
      fileConfig: { matrix: { task: 'toy', strategies: ['rl-on-r'], arms }, train: { learningRates: { 'rl-on-r': 5e-5 } } },
    })
    expect(config.arms?.['rl-on-r']?.strategy).toBe('rl')
  })
})

describe('arms that narrow their own N′ values and rates', () => {
  it('plans each arm over its own nTrain and learningRates; a self-named arm is allowed', () => {
    const arms = {
      'bon-rl-s': { strategy: 'bon-rl-s', nTrain: [4, 8] },
      'bon-sft': { strategy: 'bon-sft', nTrain: [4], learningRates: [1e-4] },
    }
    const ids = plan({
      strategies: ['sft', 'bon-rl-s', 'bon-sft'],
      nTrain: [4, 8],
      learningRates: [1e-4, 3e-4],
      seeds: [0],
      arms,
      order: 'strategy-first',
    }).map((c) => c.cellId)
    expect(ids).toEqual([
      'base-n1-t1-s0',
      'sft-n1-lr0.0001-t1-s0',
      'sft-n1-lr0.0003-t1-s0',
      'bon-rl-s-n4-lr0.0001-t1-s0',
      'bon-rl-s-n4-lr0.0003-t1-s0',
      'bon-sft-n4-lr0.0001-t1-s0',
      'bon-rl-s-n8-lr0.0001-t1-s0',
      'bon-rl-s-n8-lr0.0003-t1-s0',
    ])
    expect(() => plan({ strategies: ['bon-sft'], arms })).toThrow(/needs a learning-rate axis/)
    const byN = { 'bon-rl-s': { strategy: 'bon-rl-s', learningRates: { '8': [1e-4] } } }
    expect(plan({ strategies: ['bon-rl-s'], nTrain: [4, 8], learningRates: [1e-4, 3e-4], seeds: [0], arms: byN }).map((c) => c.cellId)).toEqual([
      'base-n1-t1-s0',
      'bon-rl-s-n4-lr0.0001-t1-s0',
      'bon-rl-s-n4-lr0.0003-t1-s0',
      'bon-rl-s-n8-lr0.0001-t1-s0',
    ])
  })
})
