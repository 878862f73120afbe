import { describe, expect, it } from 'vitest'
import { holm } from '../../../core/metrics/index.js'

describe('holm', () => {
  it('matches a hand-worked example', () => {
    // Sorted: 0.005 (×4 = 0.02), 0.01 (×3 = 0.03), 0.03 (×2 = 0.06), 0.04 (×1 = 0.04 → max with 0.06 = 0.06).
    const r = holm([0.01, 0.04, 0.03, 0.005])
    expect(r.adjusted.map((p) => Number(p.toFixed(10)))).toEqual([0.03, 0.06, 0.06, 0.02])
    expect(r.reject).toEqual([true, false, false, true])
    // Step-down stops at the first acceptance even though 0.04 alone would pass its own bound.
    expect(holm([0.01, 0.04, 0.03, 0.005], 0.06).reject).toEqual([true, true, true, true])
  })

  it('caps at 1, keeps order, and handles none and one', () => {
    expect(holm([0.5, 0.9]).adjusted).toEqual([1, 1])
    expect(holm([])).toEqual({ adjusted: [], reject: [], alpha: 0.05 })
    expect(holm([0.04]).reject).toEqual([true])
  })

  it('rejects p-values outside [0, 1]', () => {
    expect(() => holm([1.2])).toThrow(expect.objectContaining({ code: 'BENCH_USAGE' }))
  })
})
