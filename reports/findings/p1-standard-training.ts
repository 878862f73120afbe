import { armMatrix, findArm, sharedPromptIds } from './arms.js'
import type { ArmData } from './arms.js'
import type { FindingsContext, PredictionPlan } from './context.js'
import { temperature } from './format.js'
import { planComparison } from './plan-check.js'
import { describeDiff } from './run-checks.js'
import { metricName, standardStrategies } from './strategy-targets.js'
import type { CheckResult, Fact, Finding, PlannedCheck } from './types.js'
import { decideChecks, evidenceSummary, largestMde } from './verdict.js'

const claim = 'SFT and RL with N′ = 1 lower pass@N and Bo-N at large N compared with the base model.'

/**
 * Where b − a turns negative for good along the grid: `below at every N`, `never below at the
 * largest N`, or `crosses below between N=a and N=b (≈ N*)` with N* interpolated on log₂ N. Pure.
 */
export function crossing(grid: readonly number[], diffs: readonly number[]): string {
  let first = diffs.length
  while (first > 0 && diffs[first - 1]! < 0) first--
  if (first === diffs.length) return `not below the base at the largest N (N=${grid[grid.length - 1]})`
  if (first === 0) return 'below the base at every N of the grid'
  const [n0, n1, d0, d1] = [grid[first - 1]!, grid[first]!, diffs[first - 1]!, diffs[first]!]
  const star = 2 ** (Math.log2(n0) + (d0 / (d0 - d1)) * (Math.log2(n1) - Math.log2(n0)))
  return `crosses below the base between N=${n0} and N=${n1} (N* ≈ ${star.toFixed(1)})`
}

/** The curve of b − a along the grid; where a tested check covers a point, its numbers are used (one number per quantity in the doc). */
function curveFacts(ctx: FindingsContext, base: ArmData, arm: ArmData, metric: 'passAtN' | 'bestOfN', tested: readonly CheckResult[]): Fact[] {
  const prompts = sharedPromptIds(base, arm)
  const grid = ctx.grid.filter((n) => base.grid.includes(n) && arm.grid.includes(n))
  const diffs = grid.map((n) => {
    const check = tested.find((c) => c.b.groupId === arm.groupId && c.metric === metric && c.n === n)
    if (check) return { diff: check.diff, ci: check.ci }
    return describeDiff(armMatrix(base, metric, n, prompts), armMatrix(arm, metric, n, prompts), {
      seed: ctx.seed,
      label: `P1:${arm.groupId}:${metric}@${n}`,
      resamples: ctx.resamples,
      level: ctx.level,
    })
  })
  const facts: Fact[] = grid.map((n, i) => ({ label: `${arm.label} − base, ${metricName(metric, n)}`, value: diffs[i]!.diff, ci: diffs[i]!.ci, unit: 'diff' }))
  facts.push({
    label: `${arm.label} vs base, ${metric === 'passAtN' ? 'pass@N' : 'Bo-N'} curve`,
    value: crossing(
      grid,
      diffs.map((d) => d.diff),
    ),
    unit: 'plain',
  })
  return facts
}

/**
 * P1: at the primary temperature, for each of `sft` and `rl` present, pass@Nmax and Bo-Nmax
 * minus the base's (Nmax the largest N of the grid), predicted negative. The curves' differences
 * at every N and where they cross are shown as descriptive facts.
 */
export function planP1(ctx: FindingsContext): PredictionPlan {
  const T = ctx.primaryTemperature
  const base = findArm(ctx.arms, 'base', T)
  const arms = standardStrategies.map((s) => findArm(ctx.arms, s, T, 1)).filter((a): a is ArmData => a !== undefined)
  const nMax = ctx.grid[ctx.grid.length - 1]!
  const method =
    `At T=${temperature(T)}, for each of sft and rl (N′ = 1) in the run: pass@${nMax} and Bo-${nMax} (N = ${nMax}, the largest of the grid) ` +
    'of the strategy minus the base, paired over prompts, predicted negative. Holds when every such difference is significantly negative ' +
    '(Holm); the differences at every N and where the curves cross are shown for context, untested.'
  const missing = (reason: string): PredictionPlan => ({
    checks: [],
    decide: () => ({
      id: 'P1',
      title: 'Standard training hurts large-N sampling',
      claim,
      method,
      verdict: 'not testable here',
      summary: reason,
      evidence: [],
      facts: [],
      mde: null,
      notes: [],
    }),
  })
  if (!base) return missing(`The run has no base model at T=${temperature(T)}.`)
  if (arms.length === 0) return missing('The run has neither sft nor rl (N′ = 1); run them (`--strategies sft,rl,…`) to test P1.')
  const checks: PlannedCheck[] = []
  for (const arm of arms) {
    for (const metric of ['passAtN', 'bestOfN'] as const) {
      const check = planComparison(base, arm, { prediction: 'P1', metric, n: nMax, expected: 'negative' })
      if (check) checks.push(check)
    }
  }
  const absent = standardStrategies.filter((s) => !arms.some((a) => a.strategy === s))
  // An arm evaluated on other prompts than the base (other ids) cannot be paired with it: no check, no curve.
  const unpaired = arms.filter((arm) => sharedPromptIds(base, arm).length === 0)
  const paired = arms.filter((arm) => !unpaired.includes(arm))
  const notes = [
    ...(absent.length > 0 ? [`Not in the run: ${absent.join(', ')} (the verdict covers the others only).`] : []),
    ...unpaired.map(
      (arm) => `${arm.label} shares no test prompt with the base at T=${temperature(T)} (other prompt ids): it is not compared and its curves are not shown.`,
    ),
  ]
  return {
    checks,
    decide: (results): Finding => {
      const evidence = checks.map((c) => results.get(c.id)!).filter((c): c is CheckResult => c !== undefined)
      const verdict = decideChecks(evidence)
      const facts = paired.flatMap((arm) => [...curveFacts(ctx, base, arm, 'passAtN', evidence), ...curveFacts(ctx, base, arm, 'bestOfN', evidence)])
      const summary = evidenceSummary(evidence)
      return {
        id: 'P1',
        title: 'Standard training hurts large-N sampling',
        claim,
        method,
        verdict,
        summary,
        evidence,
        facts,
        mde: largestMde(evidence),
        notes,
      }
    },
  }
}
