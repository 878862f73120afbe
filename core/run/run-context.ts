import type { ResolvedConfig } from '../config/resolve-config.js'
import type { RunEvent } from '../events.js'
import type { Judges } from '../eval/score-samples.js'
import type { ModelInstance } from '../plugin-api/model.js'
import type { Problem } from '../plugin-api/task.js'
import { deriveSeed } from '../rng.js'
import type { JournalIndex } from './journal-index.js'
import type { JournalRecord } from './journal-types.js'
import type { PlannedCell } from './planner.js'
import type { RunPlugins } from './run-plugins.js'

/** Where a stage writes what it finished: the run's journal, or (a queue worker) a channel back to it. */
export interface RecordSink {
  append(record: JournalRecord): void
}

/** How a stage reports: run events (UI, reporters) and log lines. */
export interface StageOutput {
  emit(event: RunEvent): void
  log(message: string, level?: 'info' | 'warn' | 'error', cellId?: string): void
}

/** The problems a run works on, carved once by the `openRun` stage. */
export interface RunProblems {
  /** The test prompts every cell is evaluated on (`eval.testPrompts` of them when set). */
  test: readonly Problem[]
  /** What strategies fine-tune on (the train split, less validation and pretraining-only problems when carved). */
  finetune: readonly Problem[]
  /** The validation split (`eval.validationPrompts`), absent when none is asked for. */
  validation?: readonly Problem[]
}

/**
 * What every stage after `openRun` reads: the resolved config and plugins, the run's identity and
 * folder, the journal so far (`previous`, for resume) and where new records go, the problems, and
 * the run's shared settings. Built once per run (core/run/open-run.ts).
 */
export interface RunContext extends StageOutput {
  config: ResolvedConfig
  plugins: RunPlugins
  runId: string
  runDir: string
  journal: RecordSink
  previous: JournalIndex
  problems: RunProblems
  /** The task's generation settings (max tokens, stop strings). */
  generation: { maxTokens?: number; stop?: string[] }
  /** The concurrency budget: pool and scoring parallelism. */
  concurrency: number
  signal?: AbortSignal
  /** Registers a model instance the run created, to be disposed exactly once (core/run/plugin-lifecycle.ts). */
  own<T extends ModelInstance>(instance: T, what: string): T
  /** Disposes an owned model instance now (a cell's trained copy, once the cell is done with it). */
  release(instance: ModelInstance): Promise<void>
}

/** The base model every cell starts from, and the judges (R and r) every stage scores with. */
export interface BaseStage {
  model: ModelInstance
  /** The base model's cache key or checkpoint hash. */
  key: string
  judges: Judges
}

/** The seeds of one cell's measurements, derived from its seed and id (never the training stream). */
export function cellSeeds(cell: PlannedCell): { metrics: number; kl: number; validationMetrics: number } {
  const { seed } = cell.key
  return {
    metrics: deriveSeed(seed, cell.cellId, 'metrics'),
    kl: deriveSeed(seed, cell.cellId, 'kl'),
    validationMetrics: deriveSeed(seed, cell.cellId, 'validation-metrics'),
  }
}

/** The settings every evaluation of a cell shares (final, checkpoint and validation): one draw rule for all. */
export function cellEvalSettings(ctx: RunContext, base: BaseStage, cell: PlannedCell) {
  return {
    modelName: ctx.plugins.model.name,
    judges: base.judges,
    temperature: cell.key.temperature,
    seed: cell.key.seed,
    poolSize: ctx.config.poolSize,
    generation: ctx.generation,
    nGrid: ctx.config.nGrid,
    threshold: ctx.config.eval.threshold,
    bootstrap: ctx.config.eval.bootstrap,
    signal: ctx.signal,
  }
}
