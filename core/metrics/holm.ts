import { BenchError } from '../errors.js'

/** Holm–Bonferroni outcome, aligned with the input p-values. */
export interface HolmResult {
  /** Holm-adjusted p-values: reject hypothesis i at level α exactly when adjusted[i] ≤ α. */
  adjusted: number[]
  reject: boolean[]
  alpha: number
}

/**
 * Holm–Bonferroni step-down correction for m simultaneous tests (the nightly comparison runs one
 * per cell). With p-values sorted ascending p(1) ≤ … ≤ p(m), adjusted p(i) =
 * max_{j ≤ i} min(1, (m − j + 1)·p(j)); controls the family-wise error rate at `alpha`
 * (default 0.05) under any dependence. Throws BENCH_USAGE for a p-value outside [0, 1].
 */
export function holm(pValues: readonly number[], alpha = 0.05): HolmResult {
  for (const p of pValues) {
    if (!(p >= 0 && p <= 1)) throw new BenchError('BENCH_USAGE', `holm: every p-value must lie in [0, 1] (got ${p})`)
  }
  const m = pValues.length
  const order = pValues.map((_, i) => i).sort((x, y) => pValues[x]! - pValues[y]!)
  const adjusted = new Array<number>(m)
  let running = 0
  order.forEach((idx, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[idx]!))
    adjusted[idx] = running
  })
  return { adjusted, reject: adjusted.map((p) => p <= alpha), alpha }
}
