import { checkClause } from './format.js'
import type { CheckResult, Verdict } from './types.js'

/**
 * The decision rule every tested prediction shares, applied to its primary comparisons:
 * - none → not testable here;
 * - any comparison significant (Holm) against the predicted direction → does not hold;
 * - every comparison significant in the predicted direction → holds;
 * - none significant, and every one that has a paper effect could have detected it (MDE ≤ paper
 *   effect; at least one has) → does not hold (no effect of the size the paper reports);
 * - otherwise (some significant and some not, or too little power) → inconclusive.
 * Pure.
 */
export function decideChecks(checks: readonly CheckResult[]): Verdict {
  if (checks.length === 0) return 'not testable here'
  if (checks.some((c) => c.outcome === 'contradicts')) return 'does not hold'
  if (checks.every((c) => c.outcome === 'supports')) return 'holds'
  const withPaper = checks.filter((c) => c.paperEffect !== undefined)
  if (checks.every((c) => c.outcome === 'null') && withPaper.length > 0 && withPaper.every((c) => c.powered)) return 'does not hold'
  return 'inconclusive'
}

/**
 * Joins the verdicts of a prediction's parts (P4: diversity and effort; P6: fit and best T): any
 * part that does not hold sinks the prediction; any untestable part leaves it untestable; all
 * holding make it hold; otherwise inconclusive. Pure.
 */
export function combineVerdicts(parts: readonly Verdict[]): Verdict {
  if (parts.length === 0) return 'not testable here'
  if (parts.includes('does not hold')) return 'does not hold'
  if (parts.includes('not testable here')) return 'not testable here'
  if (parts.every((v) => v === 'holds')) return 'holds'
  return 'inconclusive'
}

/** Counts of outcomes, for summaries: `3 of 4 significant in the predicted direction`. */
export function tally(checks: readonly CheckResult[]): string {
  const supports = checks.filter((c) => c.outcome === 'supports').length
  const contradicts = checks.filter((c) => c.outcome === 'contradicts').length
  const parts = [`${supports} of ${checks.length} significant in the predicted direction`]
  if (contradicts > 0) parts.push(`${contradicts} significant against it`)
  return parts.join(', ')
}

/**
 * The largest MDE among checks of rates (the effect size every one of them could detect), or null
 * when there is none; counts (distinct answers) are in other units and left out. Pure.
 */
export function largestMde(checks: readonly CheckResult[]): number | null {
  const rates = checks.filter((c) => c.metric !== 'distinctAtN')
  return rates.length > 0 ? Math.max(...rates.map((c) => c.mde)) : null
}

/**
 * A summary of checks for the doc: the tally, then the comparisons that decided against a clean
 * "holds" (those against the prediction, then those not significant) with their numbers; when
 * all support it, the weakest one. The full table follows it in the doc. Pure.
 */
export function evidenceSummary(checks: readonly CheckResult[]): string {
  if (checks.length === 0) return 'No comparison could be made.'
  const against = checks.filter((c) => c.outcome === 'contradicts')
  const nulls = checks.filter((c) => c.outcome === 'null')
  const parts = [`${tally(checks)}.`]
  if (against.length > 0) parts.push(`Against the prediction: ${against.map(checkClause).join('; ')}.`)
  if (nulls.length > 0) parts.push(`Not significant: ${nulls.map(checkClause).join('; ')}.`)
  if (against.length === 0 && nulls.length === 0) {
    const weakest = [...checks].sort((x, y) => Math.abs(x.diff) - Math.abs(y.diff))[0]!
    parts.push(`Smallest: ${checkClause(weakest)}.`)
  }
  return parts.join(' ')
}
