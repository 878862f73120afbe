import { BenchError } from '../../core/errors.js'
import { bareName } from '../../core/plugin-name.js'
import type { Results } from '../results-schema.js'
import type { Arm } from './types.js'

export { grandMean } from '../groups.js'

/** One cell of results.json. */
export type ResultsCell = Results['cells'][number]

/** An arm with the cells behind it, the prompts every seed shares and the N every seed reports. */
export interface ArmData extends Arm {
  cells: ResultsCell[]
  promptIds: string[]
  grid: number[]
}

/** Per-prompt metrics a matrix can be built of. */
export type PromptMetricName = 'pass1' | 'passAtN' | 'bestOfN' | 'distinctAtN'

/**
 * Refuses results that hold more than one (task, model): the findings pair arms by strategy, N′ and
 * temperature alone, so a second model's arm would be compared with the first model's base.
 * Throws BENCH_USAGE naming them. Pure.
 */
export function assertOneTaskAndModel(results: Results): void {
  const pairs = [...new Set([...results.cells, ...results.groups].map((x) => `${x.key.task} / ${x.key.model}`))].sort()
  if (pairs.length > 1)
    throw new BenchError(
      'BENCH_USAGE',
      `results of run ${results.run.runId} hold ${pairs.length} (task / model) pairs: ${pairs.join(', ')}; the findings compare arms of one task and one model — pass the results of one of them (\`bench report <run-dir> --format json\` of a run with one task and one model)`,
    )
}

/** How {@link indexArms} reads several groups of one arm. */
export interface IndexArmsOptions {
  /**
   * True (study v2) to keep every group of one (strategy, N′, T) — its learning rates, which v2
   * chooses among. By default (the v1 findings, which judge one group per arm) such results are
   * refused with BENCH_USAGE, as is a group whose cells repeat a seed.
   */
  variants?: boolean
}

const armKeyText = (strategy: string, nTrain: number, temperature: number) =>
  `${strategy}${strategy === 'base' ? '' : ` (N′=${nTrain})`} at T=${String(Number(temperature.toFixed(3)))}`

/** The v1 refusal of an arm that several groups (or repeated seeds) would make ambiguous. */
function assertOneGroupPerArm(results: Results): void {
  const byArm = new Map<string, string[]>()
  for (const g of results.groups) {
    const key = armKeyText(bareName(g.key.strategy), g.key.nTrain, g.key.temperature)
    byArm.set(key, [...(byArm.get(key) ?? []), g.groupId])
  }
  const several = [...byArm].filter(([, ids]) => ids.length > 1).map(([arm, ids]) => `${arm} (groups ${ids.join(', ')})`)
  const cellById = new Map(results.cells.map((c) => [c.cellId, c]))
  for (const g of results.groups) {
    const seeds = g.cellIds.flatMap((id) => {
      const c = cellById.get(id)
      return c ? [c.key.seed] : []
    })
    if (new Set(seeds).size < seeds.length) several.push(`${g.groupId} (several cells of one seed)`)
  }
  if (several.length > 0)
    throw new BenchError(
      'BENCH_USAGE',
      `results of run ${results.run.runId} hold several groups of one arm — ${several.join('; ')} — (a learning-rate sweep, most often); the v1 findings judge one group per strategy, N′ and temperature and would pick one arbitrarily: use the study v2 findings (\`bench findings <results> --study v2\`), which choose among learning rates on validation, or pass the results of one learning rate`,
    )
}

/**
 * The arms of a results file, one per seed-pooled group, in the file's group order. Runs once per
 * findings evaluation; reads `groups[].{groupId,key,cellIds,grid}` and `cells[].{cellId,key,prompts}`.
 * Throws BENCH_USAGE for results of several (task, model) pairs, and — unless `options.variants` —
 * for several groups of one (strategy, N′, T).
 */
