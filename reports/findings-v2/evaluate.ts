import { BenchError } from '../../core/errors.js'
import { formatKlValue } from '../../core/summary/format-kl.js'
import { indexArms } from '../findings/arms.js'
import type { ArmData } from '../findings/arms.js'
import type { FindingsContext, PredictionPlan } from '../findings/context.js'
import { planP1 } from '../findings/p1-standard-training.js'
import { planP2 } from '../findings/p2-trained-metric.js'
import { planP3 } from '../findings/p3-verifier-match.js'
import { planP4 } from '../findings/p4-diversity-effort.js'
import { planP5 } from '../findings/p5-transfer.js'
import { planP6 } from '../findings/p6-co-scaling.js'
import { runChecks } from '../findings/run-checks.js'
import type { CheckResult, Finding, PlannedCheck, PredictionId, Verdict } from '../findings/types.js'
import type { FindingsOptions } from '../findings.js'
import { baseSpread } from '../findings.js'
import type { BaseSpread } from '../findings/types.js'
import type { Results } from '../results-schema.js'
import type { Placed } from './select.js'
import { placeAtBestCheckpoint, placeAtKl } from './select.js'
import type { ArmV2 } from './trajectories.js'
import { armKlNoise, armReach, indexArmsV2, variantHasValidation } from './trajectories.js'

/** The two ways study v2 puts arms side by side. */
export type ModeId = 'matched-kl' | 'best-checkpoint'

/** One mode's placement of the arms at one temperature. */
export interface ModePlacement {
  temperature: number
  /** Matched KL: the KL every trained arm reaches (the largest such); undefined for best checkpoint. */
  kappa?: number
  placed: Placed[]
  /** Arms that could not be placed, with why. */
  unplaced: Array<{ arm: string; reason: string }>
  /** Matched KL: the median CI half-width of the KL estimates of the arm that sets κ (κ below it is within noise). */
  kappaNoise?: number
}

/** One mode of the report: placements, and the finding of each prediction P1–P5 in it. */
export interface ModeReport {
  mode: ModeId
  /** Why the mode was not run (no validation split, no KL), if it was not. */
  skipped?: string
  placements: ModePlacement[]
  findings: Finding[]
  /** True when some arm's learning rate was chosen on test metrics (matched KL without validation). */
  selectedOnTest: boolean
}

/** A prediction's verdict in v2, from the modes that could test it. */
export interface FindingV2 {
  id: PredictionId
  title: string
  claim: string
  verdict: Verdict
  /** How the modes' verdicts combine into this one. */
  reason: string
  perMode: Partial<Record<ModeId, Finding>>
  /** P6 (the base model's co-scaling) is judged once, on the real arms. */
  single?: Finding
}

/** Everything docs/results.md v2 shows. */
export interface FindingsReportV2 {
  findings: FindingV2[]
  modes: ModeReport[]
  arms: ArmV2[]
  /** Arm name → the largest KL some learning rate reaches in every seed (per temperature). */
  reach: Array<{ arm: string; label: string; temperature: number; reach: number; lrs: Array<number | undefined> }>
  design: {
    alpha: number
    level: number
    power: number
    resamples: number
    tests: number
    zHolm: number
    zUnadjusted: number
    primaryTemperature: number
    temperatures: number[]
    grid: number[]
    seeds: number[]
    prompts: number
    hasValidation: boolean
    seed: number
    /** Arm names, the base first (as the run section lists them). */
    strategies: string[]
    baseSpread?: BaseSpread
  }
}

function pickTemperature(temps: readonly number[], wanted: number | undefined): number {
  if (wanted !== undefined) {
    if (!temps.includes(wanted)) throw new BenchError('BENCH_USAGE', `temperature ${wanted} is not in the run (it has ${temps.join(', ')}); pick one of those`)
    return wanted
  }
  return temps.includes(1) ? 1 : temps[Math.floor((temps.length - 1) / 2)]!
}

/** Places every trained arm at each temperature in one mode. */
function placeAll(mode: ModeId, armsV2: readonly ArmV2[], temperatures: readonly number[]): ModePlacement[] {
  return temperatures.flatMap((T) => {
    const atT = armsV2.filter((a) => a.temperature === T)
    if (atT.length === 0) return []
    const unplaced: ModePlacement['unplaced'] = []
    if (mode === 'matched-kl') {
      const measured = atT.filter((a) => {
        const r = armReach(a)
        if (!(r > 0)) unplaced.push({ arm: a.label, reason: Number.isFinite(r) ? 'its KL never rises above 0' : 'no KL was measured' })
        return r > 0
      })
      if (measured.length === 0) return [{ temperature: T, placed: [], unplaced }]
      const kappa = Math.min(...measured.map(armReach))
      const limiting = measured.find((a) => armReach(a) === kappa)!
      const placed = measured.flatMap((a) => {
        const p = placeAtKl(a, kappa, 'kl', ` @KL ${formatKappa(kappa)}`)
        if (!p)
          unplaced.push({ arm: a.label, reason: `is not observed at KL ${formatKappa(kappa)} in every seed of one learning rate (its paths start above it)` })
        return p ? [p] : []
      })
      return [{ temperature: T, kappa, kappaNoise: armKlNoise(limiting), placed, unplaced }]
    }
    const placed = atT.flatMap((a) => {
      const p = placeAtBestCheckpoint(a, 'best', ' @best')
      if (!p) unplaced.push({ arm: a.label, reason: 'no validation metrics at its checkpoints' })
      return p ? [p] : []
    })
    return [{ temperature: T, placed, unplaced }]
  })
}

