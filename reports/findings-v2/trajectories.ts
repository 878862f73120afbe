import { bareName } from '../../core/plugin-name.js'
import type { Results } from '../results-schema.js'
import type { ArmData, ResultsCell } from '../findings/arms.js'
import { assertOneTaskAndModel } from '../findings/arms.js'

/**
 * Study v2's view of a results.json (version 3): each arm (a named arm or a strategy, × N′ × T)
 * with its learning-rate variants, each variant's seeds, and each seed's path through
 * (KL, metrics) space — the base at KL 0, the checkpoint evaluations, the final model.
 *
 * The fields study v2's runner adds are read here and only here, all optional, so the same code
 * reads results written before and after them: a cell key's `learningRate` (`lr` also accepted), a
 * named arm (its name is the key's `strategy`, e.g. 'rl-on-r', and `provenance.strategies[]` names
 * its plugin; a key's `arm` is also accepted), and per-prompt metrics of a validation split on the
 * final cell and on each checkpoint (`validation`: `{ metrics, prompts }` or a bare prompt array).
 * Without a learning rate every group of an arm is one variant; without `validation` nothing is
 * selected on validation.
 */

/** Per-prompt metrics as results.json stores them. */
export type PromptRow = ResultsCell['prompts'][number]

/** One point of one seed's path. */
export interface Stage {
  step: number
  /** KL(π‖π_base) per token on the test prompts (mean over prompts); 0 for the base. */
  kl: number
  /** Half the width of the KL estimate's CI (its Monte Carlo and prompt noise); 0 for the base. */
  klHalfWidth: number
  grid: number[]
  test: PromptRow[]
  /**
   * The stage's own cell-level distinct@N on test (aligned with `grid`): what a prompt without
   * per-prompt distinct@N falls back to — the stage's, never the final model's.
   */
  distinctAtN: number[]
  /** Per-prompt metrics on the validation split, when the run has one. */
  validation?: PromptRow[]
  /** True for the base model's stage prepended at step 0. */
  base?: boolean
}

/** One seed of one variant: its cell and its path (stages in step order). */
export interface SeedPath {
  seed: number
  cell: ResultsCell
  stages: Stage[]
}

/** One learning rate of an arm. */
export interface Variant {
  /** The learning rate, or undefined when the results do not record one. */
  lr?: number
  groupId: string
  seeds: SeedPath[]
}

/** An arm of study v2: what is compared. */
export interface ArmV2 {
  /** Arm name as the findings use it: the named arm, else the strategy's short name. */
  name: string
  /** The strategy plugin's short name (a named arm's plugin, e.g. 'rl' for 'rl-on-r'). */
  strategy: string
  nTrain: number
  temperature: number
  /** The doc's label, e.g. `bon-rl-v (N′=4)`. */
  label: string
  variants: Variant[]
}

type Loose = Record<string, unknown>

/** The named arm of a cell key (study v2), if any. */
export function armNameOf(key: ResultsCell['key']): string | undefined {
  const k = key as unknown as Loose
  return typeof k.arm === 'string' ? k.arm : undefined
}

/** The learning rate of a cell key (study v2), if any. */
export function lrOf(key: ResultsCell['key']): number | undefined {
  const k = key as unknown as Loose
  const lr = k.lr ?? k.learningRate
  return typeof lr === 'number' ? lr : undefined
}

/** Validation per-prompt metrics of a cell or a checkpoint, if any. */
export function validationOf(holder: unknown): PromptRow[] | undefined {
  const v = (holder as Loose).validation
  if (Array.isArray(v)) return v as PromptRow[]
  if (v && typeof v === 'object' && Array.isArray((v as Loose).prompts)) return (v as Loose).prompts as PromptRow[]
  return undefined
}

/** Named arms that are plain arms of the paper under another name. */
const aliases: Readonly<Record<string, string>> = { 'rl-on-R': 'rl', 'rl-on-reward': 'rl' }

function klValue(kl: ResultsCell['kl']): number | undefined {
  return kl?.state === 'measured' ? kl.perToken : undefined
}

function klHalfWidth(kl: ResultsCell['kl']): number {
  return kl?.state === 'measured' ? (kl.ci[1] - kl.ci[0]) / 2 : 0
}

/** The base cells of a temperature by seed (the step-0 stage of every trained seed). */
function baseBySeed(results: Results, temperature: number): Map<number, ResultsCell> {
  const out = new Map<number, ResultsCell>()
  for (const c of results.cells) if (bareName(c.key.strategy) === 'base' && c.key.temperature === temperature && !out.has(c.key.seed)) out.set(c.key.seed, c)
  return out
}

