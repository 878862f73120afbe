import { BenchError } from '../errors.js'

/**
 * Binomial-coefficient helpers that stay finite where C(n, k) overflows float64 (n ≈ 1030 and
 * up). Everything here is a ratio or a logarithm; no factorial is ever formed.
 */

const logFactorialCache: number[] = [0]

/**
 * log(m!) for an integer m ≥ 0, exact to float64 rounding: a cumulative sum of logs, cached and
 * grown on demand, so a pool of n samples costs O(n) once per process.
 */
export function logFactorial(m: number): number {
  for (let i = logFactorialCache.length; i <= m; i++) logFactorialCache.push(logFactorialCache[i - 1]! + Math.log(i))
  return logFactorialCache[m]!
}

/** log C(n, k); −Infinity when k < 0 or k > n (the coefficient is 0). */
export function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k)
}

/**
 * C(a, k) / C(b, k) for integers 0 ≤ a ≤ b and 0 ≤ k ≤ b, as the product Π_{j<k} (a − j)/(b − j):
 * every factor lies in [0, 1], so the result never overflows and underflows only to 0.
 */
export function chooseRatio(a: number, b: number, k: number): number {
  if (k > a) return 0
  let ratio = 1
  for (let j = 0; j < k; j++) ratio *= (a - j) / (b - j)
  return ratio
}

/**
 * Checks a pool size n and a k (1 ≤ k ≤ n, integers) and throws BENCH_USAGE naming `what` when they do not
 * fit. Runs at the top of every estimator, so a bad grid fails loudly instead of returning NaN.
 */
export function assertPoolAndK(n: number, k: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) throw new BenchError('BENCH_USAGE', `${what}: the pool size n must be a positive integer (got ${n})`)
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new BenchError('BENCH_USAGE', `${what}: k must be an integer in 1..n = ${n} (got ${k}); draw a larger pool or drop that k`)
  }
}
