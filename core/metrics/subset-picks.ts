import type { AnswerGroups } from './answer-groups.js'

/**
 * The expected reward of one rule's pick from a given subset S of a pool (the first k entries of
 * `subset`, sample indices) — the per-subset values that core/metrics/selection-at-k.ts averages
 * over all N-subsets. Each function averages ties (and a stochastic rule's draw) exactly, so
 * a Monte Carlo estimate over subsets is Rao–Blackwellised. Pure; O(k) per call.
 */

/** What the per-subset rules read from a pool, built once per prompt. */
export interface PoolView {
  rewards: Float64Array
  scores: Float64Array
  /** The pool grouped by final answer (abstentions: group −1). */
  groups: AnswerGroups
  /** Equivalence class of each sample under the rbon-wd cost (0 cost within a class), 0..classes−1. */
  costClass?: Int32Array
  classes?: number
}

/**
 * Weighted majority: the final answer whose members in S have the largest summed score r; ties
 * (equal sums) split evenly; the winner earns the mean reward of its members in S (a uniformly
 * random representative). Samples without an answer cast no vote; a subset of abstentions only
 * earns their mean reward in S. `sums`, `rewardSums`, `members` and `touched` are scratch buffers
 * of one entry per answer.
 */
export function weightedMajorityPick(view: PoolView, subset: Int32Array, k: number, scratch: WeightedScratch): number {
  const { groupOf } = view.groups
  const { sums, rewardSums, members, touched } = scratch
  let nTouched = 0
  let abstainSum = 0
  for (let i = 0; i < k; i++) {
    const s = subset[i]!
    const g = groupOf[s]!
    if (g < 0) {
      abstainSum += view.rewards[s]!
      continue
    }
    if (!seenIn(touched, nTouched, g)) {
      touched[nTouched++] = g
      sums[g] = 0
      rewardSums[g] = 0
      members[g] = 0
    }
    sums[g] += view.scores[s]!
    rewardSums[g] += view.rewards[s]!
    members[g]++
  }
  if (nTouched === 0) return abstainSum / k
  let top = -Infinity
  for (let t = 0; t < nTouched; t++) top = Math.max(top, sums[touched[t]!]!)
  let tiedSum = 0
  let tied = 0
  for (let t = 0; t < nTouched; t++) {
    const g = touched[t]!
    if (sums[g] === top) {
      tiedSum += rewardSums[g]! / members[g]!
      tied++
    }
  }
  return tiedSum / tied
}

/** Scratch buffers of {@link weightedMajorityPick}, one entry per distinct answer of the pool. */
export interface WeightedScratch {
  sums: Float64Array
  rewardSums: Float64Array
  members: Int32Array
  touched: Int32Array
}

/** Fresh scratch buffers for a pool with `answers` distinct answers. */
export function weightedScratch(answers: number): WeightedScratch {
  return { sums: new Float64Array(answers), rewardSums: new Float64Array(answers), members: new Int32Array(answers), touched: new Int32Array(answers) }
}

function seenIn(list: Int32Array, length: number, value: number): boolean {
  for (let i = 0; i < length; i++) if (list[i] === value) return true
  return false
}

/**
 * RBoN-WD: argmax over y ∈ S of r(y) − β·(1/k)·Σ_{y′∈S} c(y, y′), c the 0/1 cost of `costClass`
 * (so the sum is k minus the members of y's class in S); ties split evenly (mean R of the tied).
 */
export function rbonWdPick(view: PoolView, subset: Int32Array, k: number, beta: number, counts: Int32Array): number {
  const costClass = view.costClass!
  for (let i = 0; i < k; i++) counts[costClass[subset[i]!]!] = 0
  for (let i = 0; i < k; i++) counts[costClass[subset[i]!]!]++
  let top = -Infinity
  let tiedSum = 0
  let tied = 0
  for (let i = 0; i < k; i++) {
    const s = subset[i]!
    const objective = view.scores[s]! - (beta * (k - counts[costClass[s]!]!)) / k
    if (objective > top) {
      top = objective
      tiedSum = view.rewards[s]!
      tied = 1
    } else if (objective === top) {
      tiedSum += view.rewards[s]!
      tied++
    }
  }
  return tiedSum / tied
}

/** SRBoN-KL: E[R] of a draw from softmax(r/β) over S (computed stably, the largest r/β subtracted). */
export function srbonKlPick(view: PoolView, subset: Int32Array, k: number, beta: number): number {
  let top = -Infinity
  for (let i = 0; i < k; i++) top = Math.max(top, view.scores[subset[i]!]! / beta)
  let z = 0
  let weighted = 0
  for (let i = 0; i < k; i++) {
    const s = subset[i]!
    const w = Math.exp(view.scores[s]! / beta - top)
    z += w
    weighted += w * view.rewards[s]!
  }
  return weighted / z
}
