/**
 * λ_N, the inverse temperature of the exponential tilt that stands in for the Best-of-N
 * distribution (DESIGN §2.1): π_bon ∝ π · exp(λ_N · Q_π(x, y)), Q the win rate of y.
 *
 * Rules:
 * - `kl-match` (default): λ such that KL(tilt‖π) equals the exact BoN value log N − (N−1)/N.
 *   For continuous scores the win rate Q of a sample from π is Uniform(0, 1) and the tilt has
 *   density λe^{λq}/(e^λ − 1) on [0, 1], so the equation is one-dimensional and solved by
 *   bisection: λ ≈ 2.29, 4.92, 9.05, 17.03, 33.02 for N = 2, 4, 8, 16, 32 (λ_1 = 0). With tied
 *   scores it is an approximation.
 * - `N-1`: λ = N − 1 (λ_1 = 0).
 * - a number: that fixed λ for every N (N = 1 included — the caller chose it).
 */

import { BenchError } from '../errors.js'

/** How λ_N is chosen: `kl-match`, `N-1`, or a fixed non-negative number. */
export type LambdaRule = 'kl-match' | 'N-1' | number

/** KL(π_bon‖π) = log N − (N−1)/N: the exact value for continuous scores (Beirami et al. 2024). */
export function bonKl(n: number): number {
  return Math.log(n) - (n - 1) / n
}

/**
 * KL(tilt‖uniform) of the density λe^{λq}/(e^λ − 1) on [0, 1]:
 * log λ − log(e^λ − 1) + λ·e^λ/(e^λ − 1) − 1, written with expm1 so it stays accurate for
 * small and large λ. Increasing in λ ≥ 0; 0 at λ = 0.
 */
export function tiltKl(lambda: number): number {
  if (lambda < 1e-6) return (lambda * lambda) / 24
  // log(e^λ − 1) = λ + log(1 − e^{−λ}) keeps large λ finite.
  const logExpm1 = lambda > 30 ? lambda + Math.log1p(-Math.exp(-lambda)) : Math.log(Math.expm1(lambda))
  return Math.log(lambda) - logExpm1 + lambda / -Math.expm1(-lambda) - 1
}

/**
 * λ_N under `rule`. Pure and deterministic; called once per cell by the trainer.
 * Throws BENCH_USAGE for N < 1 or a negative / non-finite fixed λ.
 */
export function lambdaFor(n: number, rule: LambdaRule = 'kl-match'): number {
  if (!Number.isInteger(n) || n < 1) throw new BenchError('BENCH_USAGE', `λ_N needs a positive integer N, got ${n}.`)
  if (typeof rule === 'number') {
    if (!Number.isFinite(rule) || rule < 0) throw new BenchError('BENCH_USAGE', `A fixed λ must be a finite number ≥ 0, got ${rule}.`)
    return rule
  }
  if (rule === 'N-1') return n - 1
  if (rule !== 'kl-match') throw new BenchError('BENCH_USAGE', `Unknown λ rule '${String(rule)}'. Use 'kl-match', 'N-1' or a number.`)
  if (n === 1) return 0
  const target = bonKl(n)
  // KL grows like log λ − 1, so λ ≤ e^{target + 2} brackets the root.
  let lo = 0
  let hi = Math.exp(target + 2)
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2
    if (tiltKl(mid) < target) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

/**
 * Reads a λ rule as written in a config or on the command line: 'kl-match', 'N-1' (also 'n-1'),
 * or a number (also as a string). Throws BENCH_USAGE, listing the choices, for anything else.
 */
export function parseLambdaRule(input: string | number): LambdaRule {
  if (typeof input === 'number') return lambdaRuleNumber(input)
  const text = input.trim()
  if (text === 'kl-match') return 'kl-match'
  if (text === 'N-1' || text === 'n-1') return 'N-1'
  if (text !== '' && Number.isFinite(Number(text))) return lambdaRuleNumber(Number(text))
  throw new BenchError('BENCH_USAGE', `Unknown λ rule '${input}'. Use 'kl-match' (default), 'N-1' or a fixed number such as 4.`)
}

function lambdaRuleNumber(value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new BenchError('BENCH_USAGE', `A fixed λ must be a finite number ≥ 0, got ${value}.`)
  return value
}
