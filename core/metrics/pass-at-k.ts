import { BenchError } from '../errors.js'
import { assertPoolAndK } from './binomial.js'

function assertCorrect(n: number, c: number): void {
  if (!Number.isInteger(c) || c < 0 || c > n) {
    throw new BenchError('BENCH_USAGE', `pass@k: the number of correct samples c must be an integer in 0..n = ${n} (got ${c})`)
  }
}

/**
 * The unbiased pass@k estimator 1 − C(n−c, k)/C(n, k) for one prompt with n samples of which c
 * are correct (DESIGN §2.3). Computed as a product of min(c, k) factors in [0, 1]
 * (C(n−c, k)/C(n, k) = C(n−k, c)/C(n, c)), so it is exact to rounding at any n — no binomial is
 * formed. Throws BENCH_USAGE unless 0 ≤ c ≤ n and 1 ≤ k ≤ n are integers.
 */
export function passAtK(n: number, c: number, k: number): number {
  assertPoolAndK(n, k, 'pass@k')
  assertCorrect(n, c)
  return passAtKOf(n, c, k)
}

/** passAtK without the checks (n, c, k already valid). */
function passAtKOf(n: number, c: number, k: number): number {
  if (n - c < k) return 1
  const [steps, top] = c < k ? [c, k] : [k, c]
  let fail = 1
  for (let j = 0; j < steps; j++) fail *= (n - top - j) / (n - j)
  return 1 - fail
}

/**
 * pass@k for every k = 1..n of one prompt at once, in O(n): entry k of the result is pass@k
 * (entry 0 is 0). Uses the ratio C(n−c, k)/C(n, k) = C(n−c, k−1)/C(n, k−1) · (n−c−k+1)/(n−k+1),
 * whose factors lie in [0, 1], so nothing overflows; agrees with `passAtK` to float rounding.
 */
export function passAtKAll(n: number, c: number): Float64Array {
  assertPoolAndK(n, 1, 'pass@k')
  assertCorrect(n, c)
  const out = new Float64Array(n + 1)
  let fail = 1
  for (let k = 1; k <= n; k++) {
    fail *= (n - c - k + 1) / (n - k + 1)
    out[k] = 1 - fail
  }
  return out
}

/**
 * pass@k of one prompt for each k of `ks` (any order, each 1 ≤ k ≤ n), aligned with `ks`: each
 * value is `passAtK`'s, to the last bit, so `bench run`, `bench score` and `bench verify` print
 * the same pass@k for the same pools (a running product over k, as `passAtKAll` keeps, differs in
 * the last bits). Costs O(Σ min(c, k)).
 */
export function passAtKCurve(n: number, c: number, ks: readonly number[]): number[] {
  for (const k of ks) assertPoolAndK(n, k, 'pass@k')
  if (ks.length === 0) return []
  assertCorrect(n, c)
  return ks.map((k) => passAtKOf(n, c, k))
}

/**
 * How many rewards count as correct for pass@k: reward ≥ `threshold` (default 1, so a binary
 * 0/1 reward counts its ones). Reports state the threshold they used.
 */
export function countCorrect(rewards: readonly number[], threshold = 1): number {
  let c = 0
  for (const r of rewards) if (r >= threshold) c++
  return c
}
