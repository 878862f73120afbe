import type { CellKey, CellResult, PoolSample, TrainStepLog } from '../plugin-api/results.js'
import type { CheckpointEval } from '../plugin-api/divergence.js'
import type { JournalRecord } from './journal-types.js'

/** A cell that failed, as journaled. */
export interface CellFailure {
  cellId: string
  key: CellKey
  message: string
}

/**
 * A journal's records grouped by what they are about: what `--resume` skips, what `bench rerun`
 * compares, and what reports are built from. Built by {@link indexJournal}.
 */
export interface JournalIndex {
  /**
   * cellId → its last finished result. A resumed run skips these cells (even one with a later
   * error record). Map order: when each cell finished, counted afresh after an error.
   */
  cells: Map<string, CellResult>
  /** Cells whose last outcome record is an error (a later `cell` record clears it), in the order they failed. */
  failures: Map<string, CellFailure>
  /** cellId → its newest checkpoint (a resumed cell trains on from it). */
  checkpoints: Map<string, Extract<JournalRecord, { type: 'checkpoint' }>>
  /** cellId → promptId → the evaluation pool of that prompt (the last record wins). */
  pools: Map<string, Map<string, PoolSample[]>>
  /** cellId → training steps in journal order ('pretrain' for the shared pretraining); a repeated step once, as first journaled. */
  training: Map<string, TrainStepLog[]>
  /** cellId → its intermediate checkpoint evaluations (`train.evalEvery`), by ascending step (the last record of a step wins). */
  checkpointEvals: Map<string, CheckpointEval[]>
  /** prepare name → its facts, merged over its records (e.g. reward-model AUC). */
  prepare: Record<string, Record<string, unknown>>
  /** Names of the components whose 'prepare' record is journaled (a resume does not repeat it). */
  prepared: Set<string>
}

/** Groups journal records (in journal order) by cell. Pure; the one place records are interpreted. */
export function indexJournal(records: readonly JournalRecord[]): JournalIndex {
  const index: JournalIndex = {
    cells: new Map(),
    failures: new Map(),
    checkpoints: new Map(),
    pools: new Map(),
    training: new Map(),
    checkpointEvals: new Map(),
    prepare: {},
    prepared: new Set(),
  }
  const evals = new Map<string, Map<number, CheckpointEval>>()
  for (const record of records) {
    switch (record.type) {
      case 'cell':
        // Finished again after failing: it counts as finishing now (reports list cells in that order).
        if (index.failures.delete(record.cellId)) index.cells.delete(record.cellId)
        index.cells.set(record.cellId, record.result)
        break
      case 'error':
        index.failures.set(record.cellId, { cellId: record.cellId, key: record.key, message: record.message })
        break
      case 'checkpoint':
        index.checkpoints.set(record.cellId, record)
        break
      case 'pool': {
        let byPrompt = index.pools.get(record.cellId)
        if (!byPrompt) index.pools.set(record.cellId, (byPrompt = new Map()))
        byPrompt.set(record.promptId, record.samples)
        break
      }
      case 'train': {
        let logs = index.training.get(record.cellId)
        if (!logs) index.training.set(record.cellId, (logs = []))
        // Steps count from 0 and are journaled once each: a step held already is a repeat (a journal
        // appended to itself), and the first record stays, as a resume keeps it (train-stage.ts).
        if (record.log.step >= logs.length) logs.push(record.log)
        break
      }
      case 'checkpoint-eval': {
        const { type: _type, cellId, ...evaluation } = record
        let bySteps = evals.get(cellId)
        if (!bySteps) evals.set(cellId, (bySteps = new Map()))
        bySteps.set(evaluation.step, evaluation)
        break
      }
      case 'prepare':
        index.prepare[record.name] = { ...index.prepare[record.name], ...record.facts }
        index.prepared.add(record.name)
        break
    }
  }
  for (const [cellId, bySteps] of evals)
    index.checkpointEvals.set(
      cellId,
      [...bySteps.values()].sort((a, b) => a.step - b.step),
    )
  return index
}
