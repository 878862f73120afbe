/**
 * The exact N-subset averages behind the `pass-at-k` rule, in closed form (no enumeration).
 *
 * For a group of K samples with selector scores r and rewards R, let f(S) = R of the BoN pick of
 * an N-subset S (the highest r; ties split evenly, i.e. the mean R of the tied top members).
 * Returns, for every sample i:
 * - `withSample[i]`  = mean of f(S) over the C(K−1, N−1) subsets S that contain i;
 * - `withoutSample[i]` = mean of f(S) over the C(K−1, N) subsets of the other K−1 samples
 *   (NaN when K − 1 < N).
 * Counting: j is the pick of S with probability 1/e when S ⊆ {r ≤ r_j}, j ∈ S and e members of S
 * tie with j; summing C(tied, t)·C(lower, rest)/(t + 1) over t counts those subsets.
 * O(K²·N); exact in float64 while the binomials stay below 1e308 (K up to about 1000).
 */
export function subsetCredit(scores: readonly number[], rewards: readonly number[], n: number): { withSample: number[]; withoutSample: number[] } {
  const k = scores.length
  const binom = pascal(k)
  const choose = (a: number, b: number): number => (b < 0 || a < 0 || b > a ? 0 : binom[a]![b]!)
  const lower = scores.map((s) => scores.filter((t) => t < s).length)
  const equal = scores.map((s) => scores.filter((t) => t === s).length)
  // Σ_t C(tied, t)·C(low, rest − t) / (t + shift): subsets of size `rest` drawn around the pick.
  const ways = (tied: number, low: number, rest: number, shift: number): number => {
    let total = 0
    for (let t = 0; t <= rest; t++) total += (choose(tied, t) * choose(low, rest - t)) / (t + shift)
    return total
  }
  const withSample: number[] = []
  const withoutSample: number[] = []
  const withCount = choose(k - 1, n - 1)
  const withoutCount = choose(k - 1, n)
  for (let i = 0; i < k; i++) {
    let inSum = 0
    let outSum = 0
    for (let j = 0; j < k; j++) {
      const rj = rewards[j]!
      if (rj === 0) continue
      const L = lower[j]!
      const E = equal[j]!
      if (j === i) {
        inSum += rj * ways(E - 1, L, n - 1, 1)
        continue
      }
      if (scores[i]! < scores[j]!) inSum += rj * ways(E - 1, L - 1, n - 2, 1)
      else if (scores[i]! === scores[j]!) inSum += rj * ways(E - 2, L, n - 2, 2)
      // Without i: j's lower and tied counts lose i where i was among them.
      const Lo = L - (scores[i]! < scores[j]! ? 1 : 0)
      const Eo = E - (scores[i]! === scores[j]! ? 1 : 0)
      outSum += rj * ways(Eo - 1, Lo, n - 1, 1)
    }
    withSample.push(inSum / withCount)
    withoutSample.push(withoutCount > 0 ? outSum / withoutCount : NaN)
  }
  return { withSample, withoutSample }
}

function pascal(k: number): number[][] {
  const rows: number[][] = [[1]]
  for (let a = 1; a <= k; a++) {
    const prev = rows[a - 1]!
    const row = [1]
    for (let b = 1; b < a; b++) row.push(prev[b - 1]! + prev[b]!)
    row.push(1)
    rows.push(row)
  }
  return rows
}