/** KL per token as the doc prints it. */
export function formatKappa(k: number): string {
  return formatKlValue(k)
}

function plansOf(ctx: FindingsContext): PredictionPlan[] {
  return [planP1(ctx), planP2(ctx), planP3(ctx), planP4(ctx), planP5(ctx)]
}

/**
 * How the two views of one claim combine: the same verdict when they agree or only one could
 * test it; a view that holds against one that does not → inconclusive (they conflict); does not
 * hold against inconclusive → does not hold; holds against inconclusive → inconclusive. Pure.
 */
export function combineModes(verdicts: ReadonlyArray<{ mode: ModeId; verdict: Verdict }>): { verdict: Verdict; reason: string } {
  const tested = verdicts.filter((v) => v.verdict !== 'not testable here')
  if (tested.length === 0) return { verdict: 'not testable here', reason: 'neither comparison could be made' }
  if (tested.length === 1)
    return { verdict: tested[0]!.verdict, reason: `from the ${modeName(tested[0]!.mode)} comparison alone (the other could not be made)` }
  const set = new Set(tested.map((v) => v.verdict))
  if (set.size === 1) return { verdict: tested[0]!.verdict, reason: 'both comparisons agree' }
  if (set.has('holds') && set.has('does not hold')) return { verdict: 'inconclusive', reason: 'the comparisons conflict (one holds, one does not)' }
  if (set.has('does not hold')) return { verdict: 'does not hold', reason: 'one comparison does not hold and the other is inconclusive' }
  return { verdict: 'inconclusive', reason: 'one comparison holds and the other is inconclusive' }
}

export function modeName(mode: ModeId): string {
  return mode === 'matched-kl' ? 'matched-KL' : 'best-checkpoint'
}

interface PlanV2 {
  realArms: ArmData[]
  armsV2: ArmV2[]
  temperatures: number[]
  primaryTemperature: number
  atT: ArmData[]
  grid: number[]
  bases: ArmData[]
  hasValidation: boolean
  modes: Array<{ mode: ModeId; skipped?: string; placements: ModePlacement[]; plans: PredictionPlan[] }>
  p6: PredictionPlan
  planned: PlannedCheck[]
}

function planV2(results: Results, options: FindingsOptions): PlanV2 {
  // The learning rates of an arm are variants v2 chooses among (v1 refuses them).
  const realArms = indexArms(results, { variants: true })
  const armsV2 = indexArmsV2(results)
  if (realArms.length === 0)
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `results of run ${results.run.runId} hold no finished cell with prompts; finish the run (\`bench run --resume <run-dir>\`) and regenerate results.json (\`bench report <run-dir> --format json\`)`,
    )
  const temperatures = [...new Set(realArms.map((a) => a.temperature))].sort((x, y) => x - y)
  const primaryTemperature = pickTemperature(temperatures, options.temperature)
  const atT = realArms.filter((a) => a.temperature === primaryTemperature)
  const grid = atT[0]!.grid.filter((n) => atT.every((a) => a.grid.includes(n))).sort((x, y) => x - y)
  const seed = options.seed ?? 0
  const level = options.level ?? results.settings.level
  const resamples = options.resamples ?? results.settings.bootstrap
  const bases: ArmData[] = realArms.filter((a) => a.strategy === 'base')
  const baseCtx: FindingsContext = { results, arms: realArms, primaryTemperature, temperatures, grid, seed, level, resamples }
  const hasValidation = armsV2.length > 0 && armsV2.every((a) => a.variants.every(variantHasValidation))
  const modes: PlanV2['modes'] = []
  for (const mode of ['matched-kl', 'best-checkpoint'] as const) {
    if (mode === 'best-checkpoint' && !hasValidation) {
      modes.push({
        mode,
        skipped:
          'The results carry no validation metrics at the checkpoints (a validation split disjoint from test), so no checkpoint is chosen: choosing on test would make the comparison optimistic by construction.',
        placements: [],
        plans: [],
      })
      continue
    }
    const placements = placeAll(mode, armsV2, temperatures)
    if (placements.every((p) => p.placed.length === 0)) {
      modes.push({
        mode,
        skipped:
          mode === 'matched-kl'
            ? 'No trained arm has a measured KL path (run with train.evalEvery and eval.kl).'
            : 'No arm could be placed at a best checkpoint.',
        placements,
        plans: [],
      })
      continue
    }
    const ctx: FindingsContext = { ...baseCtx, arms: [...bases, ...placements.flatMap((p) => p.placed.map((x) => x.virtual))] }
    modes.push({ mode, placements, plans: plansOf(ctx) })
  }
  const p6 = planP6(baseCtx)
  const planned: PlannedCheck[] = [...modes.flatMap((m) => m.plans.flatMap((p) => p.checks)), ...p6.checks]
  const ids = new Set(planned.map((c) => c.id))
  if (ids.size !== planned.length) throw new Error('findings v2: two planned checks share an id')
  return { realArms, armsV2, temperatures, primaryTemperature, atT, grid, bases, hasValidation, modes, p6, planned }
}

