import type { CellResult } from '../plugin-api/results.js'
import { modelHash } from '../plugin-api/index.js'
import { klEnabled } from '../config/resolve-config.js'
import { computeCellMetrics } from '../eval/cell-metrics.js'
import { evaluatePools } from '../eval/evaluate-pools.js'
import { measureKl } from '../eval/measure-kl.js'
import { evaluateSplit } from './checkpoint-evals.js'
import type { PlannedCell } from './planner.js'
import { type BaseStage, type RunContext, cellEvalSettings, cellSeeds } from './run-context.js'
import type { TrainedCell } from './train-stage.js'

/**
 * Stages 4 and 5, evaluate one cell's model: one pool per test prompt (pools journaled before an
 * interruption are reused, and each new pool is journaled as it is drawn), every metric over the
 * N grid from those pools, then the measurements that are not the cell's compute — KL(π‖π_base)
 * when asked, the validation split — and the model's hash. Returns the cell's result, not yet journaled.
 */
export async function evaluateStage(ctx: RunContext, base: BaseStage, cell: PlannedCell, trained: TrainedCell, cellStart: number): Promise<CellResult> {
  const { config, previous } = ctx
  const { model, training, compute } = trained
  const settings = cellEvalSettings(ctx, base, cell)
  const seeds = cellSeeds(cell)
  const test = ctx.problems.test
  const onProgress = (done: number, total: number) => ctx.emit({ type: 'progress', cellId: cell.cellId, phase: 'sample', done, total })
  ctx.emit({ type: 'phase', cellId: cell.cellId, phase: 'sample', total: test.length })
  // Pools journaled before an interruption count as drawn: compute does not depend on resuming.
  for (const samples of previous.pools.get(cell.cellId)?.values() ?? []) {
    compute.samplesDrawn += samples.length
    for (const s of samples) compute.tokensGenerated += s.tokens
  }
  const pools = await evaluatePools({
    ...settings,
    model,
    problems: test,
    done: previous.pools.get(cell.cellId) ?? new Map(),
    onPool: (pool) => {
      ctx.journal.append({ type: 'pool', cellId: cell.cellId, promptId: pool.promptId, samples: pool.samples })
      compute.samplesDrawn += pool.samples.length
      for (const s of pool.samples) compute.tokensGenerated += s.tokens
    },
    onProgress,
  })
  ctx.emit({ type: 'phase', cellId: cell.cellId, phase: 'metrics', total: 1 })
  const { metrics, prompts } = computeCellMetrics(pools, {
    nGrid: config.nGrid,
    threshold: config.eval.threshold,
    bootstrap: config.eval.bootstrap,
    seed: seeds.metrics,
  })
  const result: CellResult = { cellId: cell.cellId, key: cell.key, metrics, prompts, training, compute: { ...compute, wallMs: Date.now() - cellStart } }
  if (klEnabled(config)) {
    // The cost of a separate KL draw (cells not at T = 1) is measurement, not the cell's compute.
    const measured = await measureKl({
      ...settings,
      model,
      reference: base.model,
      problems: test,
      pools,
      samples: config.poolSize,
      bootstrapSeed: seeds.kl,
    })
    result.kl = measured.kl
  }
  const validation = ctx.problems.validation
  if (validation) {
    // Measurement like the KL: its samples are not the cell's compute; its pools are not journaled.
    ctx.emit({ type: 'phase', cellId: cell.cellId, phase: 'sample', total: validation.length })
    result.validation = await evaluateSplit({ ...settings, model, problems: validation, metricsSeed: seeds.validationMetrics, onProgress })
  }
  const hash = await modelHash(model)
  if (typeof hash === 'string') result.checkpoint = hash
  return result
}
