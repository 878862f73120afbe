import type { CellKey, CellMetrics, CellResult, TrainStepLog } from './plugin-api/results.js'
import type { BenchErrorCode } from './errors.js'

/** The phases a cell goes through, in order (pretrain happens once per run, in cell 'base'). */
export type Phase = 'pretrain' | 'prepare' | 'train' | 'sample' | 'verify' | 'metrics'

/** The plan summary announced at the start of a run. */
export interface PlanSummary {
  cells: Array<{ cellId: string; key: CellKey }>
  samplesToDraw: number
  estimatedSeconds: number
  /** What the estimate rests on (samples, tokens, throughput, cores), one line; absent from older emitters. */
  estimateBasis?: string
}

/**
 * The closed union of run events. The scheduler emits them in order; reporters and the UI only
 * consume them. Each member says when it fires and what is guaranteed at that point.
 */
export type RunEvent =
  /** Once, before any work: the run directory exists and `run.json` is written. */
  | { type: 'run:start'; runId: string; runDir: string; plan: PlanSummary; resumed: boolean }
  /** A cell begins work (not emitted for cells already finished in the journal). */
  | { type: 'cell:start'; cellId: string; key: CellKey }
  /** A cell found complete in the journal on `--resume`; its result is reused as is. */
  | { type: 'cell:skip'; cellId: string; key: CellKey; result: CellResult }
  /** A cell (or the shared 'base' preparation) enters a phase; `total` units follow in progress. */
  | { type: 'phase'; cellId: string; phase: Phase; total: number }
  /** Progress inside the current phase; `done` never exceeds `total`. */
  | { type: 'progress'; cellId: string; phase: Phase; done: number; total: number; loss?: number; accuracy?: number }
  /** One optimizer step finished (training or pretraining); the step is journaled before this fires. */
  | { type: 'train:step'; cellId: string; phase: Phase; log: TrainStepLog }
  /** A cell finished; its result is journaled (fsync'd) before this fires. */
  | { type: 'cell:end'; cellId: string; key: CellKey; result: CellResult; metrics: CellMetrics }
  /** A cell failed; the error is journaled, other cells go on. `code`: the BenchError's code, when it was one. */
  | { type: 'cell:error'; cellId: string; key: CellKey; message: string; code?: BenchErrorCode }
  /** A line for the log tail. */
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; cellId?: string }
  /** Once, last: every finished cell is in the journal. `interrupted` when stopped by a signal. */
  | { type: 'run:end'; runId: string; runDir: string; results: CellResult[]; interrupted: boolean; wallMs: number }

/** The `type` tags of RunEvent. */
export type RunEventType = RunEvent['type']

/** A function that receives run events. */
export type RunEventListener = (event: RunEvent) => void
