import { describe, expect, it } from 'vitest'
import { evaluateFindings, plannedChecks } from '../../reports/findings.js'
import { count, factText, pct } from '../../reports/findings/format.js'
import { evaluateFindingsV2 } from '../../reports/findings-v2/evaluate.js'
import { indexArmsV2 } from '../../reports/findings-v2/trajectories.js'
import type { Results } from '../../reports/results-schema.js'
import { plantedFrontierResults } from '../helpers/planted-frontier.js'
import { plantedResults } from '../helpers/planted-results.js'

// What the findings refuse to pair: several groups of one arm in v1 (a learning-rate sweep), and
// results of more than one (task, model) in either study. And how they print a zero.

/** The results with the base and `strategy` copied as a second model's (as a merged file of two runs would hold them). */
function withSecondModel(results: Results, strategy: string): Results {
  const copied = results.groups.filter((g) => g.key.strategy === 'base' || g.key.strategy === strategy)
  const rename = (id: string) => `m2-${id}`
  const groups = copied.map((g) => ({ ...g, groupId: rename(g.groupId), key: { ...g.key, model: 'other-model' }, cellIds: g.cellIds.map(rename) }))
  const ids = new Set(copied.flatMap((g) => g.cellIds))
  const cells = results.cells
    .filter((c) => ids.has(c.cellId))
    .map((c) => ({ ...c, cellId: rename(c.cellId), groupId: rename(c.groupId), key: { ...c.key, model: 'other-model' } }))
  return { ...results, groups: [...results.groups, ...groups], cells: [...results.cells, ...cells] }
}

const sweep = () =>
  plantedFrontierResults({
    arms: [
      { strategy: 'sft', speed: 0.1 },
      { strategy: 'bon-rl-v', nTrain: 4, speed: 0.15 },
    ],
    lrs: [1e-4, 3e-4],
  })

describe('one group per arm in the v1 findings', () => {
  it('refuses a learning-rate sweep, naming the arms and the way out, and never picks one of its groups', () => {
    const results = sweep()
    for (const run of [() => evaluateFindings(results), () => plannedChecks(results)]) {
      expect(run).toThrow(expect.objectContaining({ code: 'BENCH_USAGE' }))
      expect(run).toThrow(/bon-rl-v \(N′=4\) at T=1 \(groups [^)]*lr0\.0001[^)]*lr0\.0003[^)]*\)/)
      expect(run).toThrow(/sft \(N′=1\) at T=1/)
      expect(run).toThrow(/--study v2/)
      expect(run).toThrow(/one learning rate/)
    }
  })

  it('keeps reading the same sweep as study v2, whose learning rates are variants of one arm', () => {
    const report = evaluateFindingsV2(sweep())
    const bon = report.arms.find((a) => a.name === 'bon-rl-v')!
    expect(bon.variants.map((v) => v.lr)).toEqual([1e-4, 3e-4])
  })

  it('reads a run of one learning rate as before', () => {
    const results = plantedResults({ arms: [{ strategy: 'sft' }, { strategy: 'bon-rl-v', nTrain: 4 }] })
    expect(evaluateFindings(results).findings.find((f) => f.id === 'P2')!.evidence.length).toBeGreaterThan(0)
  })
})

describe('one task and one model', () => {
  it('refuses v1 results holding two models, naming both, instead of testing one model’s arm against the other’s base', () => {
    const results = withSecondModel(plantedResults({ arms: [{ strategy: 'sft' }, { strategy: 'bon-rl-v', nTrain: 4 }] }), 'bon-rl-v')
    const run = () => evaluateFindings(results)
    expect(run).toThrow(expect.objectContaining({ code: 'BENCH_USAGE' }))
    expect(run).toThrow(/2 \(task \/ model\) pairs: math \/ other-model, math \/ tiny-transformer/)
  })

  it('refuses v2 results holding two models (their paths would start at the other model’s base)', () => {
    const results = withSecondModel(plantedFrontierResults({ arms: [{ strategy: 'bon-rl-v', nTrain: 4, speed: 0.15 }], lrs: [1e-4] }), 'bon-rl-v')
    expect(() => evaluateFindingsV2(results)).toThrow(expect.objectContaining({ code: 'BENCH_USAGE' }))
    expect(() => indexArmsV2(results)).toThrow(/math \/ other-model, math \/ tiny-transformer/)
  })
})

describe('printing zero', () => {
  it('prints a count or a rate that rounds to zero as zero, never -0.00 or +0.00', () => {
    expect(count(-0.004, true)).toBe('0.00')
    expect(count(0.004, true)).toBe('0.00')
    expect(count(-0.004)).toBe('0.00')
    expect(count(0.006, true)).toBe('+0.01')
    expect(count(-0.006, true)).toBe('-0.01')
    expect(pct(-1e-9)).toBe('0.0%')
    expect(factText({ label: 'x', value: -0.001, ci: [-0.004, 0.2], unit: 'count' })).toBe('0.00 [0.00, 0.20]')
    expect(factText({ label: 'x', value: -0.0001, unit: 'plain' })).toBe('0.000')
  })
})
