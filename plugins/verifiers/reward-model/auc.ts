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