function seedPath(cell: ResultsCell, base: ResultsCell | undefined): SeedPath {
  const stages: Stage[] = []
  if (base) {
    const validation = validationOf(base)
    stages.push({
      step: 0,
      kl: 0,
      klHalfWidth: 0,
      grid: base.metrics.grid,
      test: base.prompts,
      distinctAtN: base.metrics.distinctAtN,
      ...(validation ? { validation } : {}),
      base: true,
    })
  }
  for (const cp of [...(cell.checkpoints ?? [])].sort((x, y) => x.step - y.step)) {
    const kl = klValue(cp.kl)
    if (kl === undefined) continue
    const validation = validationOf(cp)
    stages.push({
      step: cp.step,
      kl,
      klHalfWidth: klHalfWidth(cp.kl),
      grid: cp.metrics.grid,
      test: cp.prompts,
      distinctAtN: cp.metrics.distinctAtN,
      ...(validation ? { validation } : {}),
    })
  }
  const kl = klValue(cell.kl)
  if (kl !== undefined) {
    const validation = validationOf(cell)
    stages.push({
      step: cell.trainingSteps,
      kl,
      klHalfWidth: klHalfWidth(cell.kl),
      grid: cell.metrics.grid,
      test: cell.prompts,
      distinctAtN: cell.metrics.distinctAtN,
      ...(validation ? { validation } : {}),
    })
  }
  return { seed: cell.key.seed, cell, stages }
}

/**
 * The trained arms of a results file with their paths (the base is not an arm here: it is every
 * path's step 0). Arms are keyed by (name, N′, T); variants by learning rate. Throws BENCH_USAGE for
 * results of several (task, model) pairs (each path starts at the base of its seed and temperature). Pure.
 */
export function indexArmsV2(results: Results): ArmV2[] {
  assertOneTaskAndModel(results)
  const arms = new Map<string, ArmV2>()
  const bases = new Map<number, Map<number, ResultsCell>>()
  // A named arm's plugin (provenance.strategies: { name, plugin }), e.g. 'rl-on-r' → 'rl'.
  const pluginOf = new Map(results.provenance.strategies.map((s) => [bareName(s.name), bareName(s.plugin)]))
  for (const g of results.groups) {
    const strategy = bareName(g.key.strategy)
    if (strategy === 'base') continue
    const cells = g.cellIds.map((id) => results.cells.find((c) => c.cellId === id)).filter((c): c is ResultsCell => c !== undefined)
    if (cells.length === 0) continue
    cells.sort((x, y) => x.key.seed - y.key.seed)
    const named = armNameOf(cells[0]!.key)
    const name = named ? (aliases[named] ?? named) : strategy
    const T = g.key.temperature
    if (!bases.has(T)) bases.set(T, baseBySeed(results, T))
    const key = `${name}|${g.key.nTrain}|${T}`
    if (!arms.has(key)) {
      const label = g.key.nTrain > 1 ? `${name} (N′=${g.key.nTrain})` : name
      arms.set(key, { name, strategy: pluginOf.get(name) ?? pluginOf.get(strategy) ?? strategy, nTrain: g.key.nTrain, temperature: T, label, variants: [] })
    }
    // A group may mix learning rates when the group key does not carry it: split by lr.
    const byLr = new Map<string, ResultsCell[]>()
    for (const c of cells) {
      const lr = String(lrOf(c.key))
      if (!byLr.has(lr)) byLr.set(lr, [])
      byLr.get(lr)!.push(c)
    }
    for (const [lrText, members] of byLr) {
      const lr = lrText === 'undefined' ? undefined : Number(lrText)
      arms
        .get(key)!
        .variants.push({ ...(lr !== undefined ? { lr } : {}), groupId: g.groupId, seeds: members.map((c) => seedPath(c, bases.get(T)!.get(c.key.seed))) })
    }
  }
  for (const arm of arms.values()) arm.variants.sort((x, y) => (x.lr ?? 0) - (y.lr ?? 0))
  return [...arms.values()]
}

/** True when some cell of the results carries checkpoint evaluations with a measured KL. */
export function hasFrontiers(results: Results): boolean {
  return results.cells.some((c) => (c.checkpoints ?? []).some((cp) => cp.kl.state === 'measured'))
}

/** True when every trained stage (checkpoints and final; the base stage aside) of every seed of the variant has validation metrics. */
export function variantHasValidation(v: Variant): boolean {
  return v.seeds.every((s) => {
    const trained = s.stages.filter((st) => !st.base)
    return trained.length > 0 && trained.every((st) => st.validation !== undefined && st.validation.length > 0)
  })
}

/** A metric a selection or a comparison is made on. */
export interface TargetMetric {
  metric: 'pass1' | 'passAtN' | 'bestOfN'
  n: number
}

/** Mean over prompts of one metric of per-prompt rows on a grid. */
export function rowsMean(rows: readonly PromptRow[], grid: readonly number[], target: TargetMetric): number {
  if (rows.length === 0) return Number.NaN
  let s = 0
  for (const r of rows) s += rowValue(r, grid, target)
  return s / rows.length
}

function rowValue(r: PromptRow, grid: readonly number[], target: TargetMetric): number {
  if (target.metric === 'pass1') {
    const at1 = grid.indexOf(1)
    return at1 >= 0 ? r.passAtN[at1]! : 1 - r.pFail
  }
  const at = grid.indexOf(target.n)
  return at >= 0 ? r[target.metric][at]! : Number.NaN
}

