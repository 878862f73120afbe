import { describe, expect, it } from 'vitest'
import { createRng } from '../../../core/rng.js'
import { detectableEffect, primaryMetrics, varianceParts } from '../../../reports/detectable-effect.js'

function normal(rng: { next(): number }): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next())
}

describe('the tested family and its detectable effect', () => {
  it("tests pass@1, Bo-N′ at the trained N′ (the base at the strategies' N′) and pass@max N", () => {
    expect(primaryMetrics([1, 2, 4, 8], 4)).toEqual([
      { metric: 'pass1', n: 1, role: 'pass@1' },
      { metric: 'bestOfN', n: 4, role: 'Bo-N′' },
      { metric: 'passAtN', n: 8, role: 'pass@max N' },
    ])
    expect(primaryMetrics([1, 2, 4, 8], 1, 4).map((m) => m.n)).toEqual([1, 4, 8])
    expect(primaryMetrics([1, 2, 4, 8], 1).map((m) => m.role)).toEqual(['pass@1', 'pass@max N'])
    expect(primaryMetrics([1], 1, 4).map((m) => m.role)).toEqual(['pass@1'])
  })

  it('splits seed noise from the residual, and leaves prompt difficulty out (pairing cancels it)', () => {
    const P = 10
    const seedOnly = [Array(P).fill(0.5), Array(P).fill(0.7)]
    expect(varianceParts(seedOnly).seedNoiseKnown).toBe(true)
    expect(varianceParts(seedOnly).residualVariance).toBeCloseTo(0, 12)
    expect(varianceParts(seedOnly).seedVariance).toBeCloseTo(0.02, 12)
    expect(varianceParts(seedOnly).pairedVariance).toBeCloseTo(0.01, 12)
    const promptsOnly = [0, 1].map(() => Array.from({ length: P }, (_, p) => p / P))
    expect(varianceParts(promptsOnly).pairedVariance).toBeCloseTo(0, 12)
    expect(varianceParts([[0.1, 0.9]]).seedNoiseKnown).toBe(false)
  })

  it('states an SE that matches the spread of new − base over simulated unchanged runs', () => {
    const rng = createRng(5)
    const S = 4
    const P = 200
    const difficulty = Array.from({ length: P }, () => 0.3 * normal(rng))
    const run = () => {
      const seedEffects = Array.from({ length: S }, () => 0.02 * normal(rng))
      return seedEffects.map((b) => difficulty.map((a) => a + b + 0.2 * normal(rng)))
    }
    const mean = (v: number[][]) => v.flat().reduce((s, x) => s + x, 0) / (S * P)
    const diffs: number[] = []
    let se2 = 0
    for (let i = 0; i < 300; i++) {
      const a = run()
      const b = run()
      diffs.push(mean(b) - mean(a))
      se2 += detectableEffect(a, b, 0.05, 18).se ** 2 / 300
    }
    const sd = Math.sqrt(diffs.reduce((s, d) => s + d * d, 0) / diffs.length)
    // truth: √(2·(0.02²/4 + 0.2²/800)) = 0.0173
    expect(sd).toBeGreaterThan(0.0173 * 0.85)
    expect(sd).toBeLessThan(0.0173 * 1.15)
    expect(Math.sqrt(se2) / sd).toBeGreaterThan(0.85)
    expect(Math.sqrt(se2) / sd).toBeLessThan(1.15)
    const d = detectableEffect(run(), run(), 0.05, 18)
    expect(d.alpha).toBeCloseTo(0.05 / 18, 12)
    expect(d.mde / d.se).toBeCloseTo(2.9913 + 0.8416, 3)
    // a test judged against a wider SE needs a larger drop: its critical value moves, the noise does not
    const wide = detectableEffect(run(), run(), 0.05, 18, 0.03)
    expect(wide.mde).toBeCloseTo(2.9913 * 0.03 + 0.8416 * wide.se, 3)
  })
})
