import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { BenchError } from '../core/errors.js'
import type { CellKey, CellResult, PoolSample, TrainStepLog } from '../core/plugin-api/results.js'
import type { CheckpointEval } from '../core/plugin-api/divergence.js'
import { type JournalRecord, type RunManifest, type RunManifestV1, upgradeManifest } from '../core/run/journal-types.js'

/** A journal line that did not parse or is not a known record. Line numbers start at 1. */
export interface BadLine {
  line: number
  message: string
}

/** A cell that failed, as journaled. */
export interface CellFailure {
  cellId: string
  key: CellKey
  message: string
}

/** Everything a report needs, rebuilt from `run.json` and `journal.jsonl` alone. */
export interface RunData {
  runDir: string
  manifest: RunManifest
  /** Finished cells in manifest order (then journal order for cells the manifest lacks); the last record of a cell wins. */
  cells: CellResult[]
  /** cellId → promptId → the evaluation pool of that prompt (the last record wins). */
  pools: Map<string, Map<string, PoolSample[]>>
  /** cellId → training steps in journal order ('pretrain' for the shared pretraining). */
  training: Map<string, TrainStepLog[]>
  /** cellId → its intermediate checkpoint evaluations (`train.evalEvery`), by ascending step (the last record of a step wins). */
  checkpointEvals?: Map<string, CheckpointEval[]>
  /** prepare name → facts (e.g. reward-model AUC). */
  prepare: Record<string, Record<string, unknown>>
  /** Cells whose last record is an error (a later finished record clears an earlier error). */
  errors: CellFailure[]
  /** Lines that were skipped; a bad final line (a killed run's half-written record) is dropped silently. */
  badLines: BadLine[]
}

/** Options of {@link readRun}. */
export interface ReadRunOptions {
  /** Skip malformed lines other than the last (listed in `badLines`) instead of failing. */
  skipBadLines?: boolean
}

const recordTypes = new Set(['pool', 'train', 'checkpoint', 'checkpoint-eval', 'prepare', 'cell', 'error'])

/**
 * Reads a run directory. Runs whenever a report or comparison is built; touches nothing.
 * Guarantees: the manifest is version 2 (a version-1 run.json is upgraded in memory); a truncated last journal line is ignored; any other
 * bad line throws BENCH_RUN_INVALID naming every bad line number (unless `skipBadLines`).
 */
export async function readRun(runDir: string, options: ReadRunOptions = {}): Promise<RunData> {
  const manifest = await readManifest(runDir)
  const journalPath = path.join(runDir, 'journal.jsonl')
  let text: string
  try {
    text = await readFile(journalPath, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    text = ''
  }
  const { records, badLines } = parseJournal(text)
  if (badLines.length > 0 && !options.skipBadLines) {
    const where = badLines.map((b) => `line ${b.line}: ${b.message}`).join('; ')
    throw new BenchError('BENCH_RUN_INVALID', `${journalPath} has ${badLines.length} bad line(s) (${where}); fix them or pass --skip-bad-lines to ignore them`)
  }
  return { runDir, manifest, badLines, ...collect(manifest, records) }
}

async function readManifest(runDir: string): Promise<RunManifest> {
  const manifestPath = path.join(runDir, 'run.json')
  let raw: string
  try {
    raw = await readFile(manifestPath, 'utf8')
  } catch (error) {
    throw new BenchError('BENCH_RUN_INVALID', `${runDir} is not a run directory: cannot read run.json (${(error as Error).message}); pass the folder that \`bench run\` printed`, { cause: error })
  }
  let manifest: RunManifest | RunManifestV1
  try {
    manifest = JSON.parse(raw) as RunManifest | RunManifestV1
  } catch (error) {
    throw new BenchError('BENCH_RUN_INVALID', `${manifestPath} is not valid JSON: ${(error as Error).message}`, { cause: error })
  }
  if (manifest?.version !== 1 && manifest?.version !== 2) {
    throw new BenchError('BENCH_RUN_INVALID', `${manifestPath} has version ${String((manifest as { version?: unknown } | null)?.version)}; this bonbench reads versions 1 and 2 — use the bonbench that wrote the run`)
  }
  return upgradeManifest(manifest)
}

/** Splits journal text into records; a malformed final line is dropped silently (a killed write). */
export function parseJournal(text: string): { records: JournalRecord[]; badLines: BadLine[] } {
  const lines = text.split('\n')
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop()
  const records: JournalRecord[] = []
  const badLines: BadLine[] = []
  lines.forEach((line, index) => {
    if (line.trim() === '') return
    const isLast = index === lines.length - 1
    let record: unknown
    try {
      record = JSON.parse(line)
    } catch (error) {
      if (!isLast) badLines.push({ line: index + 1, message: `not JSON (${(error as Error).message})` })
      return
    }
    const type = (record as { type?: unknown } | null)?.type
    if (typeof type !== 'string' || !recordTypes.has(type)) {
      if (!isLast) badLines.push({ line: index + 1, message: `unknown record type ${JSON.stringify(type)}` })
      return
    }
    records.push(record as JournalRecord)
  })
  return { records, badLines }
}

function collect(manifest: RunManifest, records: JournalRecord[]): Omit<RunData, 'runDir' | 'manifest' | 'badLines'> {
  const cellById = new Map<string, CellResult>()
  const failures = new Map<string, CellFailure>()
  const pools = new Map<string, Map<string, PoolSample[]>>()
  const training = new Map<string, TrainStepLog[]>()
  const prepare: Record<string, Record<string, unknown>> = {}
  const evals = new Map<string, Map<number, CheckpointEval>>()
  for (const record of records) {
    switch (record.type) {
      case 'cell':
        cellById.set(record.cellId, record.result)
        failures.delete(record.cellId)
        break
      case 'error':
        failures.set(record.cellId, { cellId: record.cellId, key: record.key, message: record.message })
        cellById.delete(record.cellId)
        break
      case 'pool': {
        let byPrompt = pools.get(record.cellId)
        if (!byPrompt) pools.set(record.cellId, (byPrompt = new Map()))
        byPrompt.set(record.promptId, record.samples)
        break
      }
      case 'train': {
        let logs = training.get(record.cellId)
        if (!logs) training.set(record.cellId, (logs = []))
        logs.push(record.log)
        break
      }
      case 'prepare':
        prepare[record.name] = { ...prepare[record.name], ...record.facts }
        break
      case 'checkpoint':
        break
      case 'checkpoint-eval': {
        const { type: _type, cellId, ...evaluation } = record
        if (!evals.has(cellId)) evals.set(cellId, new Map())
        evals.get(cellId)!.set(evaluation.step, evaluation)
        break
      }
    }
  }
  const order = new Map(manifest.cells.map((c, i) => [c.cellId, i]))
  const rank = (cell: CellResult, journalIndex: number) => order.get(cell.cellId) ?? order.size + journalIndex
  const cells = [...cellById.values()]
    .map((cell, i) => ({ cell, rank: rank(cell, i) }))
    .sort((a, b) => a.rank - b.rank)
    .map((entry) => entry.cell)
  const checkpointEvals = new Map([...evals].map(([cellId, bySteps]) => [cellId, [...bySteps.values()].sort((a, b) => a.step - b.step)]))
  return { cells, pools, training, checkpointEvals, prepare, errors: [...failures.values()] }
}
