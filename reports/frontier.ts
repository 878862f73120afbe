import type { CheckpointEval, KlEstimate } from '../core/plugin-api/divergence.js'
import type { CellResult } from '../core/plugin-api/results.js'
import type { CellGroup } from './groups.js'
import { type EstimateOptions, estimateOf, estimateOfMatrix } from './group-estimate.js'
import type { Estimate, FrontierPoint } from './results-schema.js'

/** Bootstrap settings of the frontier's estimates (those of the rest of results.json). */
export type FrontierOptions = EstimateOptions

/** A cell as it was at one step: its final result, or a checkpoint evaluation dressed as a result. */
function cellAt(cell: CellResult, evaluation: CheckpointEval): CellResult {
  return { ...cell, metrics: evaluation.metrics, prompts: evaluation.prompts, kl: evaluation.kl }
}

function klOf(
  cells: readonly CellResult[],
  promptIds: readonly string[],
  opts: FrontierOptions & { label: string },
): { kl: Estimate | null; klAbsent?: string } {
  const measured: Array<Extract<KlEstimate, { state: 'measured' }>> = []
  for (const cell of cells) {
    if (!cell.kl) return { kl: null, klAbsent: `${cell.cellId}: KL not measured` }
    if (cell.kl.state === 'absent') return { kl: null, klAbsent: `${cell.cellId}: ${cell.kl.reason}` }
    measured.push(cell.kl)
  }
  const matrix = measured.map((kl) => {
    const byPrompt = new Map(kl.prompts.map((p) => [p.promptId, p.perToken]))
    return promptIds.map((id) => byPrompt.get(id))
  })
  if (matrix.some((row) => row.some((v) => v === undefined))) return { kl: null, klAbsent: 'KL was measured on other prompts than the metrics' }
  return { kl: estimateOfMatrix(matrix as number[][], opts, opts.label) }
}

/**
 * A group's divergence frontier: for every checkpoint step that each of its seeds evaluated, then
 * its final model (step = the cell's training steps; 0 for the base), the seed-pooled pass@1,
 * pass@N and Bo-N over the group grid and KL(π‖π_base) per token, each with a two-level bootstrap
 * CI (seeds and prompts) like every other estimate of results.json. Undefined when no cell of the
 * group measured KL or has checkpoints (a run without `train.evalEvery` or `eval.kl`).
 */
export function buildFrontier(
  group: CellGroup,
  checkpointEvals: ReadonlyMap<string, readonly CheckpointEval[]>,
  opts: FrontierOptions,
): FrontierPoint[] | undefined {
  const evals = group.cells.map((c) => checkpointEvals.get(c.cellId) ?? [])
  if (group.cells.every((c, i) => c.kl === undefined && evals[i]!.length === 0)) return undefined
  const shared = (evals[0] ?? []).map((e) => e.step).filter((step) => evals.every((list) => list.some((e) => e.step === step)))
  const stages: Array<{ step: number; cells: CellResult[] }> = shared.map((step) => ({
    step,
    cells: group.cells.map((c, i) =>
      cellAt(
        c,
        evals[i]!.find((e) => e.step === step)!,
      ),
    ),
  }))
  const finalSteps = new Set(group.cells.map((c) => c.training.length))
  stages.push({ step: group.key.strategy === 'base' ? 0 : Math.max(...finalSteps), cells: group.cells })
  return stages.map(({ step, cells }, i) => {
    const at: CellGroup = { ...group, cells }
    // The final point reuses the group's own bootstrap seeds, so it equals the group's estimates.
    const label = i === stages.length - 1 ? group.groupId : `${group.groupId}@${step}`
    const o = { ...opts, label }
    return {
      step,
      ...klOf(cells, group.promptIds, o),
      pass1: estimateOf(at, 'pass1', 1, o, label),
      passAtN: group.grid.map((n) => estimateOf(at, 'passAtN', n, o, label)),
      bestOfN: group.grid.map((n) => estimateOf(at, 'bestOfN', n, o, label)),
    }
  })
}
