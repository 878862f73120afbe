/**
 * Exact area under the ROC curve of `scores` against binary `labels` (1 = positive), with
 * tied scores counted as ½ — the Mann–Whitney U statistic divided by P·N, from mid-ranks after
 * one sort (O(n log n)). Runs after training on the held-out samples.
 * Returns null when either class is empty (the AUC is undefined there). Throws on length mismatch.
 */
export function exactAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  if (scores.length !== labels.length) {
    throw new Error(`exactAuc: ${scores.length} scores but ${labels.length} labels`)
  }
  const n = scores.length
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!)
  let positives = 0
  let positiveRankSum = 0
  let i = 0
  while (i < n) {
    // A block of tied scores shares the mean of the ranks it spans (1-based ranks i+1 … j).
    let j = i
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++
    const midRank = (i + 1 + (j + 1)) / 2
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!] === 1) {
        positives++
        positiveRankSum += midRank
      }
    }
    i = j + 1
  }
  const negatives = n - positives
  if (positives === 0 || negatives === 0) return null
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives)
}

/** What `aucBootstrapCi` draws with: any seeded integer source (core's Rng fits). */
export interface IntSource {
  /** A uniform integer in [0, n). */
  int(n: number): number
}

/** How `aucBootstrapCi` resamples. */
export interface AucCiOptions {
  rng: IntSource
  /** Bootstrap replicates (default 1000). */
  resamples?: number
  /** Two-sided coverage (default 0.95). */
  level?: number
  /**
   * `prompts` (default): the cluster bootstrap — draw prompts with replacement and keep each drawn
   * prompt's samples as they are. `prompts-then-samples`: also redraw each drawn prompt's samples
   * with replacement (the nested two-level scheme); it counts the within-prompt noise twice, so its
   * interval is wider than its nominal level (measured coverage 98–99% at 95%, against 92–95% for
   * `prompts`, on planted clustered scores; see the tests).
   */
  resample?: 'prompts' | 'prompts-then-samples'
}

/** Linear interpolation between order statistics of ascending `sorted`. */
function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

/**
 * Percentile bootstrap interval of the AUC for samples clustered by prompt (`groups[i]` names
 * sample i's prompt): each replicate draws the prompts with replacement and takes every sample of
 * each drawn prompt (option `resample` also redraws those samples). A prompt's samples are not
 * independent — they share its difficulty and its features — so resampling samples alone gives
 * too narrow an interval; resampling prompts keeps that structure. The AUC of a
 * replicate is the weighted Mann–Whitney statistic over the multiplicities, ties counting ½, in one
 * pass over the samples sorted once by score (O(n) per replicate). Replicates that miss a class
 * are skipped; returns null when the AUC itself is undefined or more than half the replicates miss
 * a class. Seeded by `rng`: the same draws give the same interval.
 */
export function aucBootstrapCi(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  groups: ArrayLike<string>,
  options: AucCiOptions,
): [number, number] | null {
  const n = scores.length
  if (labels.length !== n || groups.length !== n) {
    throw new Error(`aucBootstrapCi: ${n} scores, ${labels.length} labels and ${groups.length} groups`)
  }
  if (exactAuc(scores, labels) === null) return null
  const resamples = options.resamples ?? 1000
  const level = options.level ?? 0.95
  const nested = options.resample === 'prompts-then-samples'
  const members = new Map<string, number[]>()
  for (let i = 0; i < n; i++) {
    const list = members.get(groups[i]!)
    if (list) list.push(i)
    else members.set(groups[i]!, [i])
  }
  const prompts = [...members.values()]
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!)
  // Tie blocks of the sorted order: block k spans order[blockStart[k]] … order[blockStart[k+1] − 1].
  const blockStart: number[] = []
  for (let k = 0; k < n; k++) if (k === 0 || scores[order[k]!] !== scores[order[k - 1]!]) blockStart.push(k)
  blockStart.push(n)
  const weight = new Float64Array(n)
  const replicates: number[] = []
  for (let b = 0; b < resamples; b++) {
    weight.fill(0)
    for (let p = 0; p < prompts.length; p++) {
      const chosen = prompts[options.rng.int(prompts.length)]!
      if (nested) for (let s = 0; s < chosen.length; s++) weight[chosen[options.rng.int(chosen.length)]!]!++
      else for (const i of chosen) weight[i]!++
    }
    let negativesBelow = 0
    let positives = 0
    let wins = 0
    for (let k = 0; k + 1 < blockStart.length; k++) {
      let pos = 0
      let neg = 0
      for (let m = blockStart[k]!; m < blockStart[k + 1]!; m++) {
        const i = order[m]!
        if (labels[i] === 1) pos += weight[i]!
        else neg += weight[i]!
      }
      wins += pos * (negativesBelow + neg / 2)
      negativesBelow += neg
      positives += pos
    }
    if (positives > 0 && negativesBelow > 0) replicates.push(wins / (positives * negativesBelow))
  }
  if (replicates.length < resamples / 2) return null
  const sorted = Float64Array.from(replicates).sort()
  return [quantile(sorted, (1 - level) / 2), quantile(sorted, 1 - (1 - level) / 2)]
}
