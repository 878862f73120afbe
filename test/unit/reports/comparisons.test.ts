import { describe, expect, it } from 'vitest'
import { resampleLimit, resamplesFor } from '../../../reports/comparisons.js'
import { compareRuns } from '../../../reports/compare.js'
import type { SyntheticRunSpec } from '../../helpers/synthetic-run.js'
import { syntheticRunData } from '../../helpers/synthetic-run.js'

/** Holm's first step can reject only when the smallest bootstrap p, 1/(B + 1), is at most α/m. */
const firstStepReachable = (resamples: number, tests: number, alpha: number) => 1 / (resamples + 1) <= alpha / tests

describe('resamplesFor: the resamples of a Holm family', () => {
  it('keeps the counts of the defaults: 4m/α, capped at 20,000 where that still reaches α', () => {
    // Study v1 (38 tests) and v2 (340 tests) at α = 0.05: the committed documents' resamples.
    expect(resamplesFor(38, 0.05, 1000)).toBe(3040)
    expect(resamplesFor(340, 0.05, 1000)).toBe(20_000)
    expect(resamplesFor(3, 0.05, 2000)).toBe(2000)
    expect(resamplesFor(340, 0.05, 50_000)).toBe(50_000)
  })

  it('never caps below what lets the smallest p pass Holm’s first step', () => {
    for (const [tests, alpha] of [
      [38, 0.001],
      [340, 0.01],
      [340, 0.005],
      [1, 0.00001],
    ] as const) {
      const resamples = resamplesFor(tests, alpha, 1000)
      expect(firstStepReachable(resamples, tests, alpha)).toBe(true)
      // With a factor of 2 to spare: p = 1/(B + 1) ≤ α/(2m).
      expect(resamples + 1).toBeGreaterThanOrEqual((2 * tests) / alpha)
      expect(resamples).toBeLessThanOrEqual(resampleLimit)
    }
    // An explicit lower cap yields to the same floor.
    expect(firstStepReachable(resamplesFor(38, 0.001, 1000, 5000), 38, 0.001)).toBe(true)
  })

  it('refuses a family that would need more than the limit, naming --alpha and --resamples', () => {
    expect(() => resamplesFor(38, 0.0001, 1000)).toThrow(expect.objectContaining({ code: 'BENCH_USAGE' }))
    expect(() => resamplesFor(38, 0.0001, 1000)).toThrow(/fewer than 760000 resamples.*--alpha 0\.00039 or larger.*--resamples 760000/)
    // The α it names fits the limit.
    expect(firstStepReachable(resamplesFor(38, 0.00039, 1000), 38, 0.00039)).toBe(true)
    // Resamples asked for explicitly that already reach α are used as asked.
    expect(resamplesFor(38, 0.0001, 800_000)).toBe(800_000)
  })
})

describe('bench compare at a small α', () => {
  const spec: SyntheticRunSpec = { prompts: 24, poolSize: 8, grid: [1, 4], temperatures: [1], seeds: [0, 1], bootstrap: 10, withText: false, trainSteps: 0 }

  it('can still find a large drop significant: the resamples reach α/m', () => {
    const base = syntheticRunData({ ...spec, seed: 11, runId: 'last-good' })
    const regressed = syntheticRunData({ ...spec, seed: 12, runId: 'tonight', cellShift: (k) => (k.strategy === 'bon-rl' ? -3 : 0) })
    const tests = compareRuns(base, regressed).family.tests
    // α small enough that 20,000 resamples could not reach α/m for this family.
    const alpha = tests / 30_000
    expect(firstStepReachable(20_000, tests, alpha)).toBe(false)
    const result = compareRuns(base, regressed, { alpha })
    expect(result.family.tests).toBe(tests)
    expect(firstStepReachable(result.settings.resamples, tests, alpha)).toBe(true)
    expect(result.regressed).toBe(true)
    expect(result.regressions.every((r) => r.groupId.includes('/bon-rl/'))).toBe(true)
  })
})
