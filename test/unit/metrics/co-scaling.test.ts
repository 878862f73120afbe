import { describe, expect, it } from 'vitest'
import { bestTemperaturePerN, coScalingPredict, fitCoScaling } from '../../../core/metrics/index.js'
import { createRng } from '../../../core/rng.js'

const law = (a: number, b: number) => (n: number) => Math.exp(a * n ** b)

describe('fitCoScaling', () => {
  it('recovers known a and b from exact points', () => {
    const f = law(-1.3, -0.45)
    const fit = fitCoScaling([1, 2, 4, 8, 16, 32, 64].map((n) => ({ n, passAtN: f(n) })))
    expect(fit.state).toBe('fitted')
    if (fit.state !== 'fitted') return
    expect(fit.a).toBeCloseTo(-1.3, 10)
    expect(fit.b).toBeCloseTo(-0.45, 10)
    expect(fit.r2).toBeCloseTo(1, 10)
    expect(fit.rmse).toBeLessThan(1e-12)
    expect(coScalingPredict(fit, 128)).toBeCloseTo(f(128), 10)
  })

  it('recovers them approximately from noisy points', () => {
    const f = law(-0.8, -0.3)
    const rng = createRng(3)
    const fit = fitCoScaling([1, 2, 4, 8, 16, 32].map((n) => ({ n, passAtN: f(n) * (1 + (rng.next() - 0.5) * 0.01) })))
    if (fit.state !== 'fitted') throw new Error('expected a fit')
    expect(fit.a).toBeCloseTo(-0.8, 1)
    expect(fit.b).toBeCloseTo(-0.3, 1)
    expect(fit.r2).toBeGreaterThan(0.95)
  })

  it('skips points at 0 or 1 and reports a degenerate fit with fewer than two left', () => {
    const fit = fitCoScaling([
      { n: 1, passAtN: 0.5 },
      { n: 2, passAtN: 1 },
      { n: 4, passAtN: 0 },
    ])
    expect(fit).toMatchObject({ state: 'degenerate', used: 1, skipped: 2 })
    expect(() => fitCoScaling([{ n: 0, passAtN: 0.5 }])).toThrow(expect.objectContaining({ code: 'BENCH_USAGE' }))
  })

  it('names the best temperature per N from several fits', () => {
    const low = fitCoScaling([1, 4, 16].map((n) => ({ n, passAtN: law(-0.5, -0.1)(n) })))
    const high = fitCoScaling([1, 4, 16].map((n) => ({ n, passAtN: law(-0.9, -0.6)(n) })))
    const best = bestTemperaturePerN(
      [
        { temperature: 0.5, fit: low },
        { temperature: 1.0, fit: high },
      ],
      [1, 64],
    )
    expect(best.map((b) => b.temperature)).toEqual([0.5, 1.0])
  })
})
