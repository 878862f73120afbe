import { BenchError } from '../core/errors.js'
import { type ArmData, armMatrix, indexArms, seedMean } from './findings/arms.js'
import type { FindingsContext, PredictionPlan } from './findings/context.js'
import { planP1 } from './findings/p1-standard-training.js'
import { planP2 } from './findings/p2-trained-metric.js'
import { planP3 } from './findings/p3-verifier-match.js'
import { planP4 } from './findings/p4-diversity-effort.js'
import { planP5 } from './findings/p5-transfer.js'
import { planP6 } from './findings/p6-co-scaling.js'
import { runChecks } from './findings/run-checks.js'
import type { BaseSpread, CheckResult, FindingsReport, PlannedCheck } from './findings/types.js'
import type { Results } from './results-schema.js'

export { renderFindings, findingsMeta } from './findings/render.js'
export type { FindingsMeta } from './findings/render.js'
export type { Finding, FindingsReport, CheckResult, Verdict, PredictionId } from './findings/types.js'

/** Knobs of {@link evaluateFindings}; defaults come from the results file's `settings`. */
export interface FindingsOptions {
  /** Temperature P1–P4 are judged at (default 1 where the run has it, else the middle one). */
  temperature?: number
  /** Family-wise error rate of the Holm family (default settings.alpha). */
  alpha?: number
  /** CI level (default settings.level). */
  level?: number
  /** Power of the MDE (default 0.8). */
  power?: number
  /** Base bootstrap resamples (default settings.bootstrap; raised for Holm). */
  resamples?: number
  /** Seed of every bootstrap (default 0). */
  seed?: number
}

function pickTemperature(temps: readonly number[], wanted: number | undefined): number {
  if (wanted !== undefined) {
    if (!temps.includes(wanted)) throw new BenchError('BENCH_USAGE', `temperature ${wanted} is not in the run (it has ${temps.join(', ')}); pick one of those`)
    return wanted
  }
  return temps.includes(1) ? 1 : temps[Math.floor((temps.length - 1) / 2)]!
}

/** The plans of P1–P6 on a context (the checks each prediction needs tested). Pure. */
export function planPredictions(ctx: FindingsContext): PredictionPlan[] {
  return [planP1(ctx), planP2(ctx), planP3(ctx), planP4(ctx), planP5(ctx), planP6(ctx)]
}

/**
 * The tested comparisons `bench findings` would make on a results file, without running them (for
 * the power plan). Same planning as {@link evaluateFindings}. Pure.
 */
export function plannedChecks(results: Results, options: FindingsOptions = {}): PlannedCheck[] {
  const arms = indexArms(results)
  if (arms.length === 0) throw new BenchError('BENCH_RUN_INVALID', `results of run ${results.run.runId} hold no finished cell with prompts`)
  const temperatures = [...new Set(arms.map((a) => a.temperature))].sort((x, y) => x - y)
  const primaryTemperature = pickTemperature(temperatures, options.temperature)
  const atT = arms.filter((a) => a.temperature === primaryTemperature)
  const grid = atT[0]!.grid.filter((n) => atT.every((a) => a.grid.includes(n))).sort((x, y) => x - y)
  const ctx: FindingsContext = {
    results,
    arms,
    primaryTemperature,
    temperatures,
    grid,
    seed: options.seed ?? 0,
    level: options.level ?? results.settings.level,
    resamples: options.resamples ?? results.settings.bootstrap,
  }
  return planPredictions(ctx).flatMap((p) => p.checks)
}

/**
 * Judges the paper's predictions P1–P6 (DESIGN §2.4) on one analysed run (results.json), reading
 * nothing else. Every prediction plans its comparisons; all of them run as one Holm family (paired
 * two-level bootstrap over seeds and prompts), each with its MDE; then each prediction decides its
 * verdict. Deterministic: the same results and options give the same report. Throws
 * BENCH_RUN_INVALID when the results hold no finished cell, BENCH_USAGE for a bad option.
 */
export function evaluateFindings(results: Results, options: FindingsOptions = {}): FindingsReport {
  const arms = indexArms(results)
  if (arms.length === 0)
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `results of run ${results.run.runId} hold no finished cell with prompts; finish the run (bench run --resume) and regenerate results.json`,
    )
  const temperatures = [...new Set(arms.map((a) => a.temperature))].sort((x, y) => x - y)
  const primaryTemperature = pickTemperature(temperatures, options.temperature)
  const atT = arms.filter((a) => a.temperature === primaryTemperature)
  const grid = atT[0]!.grid.filter((n) => atT.every((a) => a.grid.includes(n))).sort((x, y) => x - y)
  const alpha = options.alpha ?? results.settings.alpha
  const level = options.level ?? results.settings.level
  const power = options.power ?? 0.8
  const resamples = options.resamples ?? results.settings.bootstrap
  const seed = options.seed ?? 0
  const ctx: FindingsContext = { results, arms, primaryTemperature, temperatures, grid, seed, level, resamples }
  const plans = planPredictions(ctx)
  const planned = plans.flatMap((p) => p.checks)
  const ids = new Set(planned.map((c) => c.id))
  if (ids.size !== planned.length) throw new Error('findings: two planned checks share an id')
  const run = runChecks(planned, { alpha, level, power, resamples, seed })
  const byId = new Map<string, CheckResult>(run.results.map((r) => [r.id, r]))
  const findings = plans.map((p) => p.decide(byId))
  const seeds = [...new Set(arms.flatMap((a) => a.seeds))].sort((x, y) => x - y)
  const base = arms.find((a) => a.strategy === 'base' && a.temperature === primaryTemperature)
  return {
    findings,
    design: {
      alpha,
      level,
      power,
      resamples: run.resamples,
      tests: planned.length,
      primaryTemperature,
      temperatures,
      grid,
      seeds,
      prompts: (base ?? atT[0]!).promptIds.length,
      strategies: [...new Set(arms.map((a) => a.strategy))],
      zHolm: run.zHolm,
      zUnadjusted: run.zUnadjusted,
      seed,
      baseSpread: base ? baseSpread(base, results.provenance.config) : undefined,
    },
  }
}

/**
 * The regime of the base arm: shares of prompts it solves never, rarely (≤ 20% of samples),
 * sometimes, often (≥ 80%) and always, from per-prompt success rates pooled over its seeds.
 */
export function baseSpread(base: ArmData, config: Results['provenance']['config']): BaseSpread {
  const rates = seedMean(armMatrix(base, 'pass1', 1, base.promptIds))
  const share = (keep: (r: number) => boolean) => rates.filter(keep).length / Math.max(1, rates.length)
  const pool = Number(((config.matrix ?? config) as Record<string, unknown>).poolSize) || 0
  return {
    temperature: base.temperature,
    pass1: rates.reduce((a, b) => a + b, 0) / Math.max(1, rates.length),
    samplesPerPrompt: pool * base.cells.length,
    never: share((r) => r === 0),
    rarely: share((r) => r > 0 && r <= 0.2),
    sometimes: share((r) => r > 0.2 && r < 0.8),
    often: share((r) => r >= 0.8 && r < 1),
    always: share((r) => r === 1),
  }
}
