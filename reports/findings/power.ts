import { BenchError } from '../../core/errors.js'

/**
 * Power analysis of the findings: the minimum detectable effect (MDE) of a paired comparison from
 * its observed standard error, and the effect sizes the paper reports, for context.
 */

/** The paper's headline numbers (DESIGN §2.4, Gemma 2B), as differences in [0, 1] units. */
export const paperEffects = {
  /** MATH Bo-32 accuracy 26.8% → 30.8% (bon-rl-v against the base). */
  bestOfN: { diff: 0.308 - 0.268, source: 'MATH Bo-32 26.8% → 30.8%' },
  /** MATH pass@32 60.0% → 67.0% (bon-rl-s / bon-rlb against the base). */
  passAtN: { diff: 0.67 - 0.6, source: 'MATH pass@32 60.0% → 67.0%' },
  /** HumanEval pass@16 67.1% against standard RL's 59.8%. */
  passAtNVsRl: { diff: 0.671 - 0.598, source: 'HumanEval pass@16 67.1% vs RL 59.8%' },
} as const

// Acklam's rational approximation of the standard normal quantile (relative error < 1.2e-9).
const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239]
const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1]
const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416]

/**
 * The standard normal quantile z(p), p in (0, 1). Pure; accurate to about 1e-9, which is far
 * below the bootstrap noise of any SE it multiplies. Throws BENCH_USAGE outside (0, 1).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new BenchError('BENCH_USAGE', `normalQuantile: p must lie strictly between 0 and 1 (got ${p})`)
  const low = 0.02425
  let x: number
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p))
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
  } else if (p <= 1 - low) {
    const q = p - 0.5
    const r = q * q
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p))
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
  }
  return x
}

/** Options of {@link mdeMultiplier}. */
export interface PowerOptions {
  /** Family-wise (two-sided) significance level. Default 0.05. */
  alpha?: number
  /** Power to detect the effect. Default 0.8. */
  power?: number
  /** Number of comparisons corrected together; the strictest Holm step tests at α/tests. Default 1. */
  tests?: number
}

/**
 * The SE multiplier of the MDE: z(1 − α/(2m)) + z(power). With α = 0.05, power 0.8 and m = 1 it is
 * 1.95996 + 0.84162 = 2.80158. Uses α/m, Holm's strictest step (Bonferroni), so the MDE is the
 * effect every comparison of the family can detect, whatever its rank.
 */
export function mdeMultiplier(options: PowerOptions = {}): number {
  const alpha = options.alpha ?? 0.05
  const power = options.power ?? 0.8
  const tests = options.tests ?? 1
  if (!(alpha > 0 && alpha < 1)) throw new BenchError('BENCH_USAGE', `mde: alpha must lie strictly between 0 and 1 (got ${alpha})`)
  if (!(power > 0 && power < 1)) throw new BenchError('BENCH_USAGE', `mde: power must lie strictly between 0 and 1 (got ${power})`)
  if (!(Number.isInteger(tests) && tests >= 1)) throw new BenchError('BENCH_USAGE', `mde: tests must be an integer ≥ 1 (got ${tests})`)
  return normalQuantile(1 - alpha / (2 * tests)) + normalQuantile(power)
}

/**
 * Minimum detectable effect of a two-sided test of a difference with standard error `se`:
 * MDE ≈ (z(1 − α/(2m)) + z(power)) × SE, in the units of the difference. Pure.
 */
export function minimumDetectableEffect(se: number, options: PowerOptions = {}): number {
  if (!(se >= 0 && Number.isFinite(se))) throw new BenchError('BENCH_USAGE', `mde: the standard error must be a finite number ≥ 0 (got ${se})`)
  return mdeMultiplier(options) * se
}
