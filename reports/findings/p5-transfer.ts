import { findArm } from './arms.js'
import type { FindingsContext, PredictionPlan } from './context.js'
import { temperature } from './format.js'
import { bonAwareArms } from './p2-trained-metric.js'
import { planComparison } from './plan-check.js'
import { paperEffects } from './power.js'
import { bonAwareTargets } from './strategy-targets.js'
import type { CheckResult, Fact, Finding, PlannedCheck } from './types.js'
import { decideChecks, evidenceSummary, largestMde } from './verdict.js'

const title = 'The gain carries to other N and T'
const claim = 'The gain of BoN-aware training carries over to test N other than the trained N′ and to other sampling temperatures.'

/**
 * P5: for each BoN-aware arm at the primary temperature, its trained-for metric minus the base's
 * (a) at every N ≥ 2 of the grid other than N′, at the primary temperature, and (b) at N′ at every
 * other temperature (the same strategy and N′ trained and evaluated there); all predicted positive.
 */
export function planP5(ctx: FindingsContext): PredictionPlan {
  const T = ctx.primaryTemperature
  const base = findArm(ctx.arms, 'base', T)
  const { arms } = bonAwareArms(ctx, T)
  // Temperatures where strategies trained; base-only (inference) temperatures serve P6 alone.
  const others = ctx.temperatures.filter((t) => t !== T && ctx.arms.some((a) => a.temperature === t && a.strategy !== 'base'))
  const method =
    `For each BoN-aware strategy, its trained-for metric (as in P2) minus the base's: at every N ≥ 2 of the grid other than its N′, at T=${temperature(T)}; ` +
    `and at N′ at every other temperature where the strategies trained (${others.length > 0 ? others.map(temperature).join(', ') : 'none'}). ` +
    'In this harness a temperature is a whole pipeline: the strategy trains and is evaluated at it, so (b) asks whether the gain recurs at another T, ' +
    'not whether a model trained at one T keeps it at another. All differences are predicted positive; holds when all are significantly positive (Holm).'
  const checks: PlannedCheck[] = []
  const notes: string[] = []
  for (const arm of base ? arms : []) {
    const metric = bonAwareTargets[arm.strategy]!
    const paper = paperEffects[metric]
    for (const n of ctx.grid.filter((n) => n >= 2 && n !== arm.nTrain)) {
      const check = planComparison(base!, arm, { prediction: 'P5', metric, n, expected: 'positive', paper })
      if (check) checks.push(check)
    }
    for (const t of others) {
      const [b, a] = [findArm(ctx.arms, 'base', t), findArm(ctx.arms, arm.strategy, t, arm.nTrain)]
      if (!b || !a) {
        notes.push(`${arm.label}: no ${!b ? 'base' : arm.strategy} at T=${temperature(t)}.`)
        continue
      }
      const check = planComparison(b, a, { prediction: 'P5', metric, n: arm.nTrain, expected: 'positive', paper })
      if (check) checks.push(check)
    }
  }
  const why = !base
    ? `The run has no base model at T=${temperature(T)}.`
    : arms.length === 0
      ? 'The run has no BoN-aware strategy with N′ ≥ 2 in the grid.'
      : 'The grid has no N ≥ 2 besides N′ and the run has one temperature: nothing to carry the gain to.'
  return {
    checks,
    decide: (results): Finding => {
      const evidence = checks.map((c) => results.get(c.id)).filter((c): c is CheckResult => c !== undefined)
      if (evidence.length === 0) return { id: 'P5', title, claim, method, verdict: 'not testable here', summary: why, evidence, facts: [], mde: null, notes }
      const positive = evidence.filter((c) => c.diff > 0).length
      const facts: Fact[] = [{ label: 'differences with a positive point estimate', value: `${positive} of ${evidence.length}`, unit: 'plain' }]
      return {
        id: 'P5',
        title,
        claim,
        method,
        verdict: decideChecks(evidence),
        summary: `${positive} of ${evidence.length} differences are positive. ${evidenceSummary(evidence)}`,
        evidence,
        facts,
        mde: largestMde(evidence),
        notes,
      }
    },
  }
}
