import { findArm } from './arms.js'
import type { ArmData } from './arms.js'
import type { FindingsContext, PredictionPlan } from './context.js'
import { temperature } from './format.js'
import { planComparison } from './plan-check.js'
import { paperEffects } from './power.js'
import { bonAwareTargets, isBonAware, metricName, standardStrategies } from './strategy-targets.js'
import type { CheckResult, Finding, PlannedCheck } from './types.js'
import { decideChecks, evidenceSummary, largestMde } from './verdict.js'

const title = 'BoN-aware training wins on its own metric'
const claim = 'BoN-aware training wins on the metric it trained for, at the N′ it trained with.'

/** The BoN-aware arms at a temperature whose N′ is above 1 and in the grid, and notes on the others. */
export function bonAwareArms(ctx: FindingsContext, T: number): { arms: ArmData[]; notes: string[] } {
  const notes: string[] = []
  const arms = ctx.arms
    .filter((a) => a.temperature === T && isBonAware(a.strategy))
    .filter((a) => {
      if (a.nTrain < 2) notes.push(`${a.label} trained with N′ = ${a.nTrain}: it reduces to standard training, left out.`)
      else if (!a.grid.includes(a.nTrain)) notes.push(`${a.label}: N′ = ${a.nTrain} is not in the evaluation grid, left out.`)
      else return true
      return false
    })
  return { arms, notes }
}

/**
 * P2: at the primary temperature, each BoN-aware arm's trained-for metric at N = N′ (Bo-N′ for
 * verifier-trained strategies, pass@N′ for reward-trained ones; see strategy-targets.ts) minus the
 * base's, minus rl's and minus sft's where present; predicted positive.
 */
export function planP2(ctx: FindingsContext): PredictionPlan {
  const T = ctx.primaryTemperature
  const base = findArm(ctx.arms, 'base', T)
  const { arms, notes } = bonAwareArms(ctx, T)
  // Study v2: a verifier-trained arm is also compared with rl trained on the same verifier reward.
  const rlOnR = findArm(ctx.arms, 'rl-on-r', T, 1)
  const method =
    `At T=${temperature(T)}, for each BoN-aware strategy in the run, its trained-for metric at its own N′ — Bo-N′ for bon-rl-v, bon-rl, bon-sft, vbon, bond and pass-at-k ` +
    '(they select or reward with the learned verifier), pass@N′ for bon-rl-s, bon-rlb and bon-rlb-p (they select and reward with the environment reward) — ' +
    `minus the same metric of the base, of rl and of sft (those present)${rlOnR ? ' and, for the verifier-trained ones, of rl-on-r (rl on the verifier reward r)' : ''}, paired over prompts, predicted positive. Holds when every difference is significantly positive (Holm); ` +
    'it does not hold when none is significant although every comparison with a paper effect (against the base; pass@N against rl) could have detected it and its interval excludes it.'
  const finding = (rest: Pick<Finding, 'verdict' | 'summary' | 'evidence' | 'mde'> & { extraNotes?: string[] }): Finding => ({
    id: 'P2',
    title,
    claim,
    method,
    verdict: rest.verdict,
    summary: rest.summary,
    evidence: rest.evidence,
    facts: [],
    mde: rest.mde,
    notes: [...notes, ...(rest.extraNotes ?? [])],
  })
  if (!base)
    return {
      checks: [],
      decide: () => finding({ verdict: 'not testable here', summary: `The run has no base model at T=${temperature(T)}.`, evidence: [], mde: null }),
    }
  if (arms.length === 0) {
    return {
      checks: [],
      decide: () =>
        finding({
          verdict: 'not testable here',
          summary: 'The run has no BoN-aware strategy with N′ ≥ 2 in the grid (e.g. `--strategies bon-rl-v,bon-rl-s`).',
          evidence: [],
          mde: null,
        }),
    }
  }
  const references = [base, ...standardStrategies.map((s) => findArm(ctx.arms, s, T, 1)).filter((a): a is ArmData => a !== undefined)]
  const checks: PlannedCheck[] = []
  for (const arm of arms) {
    const metric = bonAwareTargets[arm.strategy]!
    for (const ref of metric === 'bestOfN' && rlOnR ? [...references, rlOnR] : references) {
      const paper = ref.strategy === 'base' ? paperEffects[metric] : ref.strategy === 'rl' && metric === 'passAtN' ? paperEffects.passAtNVsRl : undefined
      const check = planComparison(ref, arm, { prediction: 'P2', metric, n: arm.nTrain, expected: 'positive', ...(paper ? { paper } : {}) })
      if (check) checks.push(check)
    }
  }
  return {
    checks,
    decide: (results) => {
      const evidence = checks.map((c) => results.get(c.id)).filter((c): c is CheckResult => c !== undefined)
      const perArm = arms.map((arm) => {
        const own = evidence.filter((c) => c.b.groupId === arm.groupId)
        return `${arm.label} on ${metricName(bonAwareTargets[arm.strategy]!, arm.nTrain)}: ${decideChecks(own)}`
      })
      return finding({
        verdict: decideChecks(evidence),
        summary: `Per strategy — ${perArm.join('; ')}. ${evidenceSummary(evidence)}`,
        evidence,
        mde: largestMde(evidence),
      })
    },
  }
}
