import type { AnswerGroups } from './answer-groups.js'
import type { AnsweredSample } from './answer-groups.js'
import { createRng } from '../rng.js'

/** A Monte Carlo estimate with its standard error (the sample standard deviation over √draws). */
export interface MonteCarloEstimate {
  value: number
  stdErr: number
}

/**
 * Seeded Monte Carlo maj@k for one prompt and one k (1 ≤ k ≤ n): `draws` uniformly random
 * k-subsets (partial Fisher–Yates), each scored by the same rule as the exact programme — the
 * majority answer's mean reward, ties between answers split evenly, a subset of abstentions only
 * scoring its mean reward. The same seed gives the same estimate. O(draws · k).
 */
export function majorityMonteCarlo(samples: readonly AnsweredSample[], groups: AnswerGroups, k: number, draws: number, seed: number): MonteCarloEstimate {
  const n = groups.n
  const rng = createRng(seed)
  const perm = Int32Array.from({ length: n }, (_, i) => i)
  const votes = new Int32Array(groups.counts.length)
  const touched: number[] = []
  let sum = 0
  let sumSq = 0
  for (let d = 0; d < draws; d++) {
    touched.length = 0
    let abstainSum = 0
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(n - i)
      const pick = perm[j]!
      perm[j] = perm[i]!
      perm[i] = pick
      const g = groups.groupOf[pick]!
      if (g < 0) abstainSum += samples[pick]!.reward
      else if (votes[g]++ === 0) touched.push(g)
    }
    let value: number
    if (touched.length === 0) value = abstainSum / k
    else {
      let top = 0
      for (const g of touched) top = Math.max(top, votes[g]!)
      let tiedSum = 0
      let tied = 0
      for (const g of touched) {
        if (votes[g] === top) {
          tiedSum += groups.meanRewards[g]!
          tied++
        }
        votes[g] = 0
      }
      value = tiedSum / tied
    }
    sum += value
    sumSq += value * value
  }
  const mean = sum / draws
  const variance = draws > 1 ? Math.max(0, (sumSq - draws * mean * mean) / (draws - 1)) : 0
  return { value: mean, stdErr: Math.sqrt(variance / draws) }
}
