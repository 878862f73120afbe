import type { CheckpointEval, SplitEval } from '../plugin-api/divergence.js'
import type { ModelInstance } from '../plugin-api/model.js'
import type { Problem } from '../plugin-api/task.js'
import { computeCellMetrics } from '../eval/cell-metrics.js'
import { evaluatePools, type EvaluatePoolsOptions } from '../eval/evaluate-pools.js'
import { measureKl } from '../eval/measure-kl.js'
import { needsLogProb, type SelectionRule } from '../metrics/selection-rules.js'

/**
 * The steps at which a cell trained for `steps` steps is evaluated with `evalEvery = k`: k, 2k, …
 * strictly below `steps` (the model after the last step is the cell's own final evaluation).
 * Empty when `every` is absent.
 */
export function checkpointSteps(steps: number, every: number | undefined): number[] {
  if (!every || every <= 0) return []
  const out: number[] = []
  for (let s = every; s < steps; s += every) out.push(s)
  return out
}

/** What {@link evaluateCheckpoint} needs: the cell's evaluation settings, unchanged from its final evaluation. */
export interface EvaluateCheckpointOptions extends Pick<
  EvaluatePoolsOptions,
  'model' | 'modelName' | 'problems' | 'judges' | 'temperature' | 'seed' | 'poolSize' | 'generation'
> {
  step: number
  reference: ModelInstance
  nGrid: readonly number[]
  threshold: number
  bootstrap: number
  /** The seed of the cell's final metrics (bootstrap over prompts, maj@N Monte Carlo). */
  metricsSeed: number
  /** The seed of the cell's final KL bootstrap. */
  klSeed: number
  onProgress?(done: number, total: number): void
  signal?: AbortSignal
  /** Also evaluate on these validation problems (metrics seeded by `metricsSeed`), into `validation`. */
  validation?: { problems: readonly Problem[]; metricsSeed: number }
  /** Selection rules beside Bo-N and maj@N (`eval.selectionRules`), as in the final evaluation. */
  selectionRules?: readonly SelectionRule[]
}

/**
 * Evaluates a model at an intermediate checkpoint exactly as the cell's final evaluation does —
 * one pool of `poolSize` samples per test prompt, every metric over the N grid, KL(π‖π_base) per
 * token — and returns the record to journal. The pools are not journaled (a checkpoint evaluation
 * interrupted before its record is redone whole, with the same seeds).
 *
 * Seeds: the pools use the cell's evaluation seeds (seed, 'eval', prompt) and the metrics the
 * cell's metric seed — common random numbers across checkpoints and the final model, so what
 * changes between checkpoints is the weights, not the draw. None of them is the training stream,
 * which derives from (seed, cell, 'step', step) alone, and sampling is seeded per request: so a run
 * with `evalEvery` trains and ends bit-identically to one without (test/e2e/checkpoint-evals.test.ts).
 */
export async function evaluateCheckpoint(opts: EvaluateCheckpointOptions): Promise<CheckpointEval> {
  const started = Date.now()
  const compute = { samplesDrawn: 0, tokensGenerated: 0 }
  const pools = await drawPools(opts, compute)
  const { metrics, prompts } = computeCellMetrics(pools, metricsOptions(opts, opts.metricsSeed))
  const measured = await measureKl({
    model: opts.model,
    reference: opts.reference,
    modelName: opts.modelName,
    problems: opts.problems,
    pools,
    temperature: opts.temperature,
    seed: opts.seed,
    samples: opts.poolSize,
    generation: opts.generation,
    bootstrap: opts.bootstrap,
    bootstrapSeed: opts.klSeed,
    signal: opts.signal,
  })
  compute.samplesDrawn += measured.samplesDrawn
  compute.tokensGenerated += measured.tokensGenerated
  const record: CheckpointEval = { step: opts.step, metrics, prompts, kl: measured.kl, compute: { ...compute, wallMs: 0 } }
  if (opts.validation && opts.validation.problems.length > 0) {
    record.validation = await evaluateSplit(
      { ...opts, problems: opts.validation.problems, metricsSeed: opts.validation.metricsSeed, onProgress: undefined },
      compute,
    )
  }
  record.compute = { ...compute, wallMs: Date.now() - started }
  return record
}

/**
 * Evaluates a model on a split other than test (the validation split) as the final evaluation
 * evaluates test: pools of `poolSize` per prompt with the cell's evaluation seeds (seed, 'eval',
 * prompt id — the ids differ from the test prompts'), metrics over the N grid. Pools are not kept.
 * Adds what it drew to `compute`.
 */
export async function evaluateSplit(
  opts: Pick<
    EvaluateCheckpointOptions,
    | 'model'
    | 'modelName'
    | 'problems'
    | 'judges'
    | 'temperature'
    | 'seed'
    | 'poolSize'
    | 'generation'
    | 'nGrid'
    | 'threshold'
    | 'bootstrap'
    | 'metricsSeed'
    | 'signal'
    | 'onProgress'
    | 'selectionRules'
  >,
  compute: { samplesDrawn: number; tokensGenerated: number } = { samplesDrawn: 0, tokensGenerated: 0 },
): Promise<SplitEval> {
  const pools = await drawPools(opts, compute)
  return computeCellMetrics(pools, metricsOptions(opts, opts.metricsSeed))
}

/** The metric settings of a checkpoint or split: the final evaluation's, with `seed`; rules only when some are set (the default result stays as it was). */
function metricsOptions(opts: Pick<EvaluateCheckpointOptions, 'nGrid' | 'threshold' | 'bootstrap' | 'selectionRules'>, seed: number) {
  return {
    nGrid: opts.nGrid,
    threshold: opts.threshold,
    bootstrap: opts.bootstrap,
    seed,
    ...(opts.selectionRules ? { selectionRules: opts.selectionRules } : {}),
  }
}

/** Draws and scores fresh pools of `opts.problems` (nothing journaled), adding what it drew to `compute`. */
function drawPools(
  opts: Pick<
    EvaluateCheckpointOptions,
    'model' | 'modelName' | 'problems' | 'judges' | 'temperature' | 'seed' | 'poolSize' | 'generation' | 'signal' | 'onProgress' | 'selectionRules'
  >,
  compute: { samplesDrawn: number; tokensGenerated: number },
): ReturnType<typeof evaluatePools> {
  return evaluatePools({
    model: opts.model,
    modelName: opts.modelName,
    problems: opts.problems,
    judges: opts.judges,
    temperature: opts.temperature,
    seed: opts.seed,
    poolSize: opts.poolSize,
    generation: opts.generation,
    done: new Map(),
    signal: opts.signal,
    onPool: (pool) => {
      compute.samplesDrawn += pool.samples.length
      for (const s of pool.samples) compute.tokensGenerated += s.tokens
    },
    onProgress: opts.onProgress,
    ...(opts.selectionRules?.some(needsLogProb) ? { keepLogProb: true } : {}),
  })
}
