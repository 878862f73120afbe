import { createRng } from '../rng.js'
import { logChoose } from './binomial.js'

/** An estimate of an expectation over k-subsets: exact by enumeration (stdErr 0) or seeded Monte Carlo. */
export interface SubsetEstimate {
  value: number
  /** Standard error of a Monte Carlo estimate (sample standard deviation over √draws); 0 when exact. */
  stdErr: number
  exact: boolean
}

/** How {@link subsetExpectation} trades exactness for time. */
export interface SubsetExpectationOptions {
  /** Largest C(n, k) enumerated exactly (default 50,000 subsets); above it, Monte Carlo. */
  enumerationLimit?: number
  /** Random k-subsets per Monte Carlo estimate (default 4000). */
  draws?: number
  /** Seed of the Monte Carlo stream; the same seed gives the same estimate. */
  seed: number
}

/**
 * E over uniformly random k-subsets S of {0..n−1} of `valueOf(S)`, where `valueOf` is the
 * expected reward of a rule's pick given S (ties and stochastic picks already averaged). Exact
 * when C(n, k) ≤ `enumerationLimit`: every subset once, in lexicographic order. Otherwise the mean
 * over `draws` seeded uniform k-subsets (partial Fisher–Yates), with its standard error: unbiased,
 * and Rao–Blackwellised, since `valueOf` averages the rule's own randomness exactly.
 * `valueOf` gets a buffer it must not keep (its first k entries are the subset).
 */
export function subsetExpectation(n: number, k: number, valueOf: (subset: Int32Array, k: number) => number, opts: SubsetExpectationOptions): SubsetEstimate {
  const limit = opts.enumerationLimit ?? 50_000
  const draws = opts.draws ?? 4000
  if (logChoose(n, k) <= Math.log(limit) + 1e-9) return { value: enumerate(n, k, valueOf), stdErr: 0, exact: true }
  const rng = createRng(opts.seed)
  const perm = Int32Array.from({ length: n }, (_, i) => i)
  let sum = 0
  let sumSq = 0
  for (let d = 0; d < draws; d++) {
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(n - i)
      const pick = perm[j]!
      perm[j] = perm[i]!
      perm[i] = pick
    }
    const v = valueOf(perm, k)
    sum += v
    sumSq += v * v
  }
  const mean = sum / draws
  const variance = draws > 1 ? Math.max(0, (sumSq - draws * mean * mean) / (draws - 1)) : 0
  return { value: mean, stdErr: Math.sqrt(variance / draws), exact: false }
}

/** The mean of `valueOf` over every k-subset of {0..n−1}, in lexicographic order. */
function enumerate(n: number, k: number, valueOf: (subset: Int32Array, k: number) => number): number {
  const subset = Int32Array.from({ length: k }, (_, i) => i)
  let sum = 0
  let count = 0
  for (;;) {
    sum += valueOf(subset, k)
    count++
    let i = k - 1
    while (i >= 0 && subset[i] === n - k + i) i--
    if (i < 0) break
    subset[i]++
    for (let j = i + 1; j < k; j++) subset[j] = subset[j - 1]! + 1
  }
  return sum / count
}
