import { describe, expect, it } from 'vitest'
import { resolveConfig } from '../../../core/config/resolve-config.js'
import { planCells } from '../../../core/run/planner.js'

function plan(matrix: Record<string, unknown>) {
  return planCells(resolveConfig({ cwd: '/', fileConfig: { matrix: { task: 'toy', model: 'tabular', ...matrix } } }))
}

describe('planCells', () => {
  it('crosses seeds × temperatures × (base + strategies × N′), N′ only for BoN-aware strategies', () => {
    const ids = plan({ strategies: ['sft', 'bon-rl'], nTrain: [2, 4], temperatures: [0.5, 1], seeds: [0, 1] }).map((c) => c.cellId)
    expect(ids).toEqual([
      'base-n1-t0.5-s0', 'sft-n1-t0.5-s0', 'bon-rl-n2-t0.5-s0', 'bon-rl-n4-t0.5-s0',
      'base-n1-t1-s0', 'sft-n1-t1-s0', 'bon-rl-n2-t1-s0', 'bon-rl-n4-t1-s0',
      'base-n1-t0.5-s1', 'sft-n1-t0.5-s1', 'bon-rl-n2-t0.5-s1', 'bon-rl-n4-t0.5-s1',
      'base-n1-t1-s1', 'sft-n1-t1-s1', 'bon-rl-n2-t1-s1', 'bon-rl-n4-t1-s1',
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
