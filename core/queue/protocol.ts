import type { RunEvent } from '../events.js'
import type { JournalRecord } from '../run/journal-types.js'
import type { PluginRecord, Provenance } from '../run/provenance.js'

/**
 * One BullMQ job of queue mode: one cell of one run. `base` marks the run's first job, which the
 * coordinator enqueues alone and waits for: it builds the shared base model and prepares the
 * selector (into the shared cache) and returns their records with its cell's.
 */
export interface CellJobData {
  runId: string
  /** The coordinator's run directory (where checkpoints go when workers share its file system). */
  runDir: string
  cellId: string
  base: boolean
  /** run.json's provenance.config: the resolved config a worker runs the cell with. */
  config: Record<string, unknown>
  /** What a worker must match: bonbench's version and every plugin's name, kind, version and options. */
  harness: { name: string; version: string }
  plugins: PluginRecord[]
  /** run.json's provenance.dataFiles: a worker must read the same bytes (absent from an older coordinator: not checked). */
  dataFiles?: Provenance['dataFiles']
}

/** What a cell job returns: its journal records in order (for the base job, the shared pretraining and 'prepare' records first). */
export interface CellJobResult {
  records: JournalRecord[]
  /**
   * Every run event the cell emitted, in order, none left out (for the base job, the base stage's
   * first): the coordinator hands them to the run's reporter plugins once the cell is journaled,
   * so they see what they see in a local run. (Progress sent live is thinned; this is not.)
   */
  events?: RunEvent[]
  /** The worker that ran it (`host:pid`). */
  worker: string
  /**
   * The TensorFlow.js backend the worker's base model ran on (its `describe()`), absent for a model
   * that runs on none: the coordinator of a run that asked for `auto` pins the base job's backend
   * for every later job, so each worker computes where the base model was built.
   */
  backend?: { name: string; device: string }
}

/** A progress message of a running job (BullMQ `updateProgress`): a run event of its cell, forwarded to the coordinator's UI. */
export interface CellJobProgress {
  runId: string
  event: RunEvent
}

/** The BullMQ job id of a cell: the same cell of the same run is one job, so enqueueing again is a no-op. */
export function jobIdOf(runId: string, cellId: string): string {
  return `${runId}__${cellId}`
}

/**
 * The identity of a journal record for idempotence: a retried or re-delivered cell never journals
 * a record twice — pools by (cell, prompt) (the seed is part of the cell id), steps by (cell, step).
 */
export function recordKey(record: JournalRecord): string {
  switch (record.type) {
    case 'pool':
      return `pool|${record.cellId}|${record.promptId}`
    case 'train':
      return `train|${record.cellId}|${record.log.step}`
    case 'checkpoint':
      return `checkpoint|${record.cellId}|${record.step}`
    case 'checkpoint-eval':
      return `checkpoint-eval|${record.cellId}|${record.step}`
    case 'prepare':
      return `prepare|${record.name}`
    case 'cell':
      return `cell|${record.cellId}`
    case 'error':
      return `error|${record.cellId}`
  }
}
