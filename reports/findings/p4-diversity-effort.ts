import { armMatrix, armOf, findArm, hasPromptDistinct, seedMean, sharedPromptIds } from './arms.js'
import type { ArmData } from './arms.js'
import type { FindingsContext, PredictionPlan } from './context.js'
import { temperature } from './format.js'
import { bonAwareArms } from './p2-trained-metric.js'
import { planComparison } from './plan-check.js'
import { describeDiff } from './run-checks.js'
import { standardStrategies } from './strategy-targets.js'
import type { CheckResult, Fact, Finding, PlannedCheck } from './types.js'
import { combineVerdicts, decideChecks, evidenceSummary, largestMde } from './verdict.js'

const title = 'BoN-aware models stay diverse and move effort to hard prompts'
const claim = 'BoN-aware models keep more diverse answers than standard training and move their gains to the prompts the base model finds hard.'

/** The hard/easy split of prompts by the base model's pass@1 (mean over seeds): hard is below the median. */
export function hardEasySplit(basePass1: readonly number[]): { hard: boolean[]; median: number } | undefined {
  const sorted = [...basePass1].sort((x, y) => x - y)
  const m = sorted.length
  const median = m % 2 === 1 ? sorted[(m - 1) / 2]! : (sorted[m / 2 - 1]! + sorted[m / 2]!) / 2
  let hard = basePass1.map((v) => v < median)
  // Many prompts tied at the median (often pass@1 = 0): put the tie on the hard side instead.
  if (!hard.some(Boolean)) hard = basePass1.map((v) => v <= median)
  if (!hard.some(Boolean) || hard.every(Boolean)) return undefined
  return { hard, median }
}

interface EffortPlan {
  checks: PlannedCheck[]
  facts: Fact[]
  note?: string
}

function planEffort(ctx: FindingsContext, base: ArmData, arm: ArmData, rl: ArmData | undefined): EffortPlan {
  const n = arm.nTrain
  const prompts = sharedPromptIds(base, arm, ...(rl ? [rl] : []))
  if (prompts.length === 0)
    return {
      checks: [],
      facts: [],
      note: `${arm.label}: no test prompt is shared by it, the base${rl ? ' and rl' : ''} (other prompt ids); effort not tested.`,
    }
  const split = hardEasySplit(seedMean(armMatrix(base, 'pass1', 1, prompts)))
  if (!split)
    return { checks: [], facts: [], note: `${arm.label}: the base model's pass@1 does not split the shared prompts into hard and easy; effort not tested.` }
  const P = prompts.length
  const hardCount = split.hard.filter(Boolean).length
  const matrix = (a: ArmData) => armMatrix(a, 'passAtN', n, prompts)
  const label = (who: string) => `${who}: hard − easy gain in pass@${n} over base, T=${temperature(arm.temperature)}`
  const check = (id: string, a: ArmData, text: string): PlannedCheck => ({
    id,
    prediction: 'P4',
    label: text,
    metric: 'hardEasyGain',
    n,
    temperature: arm.temperature,
    a: { arm: armOf(a), values: matrix(a) },
    b: { arm: armOf(arm), values: matrix(arm) },
    expected: 'positive',
    prompts: P,
    strata: split.hard,
  })
  const checks = [check(`P4:effort:${arm.groupId}`, base, label(arm.label))]
  if (rl)
    checks.push(
      check(`P4:effort:${arm.groupId}-vs-${rl.groupId}`, rl, `${arm.label} − rl: hard − easy gain in pass@${n} over base, T=${temperature(arm.temperature)}`),
    )
  const facts: Fact[] = [
    { label: `split by base pass@1 (median ${(100 * split.median).toFixed(1)}%)`, value: `${hardCount} hard, ${P - hardCount} easy prompts`, unit: 'plain' },
  ]
  for (const who of rl ? [arm, rl] : [arm]) {
    for (const side of ['hard', 'easy'] as const) {
      const ids = prompts.filter((_, p) => split.hard[p] === (side === 'hard'))
      const d = describeDiff(armMatrix(base, 'passAtN', n, ids), armMatrix(who, 'passAtN', n, ids), {
        seed: ctx.seed,
        label: `P4:${who.groupId}:${side}@${n}`,
        resamples: ctx.resamples,
        level: ctx.level,
      })
      facts.push({ label: `${who.label} − base, pass@${n} on ${side} prompts`, value: d.diff, ci: d.ci, unit: 'diff' })
    }
  }
  return { checks, facts }
}

/**
 * P4, two parts at the primary temperature for each BoN-aware arm: (diversity) its distinct@N′
 * minus rl's and sft's, predicted positive; (effort) with prompts split at the median of the base
 * model's pass@1, the mean gain in pass@N′ over the base on hard prompts minus that on easy
 * prompts, predicted positive, and the same contrast minus rl's (so a ceiling on easy prompts,
 * which any improvement would show, is not mistaken for BoN-awareness).
 */
