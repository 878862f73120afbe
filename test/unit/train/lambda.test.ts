import { describe, expect, it } from 'vitest'
import { bonKl, lambdaFor, parseLambdaRule, tiltKl } from '../../../core/train/lambda.js'

describe('λ_N rules', () => {
  it('kl-match gives ≈ 2.29, 4.92, 9.05, 17.03, 33.02 for N = 2…32 and λ_1 = 0', () => {
    const want: Record<number, number> = { 2: 2.29, 4: 4.92, 8: 9.05, 16: 17.03, 32: 33.02 }
    for (const [n, value] of Object.entries(want)) expect(lambdaFor(Number(n))).toBeCloseTo(value, 2)
    expect(lambdaFor(1)).toBe(0)
    expect(lambdaFor(1, 'kl-match')).toBe(0)
  })

  it('kl-match solves KL(tilt‖π) = log N − (N−1)/N, and the tilt KL matches numeric integration', () => {
    for (const n of [2, 3, 5, 8, 64, 1000]) expect(tiltKl(lambdaFor(n))).toBeCloseTo(bonKl(n), 9)
    // ∫₀¹ f log f with f(q) = λe^{λq}/(e^λ − 1), by the midpoint rule.
    for (const lambda of [0.5, 3, 20]) {
      let kl = 0
      const steps = 200000
      for (let i = 0; i < steps; i++) {
        const q = (i + 0.5) / steps
        const f = (lambda * Math.exp(lambda * q)) / Math.expm1(lambda)
        kl += (f * Math.log(f)) / steps
      }
      expect(tiltKl(lambda)).toBeCloseTo(kl, 6)
    }
  })

  it('N-1 and fixed rules; bad input says what to do', () => {
    expect(lambdaFor(8, 'N-1')).toBe(7)
    expect(lambdaFor(1, 'N-1')).toBe(0)
    expect(lambdaFor(16, 3.5)).toBe(3.5)
    expect(parseLambdaRule('kl-match')).toBe('kl-match')
    expect(parseLambdaRule('n-1')).toBe('N-1')
    expect(parseLambdaRule('4')).toBe(4)
    expect(() => parseLambdaRule('huge')).toThrow(/kl-match/)
    expect(() => lambdaFor(0)).toThrow(/positive integer/)
    expect(() => lambdaFor(4, -1)).toThrow(/≥ 0/)
  })
})
