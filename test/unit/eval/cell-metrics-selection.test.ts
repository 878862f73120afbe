import { describe, expect, it } from 'vitest'
import { computeCellMetrics } from '../../../core/eval/cell-metrics.js'
import { resolveSelectionRules } from '../../../core/metrics/selection-rules.js'
import type { PromptPool } from '../../../core/plugin-api/results.js'
import { createRng } from '../../../core/rng.js'

function pools(withLogProb: boolean): PromptPool[] {
  const rng = createRng(3)
  return Array.from({ length: 5 }, (_, p) => ({
    promptId: `p${p}`,
    samples: Array.from({ length: 6 }, () => {
      const answer = `a${rng.int(3)}`
      return {
        text: answer,
        answer,
        reward: answer === 'a0' ? 1 : 0,
        score: rng.int(4) / 3,
        tokens: 1,
        ...(withLogProb ? { logProb: -rng.next() * 3 } : {}),
      }
    }),
  }))
}

const opts = { nGrid: [1, 2, 4], threshold: 1, bootstrap: 40, seed: 9 }

describe('computeCellMetrics with selection rules', () => {
  it('is exactly the default result when only Bo-N and maj@N are listed', () => {
    const plain = computeCellMetrics(pools(true), opts)
    const listed = computeCellMetrics(pools(true), { ...opts, selectionRules: resolveSelectionRules(['argmax', 'majority']) })
    expect(listed).toEqual(plain)
    expect('selection' in listed.metrics).toBe(false)
    expect(listed.prompts.some((p) => 'selection' in p)).toBe(false)
  })

  it('adds a curve per extra rule (mean of the per-prompt values, exact flags, CIs) and leaves every other number unchanged', () => {
    const plain = computeCellMetrics(pools(true), opts)
    const ruled = computeCellMetrics(pools(true), { ...opts, selectionRules: resolveSelectionRules(['weighted-majority', ['rbon-kl', { beta: 1 }]]) })
    const { selection, ...rest } = ruled.metrics
    expect(rest).toEqual(plain.metrics)
    expect(selection!.map((s) => s.rule)).toEqual(['weighted-majority', 'rbon-kl(beta=1)'])
    for (const curve of selection!) {
      if (curve.state !== 'computed') throw new Error(`${curve.rule} absent`)
      expect(curve.exact).toEqual([true, true, true]) // C(6, k) ≤ 50,000: enumerated
      expect(curve.stdErr).toEqual([0, 0, 0])
      curve.values.forEach((v, i) => {
        expect(v).toBeCloseTo(ruled.prompts.reduce((a, p) => a + p.selection![curve.rule]![i]!, 0) / ruled.prompts.length, 14)
        expect(curve.ci[i]![0]).toBeLessThanOrEqual(v + 1e-12)
        expect(curve.ci[i]![1]).toBeGreaterThanOrEqual(v - 1e-12)
      })
    }
  })

  it('records a rule as absent, with the reason, when the pools carry no log-probabilities; the other rules are still computed', () => {
    const ruled = computeCellMetrics(pools(false), {
      ...opts,
      selectionRules: resolveSelectionRules([
        ['rbon-kl', { beta: 1 }],
        ['srbon-kl', { beta: 1 }],
      ]),
    })
    expect(ruled.metrics.selection![0]).toMatchObject({ state: 'absent', rule: 'rbon-kl(beta=1)', reason: expect.stringMatching(/log-probability/) })
    expect(ruled.metrics.selection![1]).toMatchObject({ state: 'computed', rule: 'srbon-kl(beta=1)' })
    expect(Object.keys(ruled.prompts[0]!.selection!)).toEqual(['srbon-kl(beta=1)'])
  })
})