/** Where a path first reaches KL κ: the two stages around it and the weight of the later one. */
export interface Crossing {
  from: Stage
  to: Stage
  /** Interpolation weight of `to` in [0, 1]. */
  w: number
}

/**
 * The first point along a seed's path (in step order) where its KL equals κ, by linear
 * interpolation in KL between consecutive stages; undefined when the path never reaches κ (no
 * extrapolation). A stage exactly at κ is taken as is (w = 0). Pure.
 */
export function firstCrossing(stages: readonly Stage[], kappa: number): Crossing | undefined {
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i]!
    if (s.kl === kappa) return { from: s, to: s, w: 0 }
    const next = stages[i + 1]
    if (next && (s.kl - kappa) * (next.kl - kappa) < 0) return { from: s, to: next, w: (kappa - s.kl) / (next.kl - s.kl) }
  }
  return undefined
}

/** The largest KL a seed's path reaches (it reaches every κ between its first stage and this). */
export function seedReach(path: SeedPath): number {
  return path.stages.length === 0 ? Number.NEGATIVE_INFINITY : Math.max(...path.stages.map((s) => s.kl))
}

/** The largest KL every seed of a variant reaches. */
export function variantReach(v: Variant): number {
  return v.seeds.length === 0 ? Number.NEGATIVE_INFINITY : Math.min(...v.seeds.map(seedReach))
}

/** The largest KL some learning rate of the arm reaches in every seed. */
export function armReach(arm: ArmV2): number {
  return Math.max(...arm.variants.map(variantReach))
}

function lerpRows(from: readonly PromptRow[], to: readonly PromptRow[], w: number): PromptRow[] {
  if (w === 0) return from.map((r) => ({ ...r }))
  const byId = new Map(to.map((r) => [r.promptId, r]))
  const mix = (a: readonly number[], b: readonly number[]) => a.map((x, i) => (1 - w) * x + w * b[i]!)
  return from.flatMap((a) => {
    const b = byId.get(a.promptId)
    if (!b) return []
    const row: PromptRow = {
      promptId: a.promptId,
      passAtN: mix(a.passAtN, b.passAtN),
      bestOfN: mix(a.bestOfN, b.bestOfN),
      majorityAtN: mix(a.majorityAtN, b.majorityAtN),
      pFail: (1 - w) * a.pFail + w * b.pFail,
    }
    if (a.distinctAtN && b.distinctAtN) row.distinctAtN = mix(a.distinctAtN, b.distinctAtN)
    return [row]
  })
}

/**
 * A seed's per-prompt metrics (test, and validation when both stages have it) at a crossing, and its
 * cell-level distinct@N on test there (linear in KL like the rest).
 */
export function rowsAt(c: Crossing): { test: PromptRow[]; validation?: PromptRow[]; distinctAtN: number[] } {
  const validation = c.from.validation && c.to.validation ? lerpRows(c.from.validation, c.to.validation, c.w) : undefined
  const distinctAtN = c.w === 0 ? [...c.from.distinctAtN] : c.from.distinctAtN.map((x, i) => (1 - c.w) * x + c.w * c.to.distinctAtN[i]!)
  return { test: lerpRows(c.from.test, c.to.test, c.w), ...(validation ? { validation } : {}), distinctAtN }
}

/**
 * The same arm as the findings' ArmData over given per-seed rows: a "virtual" arm at a point of its
 * paths. Each cell's grid and cell-level distinct@N are the point's (`distinctAtN`, read by a prompt
 * without its own); its other cell-level metrics stay the final model's and are not read.
 */
export function virtualArm(
  arm: ArmV2,
  suffix: string,
  labelSuffix: string,
  seeds: ReadonlyArray<{ path: SeedPath; grid: number[]; rows: PromptRow[]; distinctAtN: number[] }>,
): ArmData {
  const cells: ResultsCell[] = seeds.map(({ path, grid, rows, distinctAtN }) => ({
    ...path.cell,
    metrics: { ...path.cell.metrics, grid, distinctAtN },
    prompts: rows,
  }))
  const first = cells[0]!
  const promptIds = first.prompts.map((p) => p.promptId).filter((id) => cells.every((c) => c.prompts.some((p) => p.promptId === id)))
  const grid = first.metrics.grid.filter((n) => cells.every((c) => c.metrics.grid.includes(n)))
  return {
    groupId: `${arm.name}/n${arm.nTrain}/t${arm.temperature}@${suffix}`,
    strategy: arm.name,
    nTrain: arm.nTrain,
    temperature: arm.temperature,
    seeds: cells.map((c) => c.key.seed),
    label: `${arm.label}${labelSuffix}`,
    cells,
    promptIds,
    grid,
  }
}

/** The typical noise of an arm's KL estimates: the median CI half-width over its trained stages. */
export function armKlNoise(arm: ArmV2): number {
  const widths = arm.variants.flatMap((v) => v.seeds.flatMap((s) => s.stages.filter((st) => !st.base).map((st) => st.klHalfWidth))).sort((a, b) => a - b)
  return widths.length === 0 ? 0 : widths[Math.floor((widths.length - 1) / 2)]!
}
