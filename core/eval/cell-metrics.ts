import { bestOfN } from '../metrics/best-of-n.js'
import { bootstrapCI } from '../metrics/bootstrap.js'
import { distinctAtK } from '../metrics/distinct-at-k.js'
import { majorityAtK } from '../metrics/majority-at-k.js'
import { countCorrect, passAtKCurve } from '../metrics/pass-at-k.js'
import { selectionAtK, selectionUnavailable } from '../metrics/selection-at-k.js'
import { type SelectionRule, extraSelectionRules, selectionRuleId, selectionRuleLabel } from '../metrics/selection-rules.js'
import { deriveSeed } from '../rng.js'
import type { CellMetrics, Interval, PromptMetrics, PromptPool, SelectionRuleCurve } from '../plugin-api/results.js'

/** Settings of `computeCellMetrics`. */
export interface CellMetricsOptions {
  nGrid: readonly number[]
  /** pass@N counts reward ≥ threshold. */
  threshold: number
  /** Bootstrap resamples for the CIs over prompts. */
  bootstrap: number
  seed: number
  /**
   * Selection rules to evaluate beside Bo-N and maj@N (`eval.selectionRules`). Bo-N (`argmax`) and
   * maj@N (`majority`) are always computed and add nothing here; without other rules the result
   * is exactly what it was before rules existed (no `selection` fields).
   */
  selectionRules?: readonly SelectionRule[]
}

/**
 * Every DESIGN §2.3 metric of one cell from its pools, for every N of the grid: per prompt
 * (pass@N, Bo-N, maj@N, p_fail) and the means over prompts with 95% bootstrap CIs over prompts.
 * N values above a prompt's pool size are skipped by the planner's check (poolSize ≥ max N).
 */
export function computeCellMetrics(pools: readonly PromptPool[], opts: CellMetricsOptions): { metrics: CellMetrics; prompts: PromptMetrics[] } {
  const grid = [...opts.nGrid]
  const majorityErr: number[][] = []
  const rules = extraSelectionRules(opts.selectionRules ?? [])
  // A rule whose inputs some pool lacks is absent for the whole cell, so its mean covers every prompt or none.
  const absent = new Map(
    rules.flatMap((rule) => {
      const reason = pools.map((p) => selectionUnavailable(rule, p.samples)).find((r) => r !== undefined)
      return reason ? [[selectionRuleId(rule), reason] as const] : []
    }),
  )
  const computed = rules.filter((rule) => !absent.has(selectionRuleId(rule)))
  const selectionErr = new Map(computed.map((rule) => [selectionRuleId(rule), [] as number[][]]))
  const selectionExact = new Map(computed.map((rule) => [selectionRuleId(rule), grid.map(() => true)]))
  const prompts: PromptMetrics[] = pools.map((pool) => {
    const rewards = pool.samples.map((s) => s.reward)
    const n = rewards.length
    const c = countCorrect(rewards, opts.threshold)
    const majority = majorityAtK(pool.samples, grid, { seed: deriveSeed(opts.seed, pool.promptId) })
    majorityErr.push(majority.stdErr)
    const prompt: PromptMetrics = {
      promptId: pool.promptId,
      passAtN: passAtKCurve(n, c, grid),
      bestOfN: bestOfN(pool.samples, grid),
      majorityAtN: majority.values,
      pFail: 1 - c / n,
      distinctAtN: distinctAtK(pool.samples, grid),
    }
    if (rules.length > 0) {
      prompt.selection = {}
      for (const rule of computed) {
        const id = selectionRuleId(rule)
        const curve = selectionAtK(pool.samples, grid, rule, { seed: deriveSeed(opts.seed, pool.promptId, 'selection') })
        prompt.selection[id] = curve.values
        selectionErr.get(id)!.push(curve.stdErr)
        curve.exact.forEach((e, i) => {
          if (!e) selectionExact.get(id)![i] = false
        })
      }
    }
    return prompt
  })
  const column = (pick: (p: PromptMetrics) => number[], i: number) => prompts.map((p) => pick(p)[i]!)
  const meanOf = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
  const ci = (values: number[], label: string): Interval => {
    const b = bootstrapCI(values, { seed: deriveSeed(opts.seed, label), resamples: opts.bootstrap })
    return [b.lower, b.upper]
  }
  const curve = (pick: (p: PromptMetrics) => number[]) => grid.map((_, i) => meanOf(column(pick, i)))
  const curveCI = (pick: (p: PromptMetrics) => number[], name: string) => grid.map((n, i) => ci(column(pick, i), `${name}@${n}`))
  const allRewards = pools.flatMap((p) => p.samples.map((s) => s.reward))
  const metrics: CellMetrics = {
    grid,
    passAtN: curve((p) => p.passAtN),
    bestOfN: curve((p) => p.bestOfN),
    majorityAtN: curve((p) => p.majorityAtN),
    // SE of a mean of independent per-prompt estimates.
    majorityStdErr: grid.map((_, i) => Math.sqrt(majorityErr.reduce((a, e) => a + e[i]! ** 2, 0)) / prompts.length),
    distinctAtN: curve((p) => p.distinctAtN!),
    pass1: meanOf(
      pools.map(
        (p) =>
          countCorrect(
            p.samples.map((s) => s.reward),
            opts.threshold,
          ) / p.samples.length,
      ),
    ),
    meanReward: meanOf(allRewards),
    ci: { passAtN: curveCI((p) => p.passAtN, 'pass'), bestOfN: curveCI((p) => p.bestOfN, 'bon'), majorityAtN: curveCI((p) => p.majorityAtN, 'maj') },
    threshold: opts.threshold,
  }
  if (rules.length > 0) {
    metrics.selection = rules.map((rule): SelectionRuleCurve => {
      const id = selectionRuleId(rule)
      const label = selectionRuleLabel(rule)
      const reason = absent.get(id)
      if (reason !== undefined) return { state: 'absent', rule: id, label, reason }
      const pick = (p: PromptMetrics) => p.selection![id]!
      const errs = selectionErr.get(id)!
      return {
        state: 'computed',
        rule: id,
        label,
        values: curve(pick),
        stdErr: grid.map((_, i) => Math.sqrt(errs.reduce((a, e) => a + e[i]! ** 2, 0)) / prompts.length),
        exact: selectionExact.get(id)!,
        ci: curveCI(pick, id),
      }
    })
  }
  return { metrics, prompts }
}
