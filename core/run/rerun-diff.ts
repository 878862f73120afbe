import type { CellResult } from '../plugin-api/results.js'
import { indexJournal, type JournalIndex } from './journal-index.js'
import type { JournalRecord } from './journal-types.js'

/** How a rerun's cells compare with the recorded run's. */
export interface RunDiff {
  /** Every cell finished (or failed) the same way, and every number is bit-identical: the cells' and what they share ({@link RunDiff.differingShared}). */
  identical: boolean
  /** Cells compared (the union of both runs' planned cells). */
  cells: number
  /** Cells with at least one difference, in plan order. */
  differingCells: string[]
  /** The first differences, one line each: `cell: path recorded → rerun`. */
  differences: string[]
  /** All differences found (may exceed `differences.length`). */
  total: number
  /** Cells that failed in both runs with the same message, and planned cells that finished in neither (no numbers to compare). */
  unfinished: { failed: number; missing: number }
  /**
   * What the cells share that differs, in journal order: `pretrain` (the base model's pretraining
   * records) and `prepare <name>` (a prepared component's facts, e.g. the learned verifier's); empty
   * when they reproduce. Their difference lines come first in `differences`, prefixed the same way.
   */
  differingShared: string[]
}

type CellOutcome = { state: 'finished'; result: CellResult } | { state: 'failed'; message: string } | { state: 'missing' }

/**
 * The final outcome of each cell in a journal, as `--resume` sees it (indexJournal): finished when
 * it has a `cell` record, else failed with its last error. Keyed in order of each cell's first outcome record.
 */
function outcomes(records: readonly JournalRecord[], index: JournalIndex): Map<string, CellOutcome> {
  const out = new Map<string, CellOutcome>()
  for (const r of records) {
    if ((r.type !== 'cell' && r.type !== 'error') || out.has(r.cellId)) continue
    const result = index.cells.get(r.cellId)
    out.set(r.cellId, result ? { state: 'finished', result } : { state: 'failed', message: index.failures.get(r.cellId)!.message })
  }
  return out
}

/**
 * What of a cell must reproduce: everything its result holds (metrics, per-prompt metrics, training
 * log, compute counts, checkpoint hash, KL, the validation split's evaluation, and whatever a later
 * version adds) but what says what this process spent or names the cell: `cellId` (the report names
 * it), compute's wall time, and `usage` (a billed model's requests and tokens: cost bookkeeping, whose
 * cache hits differ from run to run — plugins/models/openai-compatible/usage-meter.ts). Left out by
 * name, not picked by name, so that no result field is missed. `checkpoints`: the cell's checkpoint
 * evaluations (`train.evalEvery`), when measured.
 */
function comparable(result: CellResult, checkpoints: readonly unknown[] | undefined): Record<string, unknown> {
  const { cellId: _cellId, usage: _usage, compute, ...results } = result
  const { wallMs: _wallMs, ...counts } = compute
  return { ...results, compute: counts, checkpoints }
}

/** Each cell's checkpoint evaluations (`train.evalEvery`), everything but wall time (their validation split included), in journal order. */
function checkpointEvals(records: readonly JournalRecord[]): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>()
  for (const r of records) {
    if (r.type !== 'checkpoint-eval') continue
    const { type: _type, cellId, compute, ...evaluation } = r
    const { wallMs: _wallMs, ...counts } = compute
    if (!out.has(cellId)) out.set(cellId, [])
    out.get(cellId)!.push({ ...evaluation, compute: counts })
  }
  return out
}

/**
 * The fields of a `prepare` record's facts that are wall time, not results: left out of the
 * comparison by name (the reward model's `prepareMs`: how long training or loading it took).
 */
export const PREPARE_TIMING_FACTS: readonly string[] = ['prepareMs']

/** A `prepare` record's facts without {@link PREPARE_TIMING_FACTS}: what must reproduce. Pure. */
function withoutTimingFacts(facts: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out = { ...facts }
  for (const field of PREPARE_TIMING_FACTS) delete out[field]
  return out
}

/**
 * What the cells of a run share, as its journal records it, for {@link diffRunResults}: the base
 * model's pretraining log (the `train` records of cell 'pretrain', as a resume reads them: each
 * step once, as first journaled; a TrainStepLog holds no wall time, so every field counts) and each
 * prepared component's facts (its `prepare` records merged, without {@link PREPARE_TIMING_FACTS}).
 * A run resumed on another backend than its first part journals pretraining steps from two
 * backends: the comparison with a rerun (on one backend) finds them, where the cells' results alone
 * could agree.
 */
function sharedRecords(index: JournalIndex): Map<string, unknown> {
  const out = new Map<string, unknown>()
  const pretrain = index.training.get('pretrain')
  if (pretrain) out.set('pretrain', pretrain)
  for (const name of index.prepared) {
    out.set(`prepare ${name}`, withoutTimingFacts(index.prepare[name] ?? {}))
  }
  return out
}

