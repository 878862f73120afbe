import { BenchError } from '../errors.js'
import { assertPoolAndK } from './binomial.js'

/** One sample of a pool as Best-of-N sees it: the verifier `score` it selects by, the `reward` it earns. */
export interface ScoredSample {
  reward: number
  score: number
}

/**
 * Sorts a pool ascending by score and replaces each reward by the mean reward of its tied block
 * (equal scores). Runs once per prompt before any k; the result is what every Bo-k sums over.
 * Averaging within a block is exactly BoN's uniform random tie-breaking: given that the top of a
 * random subset lies in a block, the pick is a uniform member of the block.
 */
export function blockMeanRewards(samples: readonly ScoredSample[]): Float64Array {
  const n = samples.length
  // Plain typed copies make the comparator cheap: the sort dominates a whole Bo-N curve otherwise.
  const scores = new Float64Array(n)
  const rewards = new Float64Array(n)
  const order: number[] = new Array(n)
  for (let i = 0; i < n; i++) {
    const s = samples[i]!
    if (!Number.isFinite(s.score) || !Number.isFinite(s.reward)) {
      throw new BenchError('BENCH_USAGE', `Bo-N: every sample needs a finite reward and score (got reward ${s.reward}, score ${s.score})`)
    }
    scores[i] = s.score
    rewards[i] = s.reward
    order[i] = i
  }
  order.sort((a, b) => scores[a]! - scores[b]!)
  const out = new Float64Array(n)
  let start = 0
  while (start < n) {
    const score = scores[order[start]!]!
    let end = start
    let sum = 0
    while (end < n && scores[order[end]!] === score) sum += rewards[order[end++]!]!
    out.fill(sum / (end - start), start, end)
    start = end
  }
  return out
}

/** 1/i for i = 0..n (entry 0 unused): turns the weight recurrence's division into a multiplication. */
function reciprocals(n: number): Float64Array {
  const out = new Float64Array(n + 1)
  for (let i = 1; i <= n; i++) out[i] = 1 / i
  return out
}

/**
 * Bo-k from block means sorted ascending: Σ_i C(i−1, k−1)/C(n, k) · R̄_i (ranks i = 1..n). The
 * weights are walked down from the top, w(n) = k/n and w(i−1) = w(i)·(i−k)/(i−1), so every
 * weight lies in [0, 1] and none overflows at any n. The weights fall monotonically, so once
 * w(i)·i (a bound on all the weight left) is below 1e−17 the rest is dropped: an absolute error
 * under 1e−17·max|R̄|, and for large k most of the O(n − k) loop is skipped.
 */
function bestOfKSorted(sortedMeans: Float64Array, k: number, inv: Float64Array): number {
  const n = sortedMeans.length
  let w = k / n
  let sum = 0
  for (let i = n; i >= k; i--) {
    sum += w * sortedMeans[i - 1]!
    if (w * i < 1e-17) break
    w *= (i - k) * inv[i - 1]!
  }
  return sum
}

/**
 * Exact Bo-k accuracy of one prompt's pool for each k of `ks` (DESIGN §2.3): the expected reward
 * of the highest-scoring sample of a uniformly random k-subset of the n samples, ties broken
 * uniformly at random. Equals the average over all C(n, k) subsets (the tests enumerate them).
 * O(n log n + n·|ks|); throws BENCH_USAGE for an empty pool, a non-finite value, or k ∉ 1..n.
 */
export function bestOfN(samples: readonly ScoredSample[], ks: readonly number[]): number[] {
  for (const k of ks) assertPoolAndK(samples.length, k, 'Bo-N')
  if (ks.length === 0) return []
  const means = blockMeanRewards(samples)
  const inv = reciprocals(samples.length)
  return ks.map((k) => bestOfKSorted(means, k, inv))
}

/**
 * Bo-k for every k = 1..n of one prompt (entry k; entry 0 is 0): the whole curve in O(n²/2)
 * multiply-adds after one sort, the fast path the evaluator and the benchmark use.
 */
export function bestOfNAll(samples: readonly ScoredSample[]): Float64Array {
  assertPoolAndK(samples.length, 1, 'Bo-N')
  const means = blockMeanRewards(samples)
  const out = new Float64Array(samples.length + 1)
  const inv = reciprocals(samples.length)
  for (let k = 1; k <= samples.length; k++) out[k] = bestOfKSorted(means, k, inv)
  return out
}
