import { describe, expect, it } from 'vitest'
import { countCorrect, passAtK, passAtKAll, passAtKCurve } from '../../../core/metrics/index.js'
import { brutePassAtK, randomPool } from './brute-force.js'

describe('passAtK', () => {
  it('matches enumeration of every k-subset on 300 random pools (ties, graded rewards, all/none correct)', () => {
    for (let seed = 0; seed < 300; seed++) {
      const pool = randomPool(seed)
      const n = pool.length
      const threshold = seed % 2 === 0 ? 1 : 0.5
      const c = countCorrect(
        pool.map((s) => s.reward),
        threshold,
      )
      const ks = Array.from({ length: n }, (_, i) => i + 1)
      const curve = passAtKCurve(n, c, ks)
      const all = passAtKAll(n, c)
      for (const k of ks) {
        const expected = brutePassAtK(pool, k, threshold)
        expect(passAtK(n, c, k)).toBeCloseTo(expected, 12)
        expect(curve[k - 1]).toBeCloseTo(expected, 12)
        expect(all[k]).toBeCloseTo(expected, 12)
      }
    }
  })

  it('gives the same bits through passAtKCurve as through passAtK, for every k of every pool up to n = 300 (bench run, score and verify print one number)', () => {
    const differ: string[] = []
    for (const n of [1, 2, 3, 7, 8, 16, 31, 64, 100, 128, 300]) {
      const ks = Array.from({ length: n }, (_, i) => i + 1)
      for (let c = 0; c <= n; c++) {
        const curve = passAtKCurve(n, c, ks)
        for (const k of ks) if (!Object.is(curve[k - 1], passAtK(n, c, k))) differ.push(`n=${n} c=${c} k=${k}`)
      }
    }
    expect(differ.slice(0, 5)).toEqual([])
    // Any order, repeats allowed, aligned with ks.
    expect(passAtKCurve(10, 3, [4, 1, 4])).toEqual([passAtK(10, 3, 4), passAtK(10, 3, 1), passAtK(10, 3, 4)])
  })

  it('covers the edges: none correct, all correct, k = n', () => {
    expect(passAtK(10, 0, 5)).toBe(0)
    expect(passAtK(10, 10, 1)).toBe(1)
    expect(passAtK(10, 1, 10)).toBe(1)
    expect(passAtK(10, 3, 1)).toBeCloseTo(0.3, 15)
    expect(passAtK(1, 0, 1)).toBe(0)
  })

  it('stays finite and agrees with the all-k recurrence at n = 1024 (where C(n, k) overflows)', () => {
    const n = 1024
    for (const c of [0, 1, 3, 100, 512, 1000, 1024]) {
      const all = passAtKAll(n, c)
      for (const k of [1, 2, 7, 64, 256, 512, 700, 1023, 1024]) {
        const v = passAtK(n, c, k)
        expect(Number.isFinite(v)).toBe(true)
        expect(v).toBeGreaterThanOrEqual(0)
        expect(v).toBeLessThanOrEqual(1)
        expect(Math.abs(v - all[k]!)).toBeLessThan(1e-12)
      }
      for (let k = 2; k <= n; k++) expect(all[k]!).toBeGreaterThanOrEqual(all[k - 1]! - 1e-15)
    }
    // 1 − (1 − 1/1024 · k)… with one correct sample pass@k = k/n exactly.
    expect(passAtK(1024, 1, 512)).toBeCloseTo(0.5, 14)
  })

  it('counts correct samples by the threshold (default 1)', () => {
    expect(countCorrect([1, 0.99, 0.5, 0, 1])).toBe(2)
    expect(countCorrect([1, 0.99, 0.5, 0, 1], 0.5)).toBe(4)
  })

  it('rejects k outside 1..n and c outside 0..n with BENCH_USAGE', () => {
    expect(() => passAtK(5, 2, 6)).toThrow(expect.objectContaining({ code: 'BENCH_USAGE' }))
    expect(() => passAtK(5, 2, 0)).toThrow(expect.objectContaining({ code: 'BENCH_USAGE' }))
    expect(() => passAtK(5, 6, 1)).toThrow(/correct samples/)
    expect(() => passAtKCurve(5, 1, [1, 9])).toThrow(/k must be an integer in 1..n = 5/)
  })
})
