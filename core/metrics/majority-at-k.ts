import { BenchError } from '../errors.js'
import { deriveSeed } from '../rng.js'
import type { AnsweredSample } from './answer-groups.js'
import { groupAnswers } from './answer-groups.js'
import { assertPoolAndK } from './binomial.js'
import { majorityExact, majorityExactCost } from './majority-exact.js'
import { majorityMonteCarlo } from './majority-monte-carlo.js'

/** How `majorityAtK` trades exactness for time. */
export interface MajorityOptions {
  /** Seed of the Monte Carlo fallback (default 0); each k draws from its own derived stream. */
  seed?: number
  /** Random k-subsets per Monte Carlo estimate (default 4000). */
  monteCarloSamples?: number
  /**
   * Largest operation count (see `majorityExactCost`) spent on the exact programme for one k
   * (default 5e6, about 30 ms); above it that k is estimated by Monte Carlo. 0 forces
   * Monte Carlo except where the answer is trivial (k = n, or no answers at all); Infinity forces exact.
   */
  exactLimit?: number
}

/** maj@k over a k grid, aligned with it: each value, its standard error (0 where exact), and whether it is exact. */
export interface MajorityResult {
  values: number[]
  stdErr: number[]
  exact: boolean[]
}

/**
 * maj@k of one prompt's pool for each k of `ks` (DESIGN §2.3): the expected reward of the answer
 * that wins a majority vote among a uniformly random k-subset of the n samples.
 * - Answers are compared as exact strings; the winner earns the mean reward of its answer's
 *   samples (a random representative, in expectation).
 * - Ties between answers are split evenly: each tied answer gets an equal share.
 * - A sample without an `answer` abstains: it takes a slot of the subset but never votes and can
 *   never win. Only when every sample of the subset abstains does the vote fall back to a random
 *   member of the subset (its expected reward: the abstentions' mean reward, usually 0).
 * Exact by a dynamic programme over answer counts where that costs at most `exactLimit`
 * operations, otherwise a seeded Monte Carlo estimate with its standard error.
 * Throws BENCH_USAGE for k ∉ 1..n or a non-finite reward.
 */
export function majorityAtK(samples: readonly AnsweredSample[], ks: readonly number[], opts: MajorityOptions = {}): MajorityResult {
  const seed = opts.seed ?? 0
  const draws = opts.monteCarloSamples ?? 4000
  const limit = opts.exactLimit ?? 5e6
  if (!Number.isInteger(draws) || draws < 2) {
    throw new BenchError('BENCH_USAGE', `maj@k: monteCarloSamples must be an integer ≥ 2 (got ${draws})`)
  }
  for (const k of ks) assertPoolAndK(samples.length, k, 'maj@k')
  const result: MajorityResult = { values: [], stdErr: [], exact: [] }
  if (ks.length === 0) return result
  const groups = groupAnswers(samples)
  for (const k of ks) {
    const trivial = k === groups.n || groups.counts.length === 0
    if (trivial || majorityExactCost(groups, k) <= limit) {
      result.values.push(majorityExact(groups, k))
      result.stdErr.push(0)
      result.exact.push(true)
    } else {
      const estimate = majorityMonteCarlo(samples, groups, k, draws, deriveSeed(seed, 'maj@k', k))
      result.values.push(estimate.value)
      result.stdErr.push(estimate.stdErr)
      result.exact.push(false)
    }
  }
  return result
}
