import { checkClause } from './format.js'
import type { CheckResult, Verdict } from './types.js'

/**
 * True when a check's interval (`ci`, the report's percentile CI of b − a) lies wholly short of the
 * paper's effect in the predicted direction: the upper bound below +|effect| for a predicted
 * increase, the lower bound above −|effect| for a predicted decrease. False without a paper effect.
 * Pure.
 */
export function excludesPaperEffect(c: Pick<CheckResult, 'ci' | 'expected' | 'paperEffect'>): boolean {
  if (c.paperEffect === undefined) return false
  const effect = Math.abs(c.paperEffect)
  return c.expected === 'positive' ? c.ci[1] < effect : c.ci[0] > -effect
}

/**
 * The decision rule every tested prediction shares, applied to its primary comparisons:
 * - none → not testable here;
 * - any comparison significant (Holm) against the predicted direction → does not hold;
 * - every comparison significant in the predicted direction → holds;
 * - none significant, at least one has a paper effect, and every one that has one both could have
 *   detected it (MDE ≤ paper effect: `powered`) and has an interval that excludes it
 *   ({@link excludesPaperEffect}) → does not hold (no effect of the size the paper reports). A
 *   powered null whose interval still holds the paper's effect misses a real effect of that size
 *   one time in five, so it does not count;
 * - otherwise (some significant and some not, too little power, or the paper's effect still in an
 *   interval) → inconclusive.
 * Pure.
 */
export function decideChecks(checks: readonly CheckResult[]): Verdict {
  if (checks.length === 0) return 'not testable here'
  if (checks.some((c) => c.outcome === 'contradicts')) return 'does not hold'
  if (checks.every((c) => c.outcome === 'supports')) return 'holds'
  const withPaper = checks.filter((c) => c.paperEffect !== undefined)
  if (checks.every((c) => c.outcome === 'null') && withPaper.length > 0 && withPaper.every((c) => c.powered && excludesPaperEffect(c))) return 'does not hold'
  return 'inconclusive'
}

/**
 * Joins the verdicts of a prediction's parts (P4: diversity and effort; P6: fit and best T): any
 * part that does not hold sinks the prediction; any untestable part leaves it untestable (a
 * prediction tested in part is not shown to hold by the part tested: the finding's summary gives each
 * part's own verdict); all holding make it hold; otherwise inconclusive. Pure.
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
