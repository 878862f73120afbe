import { estimateOfMatrix } from '../group-estimate.js'
import { armMatrix } from './arms.js'
import type { ArmData } from './arms.js'
import type { FindingsContext, PredictionPlan } from './context.js'
import { temperature } from './format.js'
import { bonAwareArms } from './p2-trained-metric.js'
import { planComparison } from './plan-check.js'
import { metricName } from './strategy-targets.js'
import type { CheckResult, Fact, Finding, PlannedCheck } from './types.js'
import { decideChecks, evidenceSummary, largestMde } from './verdict.js'

const title = 'Train-time and test-time verifiers must match'
const claim =
  'bon-rl-v (trained with the learned verifier) is best on Bo-N accuracy; bon-rl-s and bon-rlb (trained with the environment reward) are best on pass@N.'
const pass = ['bon-rl-s', 'bon-rlb'] as const

/**
 * Every arm's seed-pooled estimate at N with its 95% CI, ranked: a group of results.json as
 * `groups[]` has it (the numbers the doc's curves print); any other arm — study v2's arm at matched
 * KL or at its best checkpoint — computed from its cells as results.json computes a group's (the
 * two-level bootstrap of its seeds and prompts), so every arm ranks, not only the base.
 */
function rankFacts(ctx: FindingsContext, arms: readonly ArmData[], n: number): Fact[] {
  const facts: Fact[] = []
  const opts = { resamples: ctx.resamples, level: ctx.level, seed: ctx.seed }
  for (const metric of ['bestOfN', 'passAtN'] as const) {
    const rows = arms.map((arm) => {
      const group = ctx.results.groups.find((g) => g.groupId === arm.groupId)
      const estimate = group?.[metric][group.grid.indexOf(n)] ?? estimateOfMatrix(armMatrix(arm, metric, n, arm.promptIds), opts, arm.groupId)
      return { arm, value: estimate.value, ci: estimate.ci }
    })
    const order = [...rows].sort((x, y) => y.value - x.value || x.arm.label.localeCompare(y.arm.label))
    for (const row of order)
      facts.push({
        label: `${metricName(metric, n)}: ${row.arm.label} (rank ${order.indexOf(row) + 1} of ${rows.length})`,
        value: row.value,
        ci: row.ci,
        unit: 'rate',
      })
  }
  return facts
}

/**
 * P3: at the primary temperature and each N′ where bon-rl-v and bon-rl-s or bon-rlb both trained:
 * bon-rl-v minus each of them on Bo-N′ (predicted positive) and each of them minus bon-rl-v on
 * pass@N′ (predicted positive). Every arm's Bo-N′ and pass@N′ with their ranks are shown as facts.
 */
export function planP3(ctx: FindingsContext): PredictionPlan {
  const T = ctx.primaryTemperature
  const { arms } = bonAwareArms(ctx, T)
  const method =
    `At T=${temperature(T)} and each N′ where bon-rl-v and at least one of bon-rl-s and bon-rlb were trained: bon-rl-v minus each of them on Bo-N′ ` +
    'and each of them minus bon-rl-v on pass@N′, paired over prompts, all predicted positive. Holds when all are significantly positive (Holm). ' +
    'The ranks of every arm at that temperature on both metrics (with 95% CIs) are shown for context.'
  const checks: PlannedCheck[] = []
  const facts: Fact[] = []
  for (const v of arms.filter((a) => a.strategy === 'bon-rl-v')) {
    const others = arms.filter((a) => (pass as readonly string[]).includes(a.strategy) && a.nTrain === v.nTrain)
    if (others.length === 0) continue
    for (const x of others) {
      const onBon = planComparison(x, v, { prediction: 'P3', metric: 'bestOfN', n: v.nTrain, expected: 'positive' })
      const onPass = planComparison(v, x, { prediction: 'P3', metric: 'passAtN', n: v.nTrain, expected: 'positive' })
      if (onBon) checks.push(onBon)
      if (onPass) checks.push(onPass)
    }
    facts.push(
      ...rankFacts(
        ctx,
        ctx.arms.filter((a) => a.temperature === T && a.grid.includes(v.nTrain)),
        v.nTrain,
      ),
    )
  }
  const present = new Set(arms.map((a) => a.strategy))
  const why = !present.has('bon-rl-v')
    ? 'The run has no bon-rl-v (N′ ≥ 2); P3 needs it and bon-rl-s or bon-rlb at the same N′.'
    : 'The run has bon-rl-v but neither bon-rl-s nor bon-rlb at the same N′; P3 needs one of them.'
  return {
    checks,
    decide: (results): Finding => {
      const evidence = checks.map((c) => results.get(c.id)).filter((c): c is CheckResult => c !== undefined)
      if (evidence.length === 0) return { id: 'P3', title, claim, method, verdict: 'not testable here', summary: why, evidence, facts, mde: null, notes: [] }
      return {
        id: 'P3',
        title,
        claim,
        method,
        verdict: decideChecks(evidence),
        summary: evidenceSummary(evidence),
        evidence,
        facts,
        mde: largestMde(evidence),
        notes: [],
      }
    },
  }
}