export function indexArms(results: Results, options: IndexArmsOptions = {}): ArmData[] {
  assertOneTaskAndModel(results)
  if (!options.variants) assertOneGroupPerArm(results)
  const cellById = new Map(results.cells.map((c) => [c.cellId, c]))
  return results.groups
    .map((g) => {
      const cells = g.cellIds.map((id) => cellById.get(id)).filter((c): c is ResultsCell => c !== undefined)
      cells.sort((x, y) => x.key.seed - y.key.seed)
      const first = cells[0]
      const promptIds = first ? first.prompts.map((p) => p.promptId).filter((id) => cells.every((c) => c.prompts.some((p) => p.promptId === id))) : []
      const strategy = bareName(g.key.strategy)
      const label = strategy === 'base' ? 'base' : g.key.nTrain > 1 ? `${strategy} (N′=${g.key.nTrain})` : strategy
      return {
        groupId: g.groupId,
        strategy,
        nTrain: g.key.nTrain,
        temperature: g.key.temperature,
        seeds: cells.map((c) => c.key.seed),
        label,
        cells,
        promptIds,
        grid: g.grid,
      }
    })
    .filter((arm) => arm.cells.length > 0 && arm.promptIds.length > 0)
}

/**
 * The arm of a strategy at a temperature (and N′ where given). The arms a prediction sees hold one
 * per (strategy, N′, T) ({@link indexArms} refuses others); two matches are a bug, never a silent pick.
 */
export function findArm(arms: readonly ArmData[], strategy: string, temperature: number, nTrain?: number): ArmData | undefined {
  const found = arms.filter((a) => a.strategy === strategy && a.temperature === temperature && (nTrain === undefined || a.nTrain === nTrain))
  if (found.length > 1) throw new Error(`findings: ${found.length} arms match ${strategy} at T=${temperature}: ${found.map((a) => a.groupId).join(', ')}`)
  return found[0]
}

/** Prompt ids every given arm evaluated in every seed, in the first arm's order. */
export function sharedPromptIds(...arms: readonly ArmData[]): string[] {
  const [first, ...rest] = arms
  if (!first) return []
  const sets = rest.map((a) => new Set(a.promptIds))
  return first.promptIds.filter((id) => sets.every((s) => s.has(id)))
}

/** The plain Arm (no cells) for a finished check. */
export function armOf(arm: ArmData): Arm {
  return { groupId: arm.groupId, strategy: arm.strategy, nTrain: arm.nTrain, temperature: arm.temperature, seeds: arm.seeds, label: arm.label }
}

/** True when every cell of the arm carries per-prompt distinct@N (an optional per-prompt field). */
export function hasPromptDistinct(arm: ArmData): boolean {
  return arm.cells.every((c) => c.prompts.every((p) => Array.isArray((p as { distinctAtN?: unknown }).distinctAtN)))
}

function promptValue(cell: ResultsCell, prompt: ResultsCell['prompts'][number], metric: PromptMetricName, n: number): number {
  const grid = cell.metrics.grid
  if (metric === 'pass1') {
    const at1 = grid.indexOf(1)
    return at1 >= 0 ? prompt.passAtN[at1]! : 1 - prompt.pFail
  }
  const at = grid.indexOf(n)
  if (at < 0) throw new Error(`N = ${n} missing from ${cell.cellId}`)
  if (metric === 'distinctAtN') {
    const own = (prompt as { distinctAtN?: number[] }).distinctAtN
    // Without per-prompt distinct@N every prompt carries the cell mean: resampling prompts then
    // changes nothing and the interval holds seed-to-seed noise only (the findings say so).
    return own ? own[at]! : cell.metrics.distinctAtN[at]!
  }
  return prompt[metric][at]!
}

/**
 * `values[seed][prompt]` of one per-prompt metric of an arm over `promptIds` (each must be in every
 * cell), at N = `n` (ignored for pass1). Pure.
 */
export function armMatrix(arm: ArmData, metric: PromptMetricName, n: number, promptIds: readonly string[]): number[][] {
  return arm.cells.map((cell) => {
    const byId = new Map(cell.prompts.map((p) => [p.promptId, p]))
    return promptIds.map((id) => {
      const prompt = byId.get(id)
      if (!prompt) throw new Error(`prompt ${id} missing from ${cell.cellId}`)
      return promptValue(cell, prompt, metric, n)
    })
  })
}

/** Mean over seeds, per prompt, of a matrix. */
export function seedMean(values: readonly (readonly number[])[]): number[] {
  return values[0]!.map((_, p) => values.reduce((s, row) => s + row[p]!, 0) / values.length)
}