function show(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  if (value === undefined) return '(absent)'
  const text = JSON.stringify(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** Appends every path where `a` and `b` differ; numbers must be bit-identical (Object.is). */
function walk(a: unknown, b: unknown, path: string, out: string[]): void {
  if (Object.is(a, b)) return
  const bothArrays = Array.isArray(a) && Array.isArray(b)
  const bothObjects = !bothArrays && a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)
  if (bothArrays) {
    if (a.length !== b.length) out.push(`${path}: length ${a.length} → ${b.length}`)
    for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`, out)
    return
  }
  if (bothObjects) {
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)])
    for (const k of keys) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out)
    return
  }
  out.push(`${path}: ${show(a)} → ${show(b)}`)
}

/**
 * Every difference between two finished cells' reproducible content (everything but wall time and
 * usage: metrics, per-prompt metrics, training log, compute counts, checkpoint hash, KL, validation), one `path: a → b` line each;
 * numbers must be bit-identical. Empty: the cells reproduce each other exactly. Pure.
 */
export function cellResultDifferences(a: CellResult, b: CellResult): string[] {
  const found: string[] = []
  walk(comparable(a, undefined), comparable(b, undefined), '', found)
  return found
}

/** Every path where two JSON values differ (`path: a → b`; numbers compared bit for bit). Pure. */
export function valueDifferences(a: unknown, b: unknown, path = ''): string[] {
  const found: string[] = []
  walk(a, b, path, found)
  return found
}

/**
 * Compares the cells of a recorded run with those of its rerun, from their journals: each cell
 * must end the same way (finished, failed with the same message, or missing in both), and a
 * finished cell's result (metrics, per-prompt metrics, training log, compute counts, checkpoint
 * hash, KL, validation split; not wall time or usage) and its checkpoint evaluations must be bit-identical;
 * so must what the cells share: the base model's pretraining records and every `prepare` record's
 * facts but their wall time ({@link PREPARE_TIMING_FACTS}), compared first. Pure; `cellOrder` fixes
 * the order of the report.
 */
export function diffRunResults(recorded: readonly JournalRecord[], rerun: readonly JournalRecord[], cellOrder: readonly string[], limit = 20): RunDiff {
  // Each journal indexed once: its cells' outcomes and what they share read the same index.
  const wasIndex = indexJournal(recorded)
  const nowIndex = indexJournal(rerun)
  const was = outcomes(recorded, wasIndex)
  const now = outcomes(rerun, nowIndex)
  const wasEvals = checkpointEvals(recorded)
  const nowEvals = checkpointEvals(rerun)
  const ids = [...new Set([...cellOrder, ...was.keys(), ...now.keys()])]
  const differingCells: string[] = []
  const all: string[] = []
  const unfinished = { failed: 0, missing: 0 }
  const differingShared: string[] = []
  const wasShared = sharedRecords(wasIndex)
  const nowShared = sharedRecords(nowIndex)
  for (const name of new Set([...wasShared.keys(), ...nowShared.keys()])) {
    const found: string[] = []
    if (!wasShared.has(name) || !nowShared.has(name))
      found.push(`${wasShared.has(name) ? 'recorded' : 'absent'} → ${nowShared.has(name) ? 'recorded' : 'absent'}`)
    else walk(wasShared.get(name), nowShared.get(name), name === 'pretrain' ? 'step' : '', found)
    if (found.length > 0) {
      differingShared.push(name)
      all.push(...found.map((f) => `${name}: ${f}`))
    }
  }
  for (const id of ids) {
    const a = was.get(id) ?? { state: 'missing' as const }
    const b = now.get(id) ?? { state: 'missing' as const }
    if (a.state === b.state && a.state !== 'finished') unfinished[a.state]++
    const found: string[] = []
    if (a.state !== b.state)
      found.push(`${a.state} → ${b.state}${b.state === 'failed' ? ` (${b.message})` : a.state === 'failed' ? ` (was: ${a.message})` : ''}`)
    else if (a.state === 'failed' && b.state === 'failed' && a.message !== b.message) found.push(`error ${show(a.message)} → ${show(b.message)}`)
    else if (a.state === 'finished' && b.state === 'finished') walk(comparable(a.result, wasEvals.get(id)), comparable(b.result, nowEvals.get(id)), '', found)
    if (found.length > 0) {
      differingCells.push(id)
      all.push(...found.map((f) => `${id}: ${f}`))
    }
  }
  return { identical: all.length === 0, cells: ids.length, differingCells, differences: all.slice(0, limit), total: all.length, unfinished, differingShared }
}
