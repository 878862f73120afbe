import { join } from 'node:path'
import { BenchError } from '../errors.js'
import type { CheckpointEval } from '../plugin-api/divergence.js'
import type { CellResult, PoolSample, TrainStepLog } from '../plugin-api/results.js'
import { type CellFailure, indexJournal } from './journal-index.js'
import { type BadLine, parseJournal, readJournalBytes } from './journal.js'
import type { JournalRecord, RunManifest } from './journal-types.js'
import { readManifest } from './manifest.js'

export type { CellFailure } from './journal-index.js'
export type { BadLine } from './journal.js'

/** The files of a run directory, by what they hold. */
export const runFiles = {
  /** The manifest: identity, planned cells, provenance (`RunManifest`). */
  manifest: 'run.json',
  /** The append-only journal (`JournalRecord` per line). */
  journal: 'journal.jsonl',
  /** The analysed run (reports' `Results`), written by `bench report --format json` and the json reporter. */
  results: 'results.json',
} as const

/**
 * A run as it is on disk, rebuilt from `run.json` and `journal.jsonl` alone: what `bench report`,
 * `bench compare` and the reporters analyse. `bench run --resume` and `bench rerun` read the same
 * files through the same pieces (readManifest, parseJournal, indexJournal).
 */
export interface RunData {
  runDir: string
  manifest: RunManifest
  /** Finished cells in manifest order (then journal order for cells the manifest lacks); the last record of a cell wins. */
  cells: CellResult[]
  /** cellId → promptId → the evaluation pool of that prompt (the last record wins). */
  pools: Map<string, Map<string, PoolSample[]>>
  /** cellId → training steps in journal order ('pretrain' for the shared pretraining). */
  training: Map<string, TrainStepLog[]>
  /** cellId → its intermediate checkpoint evaluations (`train.evalEvery`), by ascending step. */
  checkpointEvals?: Map<string, CheckpointEval[]>
  /** prepare name → facts (e.g. reward-model AUC). */
  prepare: Record<string, Record<string, unknown>>
  /** Cells whose last record is an error (a later finished record clears an earlier error). */
  errors: CellFailure[]
  /** Lines that were skipped; a bad final line (a killed run's half-written record) is dropped, in `torn`. */
  badLines: BadLine[]
  /** The bad final line dropped: the record a killed run was writing (`bench compare` names it). */
  torn?: BadLine
}

/** True when the run's journal holds no record at all (missing, emptied): not even a failed cell or a pretraining step. */
export function holdsNoRecord(run: RunData): boolean {
  return run.cells.length + run.errors.length + run.pools.size + run.training.size + Object.keys(run.prepare).length === 0
}

/** Options of {@link readRun}. */
export interface ReadRunOptions {
  /** Skip malformed lines other than the last (listed in `badLines`) instead of failing. */
  skipBadLines?: boolean
}

/**
 * Reads a run directory. Runs whenever a report or comparison is built; touches nothing.
 * Guarantees: the manifest is version 2 (a version-1 run.json is upgraded in memory); a truncated last journal line is ignored; any other
 * bad line throws BENCH_RUN_INVALID naming every bad line number (unless `skipBadLines`).
 */
export async function readRun(runDir: string, options: ReadRunOptions = {}): Promise<RunData> {
  const manifest = readManifest(runDir)
  const journalPath = join(runDir, runFiles.journal)
  const { records, badLines, torn } = parseJournal(readJournalBytes(journalPath).toString('utf8'))
  if (badLines.length > 0 && !options.skipBadLines) {
    const where = badLines.map((b) => `line ${b.line}: ${b.message}`).join('; ')
    throw new BenchError('BENCH_RUN_INVALID', `${journalPath} has ${badLines.length} bad line(s) (${where}); fix them or pass --skip-bad-lines to ignore them`)
  }
  return { ...runDataOf(runDir, manifest, records, badLines), ...(torn ? { torn } : {}) }
}

/** The {@link RunData} of a manifest and its journal's records. Pure (tests build runs in memory with it). */
export function runDataOf(runDir: string, manifest: RunManifest, records: readonly JournalRecord[], badLines: BadLine[] = []): RunData {
  const index = indexJournal(records)
  const order = new Map(manifest.cells.map((c, i) => [c.cellId, i]))
  const finished = [...index.cells.values()].filter((cell) => !index.failures.has(cell.cellId))
  const rank = (cell: CellResult, journalIndex: number) => order.get(cell.cellId) ?? order.size + journalIndex
  const cells = finished
    .map((cell, i) => ({ cell, rank: rank(cell, i) }))
    .sort((a, b) => a.rank - b.rank)
    .map((entry) => entry.cell)
  return {
    runDir,
    manifest,
    cells,
    pools: index.pools,
    training: index.training,
    checkpointEvals: index.checkpointEvals,
    prepare: index.prepare,
    errors: [...index.failures.values()],
    badLines,
  }
}