export function planP4(ctx: FindingsContext): PredictionPlan {
  const T = ctx.primaryTemperature
  const base = findArm(ctx.arms, 'base', T)
  const { arms } = bonAwareArms(ctx, T)
  const refs = standardStrategies.map((s) => findArm(ctx.arms, s, T, 1)).filter((a): a is ArmData => a !== undefined)
  const rl = refs.find((a) => a.strategy === 'rl')
  const perPrompt = [...arms, ...refs].every(hasPromptDistinct)
  const method =
    `At T=${temperature(T)}, for each BoN-aware strategy at its N′. Diversity: distinct@N′ (the expected number of different final answers among N′ samples) ` +
    'minus that of rl and of sft (those present), predicted positive. Effort: prompts are split at the median of the base model’s pass@1 (hard: below it); ' +
    'the contrast is the mean gain in pass@N′ over the base on hard prompts minus the mean gain on easy prompts, predicted positive, and — where rl ran — ' +
    'the same contrast minus rl’s, predicted positive (any improvement gains more where there is room; this control asks for more than that). ' +
    'Each part holds when all its comparisons are significantly positive (Holm); P4 holds when both parts do; a part the run cannot test leaves P4 not testable here (the summary gives the other part’s verdict).'
  const notes: string[] = []
  if (!perPrompt) notes.push('results.json has no per-prompt distinct@N (`cells[].prompts[].distinctAtN`): diversity intervals resample seeds only.')
  const fail = (summary: string): PredictionPlan => ({
    checks: [],
    decide: () => ({ id: 'P4', title, claim, method, verdict: 'not testable here', summary, evidence: [], facts: [], mde: null, notes }),
  })
  if (!base) return fail(`The run has no base model at T=${temperature(T)}.`)
  if (arms.length === 0) return fail('The run has no BoN-aware strategy with N′ ≥ 2 in the grid.')
  const diversity: PlannedCheck[] = []
  const effort: PlannedCheck[] = []
  const facts: Fact[] = []
  for (const arm of arms) {
    // An arm evaluated on other prompts than the base (other ids) cannot be paired with it or its references.
    if (sharedPromptIds(base, arm).length === 0) {
      notes.push(`${arm.label} shares no test prompt with the base at T=${temperature(T)} (other prompt ids): neither part is tested for it.`)
      continue
    }
    for (const ref of refs) {
      if (!perPrompt && (arm.seeds.length < 2 || ref.seeds.length < 2)) {
        notes.push(`${arm.label} vs ${ref.label}: diversity needs per-prompt distinct@N or at least two seeds; not tested.`)
        continue
      }
      if (sharedPromptIds(ref, arm).length === 0) {
        notes.push(`${arm.label} vs ${ref.label}: they share no test prompt (other prompt ids); diversity not tested.`)
        continue
      }
      const check = planComparison(ref, arm, { prediction: 'P4', metric: 'distinctAtN', n: arm.nTrain, expected: 'positive' })
      if (check) diversity.push(check)
    }
    const prompts = sharedPromptIds(base, arm)
    const d = describeDiff(armMatrix(base, 'distinctAtN', arm.nTrain, prompts), armMatrix(arm, 'distinctAtN', arm.nTrain, prompts), {
      seed: ctx.seed,
      label: `P4:distinct:${arm.groupId}`,
      resamples: ctx.resamples,
      level: ctx.level,
    })
    facts.push({ label: `${arm.label} − base, distinct@${arm.nTrain}`, value: d.diff, ci: d.ci, unit: 'count' })
    const planned = planEffort(ctx, base, arm, rl)
    effort.push(...planned.checks)
    facts.push(...planned.facts)
    if (planned.note) notes.push(planned.note)
  }
  if (refs.length === 0) notes.push('Neither rl nor sft ran: the diversity part has no standard-training reference.')
  return {
    checks: [...diversity, ...effort],
    decide: (results): Finding => {
      const pick = (list: PlannedCheck[]) => list.map((c) => results.get(c.id)).filter((c): c is CheckResult => c !== undefined)
      const [div, eff] = [pick(diversity), pick(effort)]
      const [vDiv, vEff] = [decideChecks(div), decideChecks(eff)]
      const evidence = [...div, ...eff]
      const part = (name: string, v: string, list: CheckResult[]) => `${name}: ${v}.${list.length > 0 ? ` ${evidenceSummary(list)}` : ''}`
      return {
        id: 'P4',
        title,
        claim,
        method,
        verdict: combineVerdicts([vDiv, vEff]),
        summary: `${part('Diversity', vDiv, div)} ${part('Effort', vEff, eff)}`,
        evidence,
        facts,
        mde: largestMde(evidence),
        notes,
      }
    },
  }
}