/** The tested comparisons of the v2 findings on a results file, without running them (for the power plan). Pure. */
export function plannedChecksV2(results: Results, options: FindingsOptions = {}): PlannedCheck[] {
  return planV2(results, options).planned
}

/**
 * Judges P1–P6 for study v2 on one results.json (version 3, with checkpoint evaluations): P1–P5
 * twice — every trained arm at the largest KL all of them reach (per temperature), and every arm at
 * its best checkpoint chosen on validation — and P6 on the base model; all tested comparisons in
 * one Holm family (paired two-level bootstrap over prompts and seeds). Reads nothing else;
 * deterministic. Throws BENCH_RUN_INVALID when the results hold no finished cell.
 */
export function evaluateFindingsV2(results: Results, options: FindingsOptions = {}): FindingsReportV2 {
  const { realArms, armsV2, temperatures, primaryTemperature, atT, grid, bases, hasValidation, modes, p6, planned } = planV2(results, options)
  const alpha = options.alpha ?? results.settings.alpha
  const level = options.level ?? results.settings.level
  const power = options.power ?? 0.8
  const resamples = options.resamples ?? results.settings.bootstrap
  const seed = options.seed ?? 0
  const run = runChecks(planned, { alpha, level, power, resamples, seed })
  const byId = new Map<string, CheckResult>(run.results.map((r) => [r.id, r]))

  const modeReports: ModeReport[] = modes.map((m) => {
    const selectedOnTest = m.placements.some((p) => p.placed.some((x) => x.selectedOn === 'test'))
    const findings = m.plans.map((plan) => {
      const f = plan.decide(byId)
      if (selectedOnTest && f.verdict === 'holds') {
        return {
          ...f,
          verdict: 'inconclusive' as Verdict,
          notes: [...f.notes, 'Downgraded from “holds”: a learning rate was chosen on the test metrics (no validation split), which favours the arm chosen.'],
        }
      }
      return f
    })
    return { mode: m.mode, ...(m.skipped ? { skipped: m.skipped } : {}), placements: m.placements, findings, selectedOnTest }
  })
  const p6Finding = p6.decide(byId)
  const ids5: PredictionId[] = ['P1', 'P2', 'P3', 'P4', 'P5']
  const findings: FindingV2[] = ids5.map((id) => {
    const perMode: Partial<Record<ModeId, Finding>> = {}
    for (const m of modeReports) {
      const f = m.findings.find((x) => x.id === id)
      if (f) perMode[m.mode] = f
    }
    const any = Object.values(perMode)[0]
    const { verdict, reason } = combineModes(Object.entries(perMode).map(([mode, f]) => ({ mode: mode as ModeId, verdict: f!.verdict })))
    return { id, title: any?.title ?? titles[id], claim: any?.claim ?? '', verdict, reason, perMode }
  })
  findings.push({
    id: 'P6',
    title: p6Finding.title,
    claim: p6Finding.claim,
    verdict: p6Finding.verdict,
    reason: 'on the base model at every temperature (no training involved)',
    perMode: {},
    single: p6Finding,
  })

  const seeds = [...new Set(realArms.flatMap((a) => a.seeds))].sort((x, y) => x - y)
  const base = realArms.find((a) => a.strategy === 'base' && a.temperature === primaryTemperature)
  return {
    findings,
    modes: modeReports,
    arms: armsV2,
    reach: armsV2.map((a) => ({ arm: a.name, label: a.label, temperature: a.temperature, reach: armReach(a), lrs: a.variants.map((v) => v.lr) })),
    design: {
      alpha,
      level,
      power,
      resamples: run.resamples,
      tests: planned.length,
      zHolm: run.zHolm,
      zUnadjusted: run.zUnadjusted,
      primaryTemperature,
      temperatures,
      grid,
      seeds,
      prompts: (base ?? atT[0]!).promptIds.length,
      hasValidation,
      seed,
      strategies: [...(bases.length > 0 ? ['base'] : []), ...new Set(armsV2.map((a) => a.name))],
      ...(base ? { baseSpread: baseSpread(base, results.provenance.config) } : {}),
    },
  }
}

const titles: Record<PredictionId, string> = {
  P1: 'Standard training hurts large-N sampling',
  P2: 'BoN-aware training wins on its own metric',
  P3: 'Train-time and test-time verifiers must match',
  P4: 'BoN-aware models stay diverse and move effort to hard prompts',
  P5: 'The gain carries to other N and T',
  P6: 'Co-scaling of N and temperature',
}
