import { holm } from '../../core/metrics/holm.js'
import { pairedTwoLevelBootstrap } from '../../core/metrics/two-level-bootstrap.js'
import { deriveSeed } from '../../core/rng.js'
import { resamplesFor } from '../comparisons.js'
import { armOf } from './arms.js'
import { stratifiedContrastBootstrap } from './contrast-bootstrap.js'
import type { ArmData } from './arms.js'
import { mdeMultiplier } from './power.js'
import type { CheckResult, PlannedCheck } from './types.js'

/** Knobs of {@link runChecks}. */
export interface RunChecksOptions {
  alpha: number
  level: number
  power: number
  /** Base resample count; raised so the smallest bootstrap p-value can pass Holm's first step. */
  resamples: number
  seed: number
}

/** The finished checks and the design numbers behind them. */
export interface CheckRun {
  results: CheckResult[]
  resamples: number
  zHolm: number
  zUnadjusted: number
}

/**
 * Runs every planned check of a report as one family: a paired two-level bootstrap of b − a
 * (core/metrics: resampling prompts jointly and each arm's seeds), Holm across all of them, and the
 * MDE from each bootstrap SE. Deterministic: each check draws from a stream derived from `seed`
 * and its id, whatever else is in the family.
 */
export function runChecks(planned: readonly PlannedCheck[], options: RunChecksOptions): CheckRun {
  const tests = Math.max(1, planned.length)
  const resamples = resamplesFor(tests, options.alpha, options.resamples)
  const zHolm = mdeMultiplier({ alpha: options.alpha, power: options.power, tests })
  const zUnadjusted = mdeMultiplier({ alpha: options.alpha, power: options.power, tests: 1 })
  const raw = planned.map((check) => {
    const opts = { resamples, level: options.level, seed: deriveSeed(options.seed, 'findings', check.id) }
    return check.strata
      ? stratifiedContrastBootstrap(check.a.values, check.b.values, check.strata, opts)
      : pairedTwoLevelBootstrap(check.b.values, check.a.values, opts)
  })
  const corrected = holm(
    raw.map((r) => r.pValue),
    options.alpha,
  )
  const results = planned.map((check, i): CheckResult => {
    const r = raw[i]!
    const significant = corrected.reject[i]!
    const agrees = check.expected === 'positive' ? r.diff > 0 : r.diff < 0
    const outcome = !significant || r.diff === 0 ? 'null' : agrees ? 'supports' : 'contradicts'
    const mde = zHolm * r.stdErr
    const { a, b, strata: _strata, ...rest } = check
    return {
      ...rest,
      a: a.arm,
      b: b.arm,
      diff: r.diff,
      ci: [r.lower, r.upper],
      se: r.stdErr,
      p: r.pValue,
      pHolm: corrected.adjusted[i]!,
      outcome,
      mde,
      mdeUnadjusted: zUnadjusted * r.stdErr,
      powered: check.paperEffect !== undefined && mde <= Math.abs(check.paperEffect),
    }
  })
  return { results, resamples, zHolm, zUnadjusted }
}

/** A descriptive (untested) paired difference b − a with its percentile CI. */
export interface DescriptiveDiff {
  diff: number
  ci: [number, number]
}

/**
 * The paired two-level bootstrap of b − a outside the Holm family: for curves and ranks the doc
 * shows but does not test. Deterministic given `seed` and `label`.
 */
export function describeDiff(
  a: readonly (readonly number[])[],
  b: readonly (readonly number[])[],
  opts: { seed: number; label: string; resamples: number; level: number },
): DescriptiveDiff {
  const r = pairedTwoLevelBootstrap(b, a, { resamples: opts.resamples, level: opts.level, seed: deriveSeed(opts.seed, 'describe', opts.label) })
  return { diff: r.diff, ci: [r.lower, r.upper] }
}

/** A planned check's arm side: the arm and its `values[seed][prompt]`. */
export function side(arm: ArmData, values: number[][]): PlannedCheck['a'] {
  return { arm: armOf(arm), values }
}
