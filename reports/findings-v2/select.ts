import type { ArmData } from '../findings/arms.js'
import { bonAwareTargets } from '../findings/strategy-targets.js'
import type { ArmV2, PromptRow, SeedPath, Stage, TargetMetric, Variant } from './trajectories.js'
import { firstCrossing, rowsAt, rowsMean, variantHasValidation, variantReach, virtualArm } from './trajectories.js'

/**
 * How study v2 puts each arm at one point of its paths: at a matched KL (interpolated, the best
 * learning rate at that KL) or at its best checkpoint (over steps and learning rates), choosing on
 * the validation split and never on test when one exists.
 */

/** Where a choice between learning rates was made. */
export type SelectedOn = 'validation' | 'test' | 'only one'

/** The metric an arm is selected on: what it trains for (BoN-aware: its metric at N′; others pass@1). */
export function selectionTarget(arm: Pick<ArmV2, 'name' | 'strategy' | 'nTrain'>): TargetMetric {
  const target = bonAwareTargets[arm.name] ?? bonAwareTargets[arm.strategy]
  return target && arm.nTrain > 1 ? { metric: target, n: arm.nTrain } : { metric: 'pass1', n: 1 }
}

/** An arm placed at a point: the virtual arm the predictions compare, and how it was chosen. */
export interface Placed {
  arm: ArmV2
  virtual: ArmData
  lr?: number
  selectedOn: SelectedOn
  /** The split the candidates' scores are on: validation where every candidate has it at the point, else test (even with one candidate). */
  scoredOn: 'validation' | 'test'
  target: TargetMetric
  /** Seed-mean target on the selection split (validation, else test) for each candidate lr. */
  candidates: Array<{ lr?: number; score: number }>
  /** Per seed: step(s) and KL of the point. */
  points: Array<{ seed: number; step: string; kl: number }>
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)

function pickBest<T extends { score: number; lr?: number }>(rows: readonly T[]): T {
  // Highest score; ties to the smaller learning rate (listed first).
  return rows.reduce((best, r) => (r.score > best.score ? r : best))
}

/**
 * The arm at KL κ: each seed of each learning rate read where its path first reaches κ
 * (linear in KL between stages); learning rates that do not reach κ in every seed are out. Among
 * the rest the one with the highest seed-mean selection target at κ on validation wins (on test,
 * flagged, when a candidate lacks validation). Undefined when no learning rate reaches κ. Pure.
 */
export function placeAtKl(arm: ArmV2, kappa: number, suffix: string, labelSuffix: string): Placed | undefined {
  const target = selectionTarget(arm)
  const reached = arm.variants
    .filter((v) => variantReach(v) >= kappa)
    .flatMap((v) => {
      const crossings = v.seeds.map((path) => ({ path, crossing: firstCrossing(path.stages, kappa) }))
      // A path that starts above κ (no base stage to start from) is not observed at κ.
      if (crossings.some((c) => c.crossing === undefined)) return []
      return [{ v, seeds: crossings.map(({ path, crossing }) => ({ path, crossing: crossing!, rows: rowsAt(crossing!) })) }]
    })
  if (reached.length === 0) return undefined
  const onValidation = reached.every((c) => c.seeds.every((s) => s.rows.validation !== undefined))
  const selectedOn: SelectedOn = reached.length === 1 ? 'only one' : onValidation ? 'validation' : 'test'
  const scored = reached.map((c) => ({
    ...c,
    ...(c.v.lr !== undefined ? { lr: c.v.lr } : {}),
    score: mean(c.seeds.map((s) => rowsMean(onValidation ? s.rows.validation! : s.rows.test, s.crossing.from.grid, target))),
  }))
  const best = pickBest(scored)
  const virtual = virtualArm(
    arm,
    suffix,
    labelSuffix,
    best.seeds.map((s) => ({ path: s.path, grid: s.crossing.from.grid, rows: s.rows.test, distinctAtN: s.rows.distinctAtN })),
  )
  return {
    arm,
    virtual,
    ...(best.v.lr !== undefined ? { lr: best.v.lr } : {}),
    selectedOn,
    scoredOn: onValidation ? 'validation' : 'test',
    target,
    candidates: scored.map((c) => ({ ...(c.lr !== undefined ? { lr: c.lr } : {}), score: c.score })),
    points: best.seeds.map((s) => ({
      seed: s.path.seed,
      step: s.crossing.w === 0 ? String(s.crossing.from.step) : `${s.crossing.from.step}–${s.crossing.to.step}`,
      kl: kappa,
    })),
  }
}

/** A seed's best trained stage on validation (ties to the earlier step). */
function bestStage(path: SeedPath, target: TargetMetric): { stage: Stage; score: number } | undefined {
  let best: { stage: Stage; score: number } | undefined
  for (const stage of path.stages) {
    if (stage.base || !stage.validation) continue
    const score = rowsMean(stage.validation, stage.grid, target)
    if (!best || score > best.score) best = { stage, score }
  }
  return best
}

/**
 * The arm at its best checkpoint: every seed of every learning rate stops at its trained stage
 * with the highest selection target on validation (early stopping); the learning rate with the
 * highest seed-mean of those wins. Only the test metrics of the chosen stages are compared.
 * Undefined — never a choice on test — when a learning rate lacks validation metrics. Pure.
 */
export function placeAtBestCheckpoint(arm: ArmV2, suffix: string, labelSuffix: string): Placed | undefined {
  const target = selectionTarget(arm)
  if (arm.variants.length === 0 || !arm.variants.every(variantHasValidation)) return undefined
  const scored = arm.variants
    .map((v: Variant) => {
      const seeds = v.seeds.map((path) => ({ path, best: bestStage(path, target) }))
      return {
        v,
        seeds,
        ...(v.lr !== undefined ? { lr: v.lr } : {}),
        score: seeds.every((s) => s.best) ? mean(seeds.map((s) => s.best!.score)) : Number.NEGATIVE_INFINITY,
      }
    })
    .filter((c) => Number.isFinite(c.score))
  if (scored.length === 0) return undefined
  const best = pickBest(scored)
  const virtual = virtualArm(
    arm,
    suffix,
    labelSuffix,
    best.seeds.map((s) => ({ path: s.path, grid: s.best!.stage.grid, rows: s.best!.stage.test, distinctAtN: s.best!.stage.distinctAtN })),
  )
  return {
    arm,
    virtual,
    ...(best.v.lr !== undefined ? { lr: best.v.lr } : {}),
    selectedOn: 'validation',
    scoredOn: 'validation',
    target,
    candidates: scored.map((c) => ({ ...(c.lr !== undefined ? { lr: c.lr } : {}), score: c.score })),
    points: best.seeds.map((s) => ({ seed: s.path.seed, step: String(s.best!.stage.step), kl: s.best!.stage.kl })),
  }
}

/** Seed-pooled mean of per-prompt rows of a placed arm at a metric (test). */
export function placedMean(p: Placed, target: TargetMetric): number {
  return mean(p.virtual.cells.map((c) => rowsMean(c.prompts as PromptRow[], c.metrics.grid, target)))
}
