/**
 * F̂_ref(s) = (#{reference scores ≤ s} + 1) / (M + 1): the rank of a score among the M reference
 * samples and itself — the empirical CDF of DESIGN §2.1, kept inside [1/(M+1), 1] so its log is
 * finite. Returns the function; sorting once makes each call O(log M).
 */
export function referenceCdf(referenceScores: readonly number[]): (score: number) => number {
  const sorted = [...referenceScores].sort((a, b) => a - b)
  const m = sorted.length
  return (score) => {
    let lo = 0
    let hi = m
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (sorted[mid]! <= score) lo = mid + 1
      else hi = mid
    }
    return (lo + 1) / (m + 1)
  }
}
