import type { AnswerGroups } from './answer-groups.js'
import { chooseRatio, logChoose } from './binomial.js'

/**
 * Exact maj@k by a dynamic programme over answer counts (no subset enumeration).
 *
 * A uniformly random k-subset takes x_g copies of answer g (and x_u abstentions): a multivariate
 * hypergeometric draw. For each possible winning count t, the programme folds the groups in one
 * at a time over the state (slots used s, number j of answers tied at t), keeping
 * A = the probability mass of the partial configurations with every answer ≤ t, and
 * B = that mass times the summed mean reward of the answers sitting at t.
 * At s = k the configurations with j ≥ 1 are exactly those whose top count is t with j tied
 * answers, each winning with probability 1/j, so Σ_j B[k][j]/j is their share of maj@k.
 *
 * To keep every number in [0, 1] at any n, a group with m copies contributes the binomial
 * probabilities C(m, x)·q^x·(1−q)^(m−x) with q = k/n instead of C(m, x); the product over groups at
 * total k is C-weighted by the common factor q^k(1−q)^(n−k), removed by dividing by the binomial
 * probability of k out of n.
 */

/**
 * Operation count the programme would spend on one k; `majorityAtK` compares it with its
 * `exactLimit` to choose between this exact path and Monte Carlo.
 */
export function majorityExactCost(groups: AnswerGroups, k: number): number {
  const G = groups.counts.length
  if (G === 0 || k === groups.n) return 0
  const maxM = Math.max(...groups.counts)
  let cost = 0
  for (let t = 1; t <= Math.min(k, maxM); t++) cost += G * (k + 1) * (Math.min(G, Math.floor(k / t)) + 1) * (Math.min(t, maxM) + 1)
  return cost
}

/** Mean reward of the winning answers when the whole pool votes (k = n); abstentions only: their mean. */
function majorityOfAll(groups: AnswerGroups): number {
  if (groups.counts.length === 0) return groups.abstainMean
  const top = Math.max(...groups.counts)
  let sum = 0
  let tied = 0
  groups.counts.forEach((c, g) => {
    if (c === top) {
      sum += groups.meanRewards[g]!
      tied++
    }
  })
  return sum / tied
}

/**
 * Exact maj@k of one prompt for one k (1 ≤ k ≤ n, checked by the caller): the expected reward of
 * the majority answer of a uniformly random k-subset, ties between answers split evenly, the
 * winner earning its answer's mean reward; a subset of abstentions only earns their mean reward.
 * Cost: `majorityExactCost` operations.
 */
export function majorityExact(groups: AnswerGroups, k: number): number {
  const { n, counts, meanRewards, abstainCount } = groups
  if (k === n) return majorityOfAll(groups)
  const allAbstain = abstainCount >= k ? chooseRatio(abstainCount, n, k) * groups.abstainMean : 0
  const G = counts.length
  if (G === 0) return allAbstain
  const logQ = Math.log(k / n)
  const log1mQ = Math.log1p(-k / n)
  const binomialProbs = (m: number): Float64Array => {
    const top = Math.min(m, k)
    const out = new Float64Array(top + 1)
    for (let x = 0; x <= top; x++) out[x] = Math.exp(logChoose(m, x) + x * logQ + (m - x) * log1mQ)
    return out
  }
  const norm = Math.exp(logChoose(n, k) + k * logQ + (n - k) * log1mQ)
  const groupProbs = counts.map(binomialProbs)
  const abstainProbs = binomialProbs(abstainCount)
  const maxM = Math.max(...counts)

  let total = 0
  for (let t = 1; t <= Math.min(k, maxM); t++) {
    const J = Math.min(G, Math.floor(k / t))
    const W = J + 1
    let A = new Float64Array((k + 1) * W)
    let B = new Float64Array((k + 1) * W)
    let A2 = new Float64Array((k + 1) * W)
    let B2 = new Float64Array((k + 1) * W)
    for (let x = 0; x < abstainProbs.length; x++) A[x * W] = abstainProbs[x]!
    for (let g = 0; g < G; g++) {
      A2.fill(0)
      B2.fill(0)
      const probs = groupProbs[g]!
      const m = counts[g]!
      const reward = meanRewards[g]!
      const below = Math.min(t - 1, m)
      for (let s = 0; s <= k; s++) {
        for (let j = 0; j <= J; j++) {
          const a = A[s * W + j]!
          const b = B[s * W + j]!
          if (a === 0 && b === 0) continue
          const xTop = Math.min(below, k - s)
          for (let x = 0; x <= xTop; x++) {
            const p = probs[x]!
            A2[(s + x) * W + j] += a * p
            B2[(s + x) * W + j] += b * p
          }
          if (t <= m && s + t <= k && j < J) {
            const p = probs[t]!
            A2[(s + t) * W + j + 1] += a * p
            B2[(s + t) * W + j + 1] += (b + reward * a) * p
          }
        }
      }
      ;[A, A2] = [A2, A]
      ;[B, B2] = [B2, B]
    }
    for (let j = 1; j <= J; j++) total += B[k * W + j]! / j
  }
  return total / norm + allAbstain
}
