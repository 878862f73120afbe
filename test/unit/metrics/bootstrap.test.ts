import { describe, expect, it } from 'vitest'
import { bootstrapCI, pairedBootstrap, pairedTwoLevelBootstrap, twoLevelBootstrapCI } from '../../../core/metrics/index.js'
import { createRng } from '../../../core/rng.js'

const bernoulli = (seed: number, n: number, p: number): number[] => {
  const rng = createRng(seed)
  return Array.from({ length: n }, () => (rng.next() < p ? 1 : 0))
}

describe('bootstrapCI', () => {
  it('covers the true mean about 95% of the time (300 simulated data sets of 60 prompts)', () => {
    let covered = 0
    const trials = 300
    for (let t = 0; t < trials; t++) {
      const ci = bootstrapCI(bernoulli(t, 60, 0.3), { seed: t, resamples: 400 })
      if (ci.lower <= 0.3 && 0.3 <= ci.upper) covered++
    }
    expect(covered / trials).toBeGreaterThan(0.88)
    expect(covered / trials).toBeLessThan(0.99)
  })

  it('is centred on the mean, repeatable for a seed, and narrower at a lower level', () => {
    const values = bernoulli(1, 100, 0.6)
    const a = bootstrapCI(values, { seed: 4 })
    expect(a).toEqual(bootstrapCI(values, { seed: 4 }))
    expect(a.mean).toBeCloseTo(values.reduce((s, v) => s + v, 0) / 100, 14)
    expect(a.lower).toBeLessThan(a.mean)
    expect(a.upper).toBeGreaterThan(a.mean)
    // Binomial SE √(p(1−p)/n) ≈ 0.049 for p ≈ 0.6.
    expect(a.stdErr).toBeGreaterThan(0.035)
    expect(a.stdErr).toBeLessThan(0.065)
    const b = bootstrapCI(values, { seed: 4, level: 0.5 })
    expect(b.upper - b.lower).toBeLessThan(a.upper - a.lower)
  })

  it('rejects empty input and bad options', () => {
    expect(() => bootstrapCI([])).toThrow(expect.objectContaining({ code: 'BENCH_USAGE' }))
    expect(() => bootstrapCI([1], { level: 1 })).toThrow(/level/)
    expect(() => bootstrapCI([Number.NaN])).toThrow(/finite/)
  })
})

describe('pairedBootstrap', () => {
  it('gives diff 0 and p = 1 for identical systems', () => {
    const a = bernoulli(2, 50, 0.5)
    const r = pairedBootstrap(a, a, { seed: 1 })
    expect(r.diff).toBe(0)
    expect(r.pValue).toBe(1)
    expect([r.lower, r.upper]).toEqual([0, 0])
  })

  it('detects a real improvement and uses the pairing (prompt difficulty cancels)', () => {
    const rng = createRng(9)
    const difficulty = Array.from({ length: 80 }, () => rng.next())
    const b = difficulty.map((d) => d)
    const a = difficulty.map((d) => d + 0.05 + (rng.next() - 0.5) * 0.02)
    const paired = pairedBootstrap(a, b, { seed: 2 })
    expect(paired.diff).toBeCloseTo(0.05, 2)
    expect(paired.lower).toBeGreaterThan(0.04)
    expect(paired.upper).toBeLessThan(0.06)
    expect(paired.pValue).toBeLessThan(0.001)
    // Unpaired, the difficulty spread (SD ≈ 0.29) would swamp a 0.05 shift; paired SE is tiny.
    expect(paired.stdErr).toBeLessThan(0.002)
  })

  it('calls a null difference insignificant about 95% of the time', () => {
    let rejected = 0
    for (let t = 0; t < 200; t++) {
      const r = pairedBootstrap(bernoulli(100 + t, 40, 0.5), bernoulli(500 + t, 40, 0.5), { seed: t, resamples: 400 })
      if (r.pValue < 0.05) rejected++
    }
    expect(rejected / 200).toBeLessThan(0.12)
  })

  it('rejects systems measured on different prompt counts', () => {
    expect(() => pairedBootstrap([1, 0], [1])).toThrow(/same prompts/)
  })
})

describe('two-level bootstrap', () => {
  // values[seed][prompt] = prompt effect + seed effect; the seed effect is the training noise.
  const grid = (seed: number, seeds: number, prompts: number, seedSpread: number, shift = 0): number[][] => {
    const rng = createRng(seed)
    const promptEffect = Array.from({ length: prompts }, () => rng.next())
    return Array.from({ length: seeds }, () => {
      const s = (rng.next() - 0.5) * seedSpread
      return promptEffect.map((p) => p + s + shift)
    })
  }

  it('widens the interval when seeds disagree, and is centred on the grand mean', () => {
    const calm = twoLevelBootstrapCI(grid(1, 5, 100, 0), { seed: 3 })
    const noisy = twoLevelBootstrapCI(grid(1, 5, 100, 0.8), { seed: 3 })
    expect(noisy.upper - noisy.lower).toBeGreaterThan(1.5 * (calm.upper - calm.lower))
    const values = grid(2, 3, 10, 0.2)
    const flat = values.flat()
    expect(twoLevelBootstrapCI(values).mean).toBeCloseTo(flat.reduce((s, v) => s + v, 0) / flat.length, 14)
  })

  it('covers the true seed-level mean more often than a prompts-only bootstrap when seeds vary', () => {
    let twoLevel = 0
    let promptsOnly = 0
    const trials = 120
    for (let t = 0; t < trials; t++) {
      const rng = createRng(1000 + t)
      const prompts = Array.from({ length: 40 }, () => (rng.next() < 0.5 ? 1 : 0))
      // True mean 0.5; each of 4 seeds shifts every prompt by N(0, 0.1)-ish noise.
      const values = Array.from({ length: 4 }, () => {
        const shift = (rng.next() + rng.next() + rng.next() - 1.5) * 0.35
        return prompts.map((p) => p + shift)
      })
      const a = twoLevelBootstrapCI(values, { seed: t, resamples: 300 })
      if (a.lower <= 0.5 && 0.5 <= a.upper) twoLevel++
      const b = twoLevelBootstrapCI([values[0]!], { seed: t, resamples: 300 })
      if (b.lower <= 0.5 && 0.5 <= b.upper) promptsOnly++
    }
    expect(twoLevel / trials).toBeGreaterThan(0.85)
    expect(twoLevel).toBeGreaterThan(promptsOnly)
  })

  it('compares two systems paired on prompts: finds a shift, and p = 1 against itself with paired seeds', () => {
    const base = grid(5, 4, 60, 0.05)
    const better = grid(5, 4, 60, 0.05, 0.1)
    const r = pairedTwoLevelBootstrap(better, base, { seed: 1 })
    expect(r.diff).toBeCloseTo(0.1, 12)
    expect(r.lower).toBeGreaterThan(0.05)
    expect(r.pValue).toBeLessThan(0.01)
    const self = pairedTwoLevelBootstrap(base, base, { seed: 1, pairSeeds: true })
    expect(self.diff).toBe(0)
    expect(self.pValue).toBe(1)
    expect(() => pairedTwoLevelBootstrap(base, [[1]], {})).toThrow(/same prompts/)
    expect(() => pairedTwoLevelBootstrap(base, base.slice(1), { pairSeeds: true })).toThrow(/pairSeeds/)
  })
})
