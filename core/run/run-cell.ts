import { isBenchError } from '../errors.js'
import type { CellResult } from '../plugin-api/results.js'
import { evaluateStage } from './evaluate-stage.js'
import type { PlannedCell } from './planner.js'
import type { BaseStage, RunContext } from './run-context.js'
import { trainStage } from './train-stage.js'
import { describeHookError } from './hooks-in-flight.js'

/**
 * One cell, start to end: train (stage 3), evaluate and measure (stages 4–5), then journal the
 * result before its `cell:end` event fires. The cell's own model instance is released whatever
 * happens; an error propagates to the caller, which journals it (see {@link recordCellError}).
 */
export async function runCell(ctx: RunContext, base: BaseStage, cell: PlannedCell): Promise<CellResult> {
  const cellStart = Date.now()
  ctx.emit({ type: 'cell:start', cellId: cell.cellId, key: cell.key })
  let trained: Awaited<ReturnType<typeof trainStage>> | undefined
  try {
    trained = await trainStage(ctx, base, cell)
    const result = await evaluateStage(ctx, base, cell, trained, cellStart)
    ctx.journal.append({ type: 'cell', cellId: cell.cellId, key: cell.key, result })
    ctx.emit({ type: 'cell:end', cellId: cell.cellId, key: cell.key, result, metrics: result.metrics })
    return result
  } finally {
    if (trained && trained.model !== base.model) await ctx.release(trained.model)
  }
}

/**
 * Journals a cell's failure and tells the listeners, so the run (and a resume) know it failed and
 * why: an Error a plugin hook threw is named with the plugin and the hook (`verifier plugin 'x'
 * score() threw: …`), and so is a thrown value that is not an Error (`verifier plugin 'x' score()
 * threw 42, not an Error: …`).
 */
export function recordCellError(ctx: RunContext, cell: PlannedCell, error: unknown): void {
  const message = describeHookError(error)
  ctx.journal.append({ type: 'error', cellId: cell.cellId, key: cell.key, message })
  ctx.emit({ type: 'cell:error', cellId: cell.cellId, key: cell.key, message, ...(isBenchError(error) ? { code: error.code } : {}) })
}
