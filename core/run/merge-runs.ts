import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { BenchError } from '../errors.js'
import type { CellKey } from '../plugin-api/results.js'
import { Journal, parseJournal, readJournalBytes } from './journal.js'
import { indexJournal, type JournalIndex } from './journal-index.js'
import type { JournalRecord, RunManifest } from './journal-types.js'
import { readManifest } from './manifest.js'
import { runFiles } from './run-record.js'

/** What {@link mergeRuns} wrote. */
export interface MergedRun {
  runDir: string
  runId: string
  /** The shard runs merged, in shard order. */
  shards: Array<{ runDir: string; runId: string; index: number }>
  cells: number
  /** How many of the planned cells finished in their shard (journaled a `cell` record). */
  finished: number
  /**
   * The planned cells that did not finish, in plan order: a shard that was stopped (or is still
   * running) left them `unfinished`; `failed` ones ended on an error record. The merged run keeps
   * their partial records, so `bench run --resume` of it (or of their shard) finishes them.
   */
  unfinished: UnfinishedCell[]
  /** Things that do not stop a merge but may matter (e.g. shards that ran on different backends). */
  warnings: string[]
}

/** A planned cell its shard did not finish, and the shard (whose `--resume` finishes it). */
export interface UnfinishedCell {
  cellId: string
  state: 'unfinished' | 'failed'
  /** A failed cell's journaled error. */
  message?: string
  shard: { index: number; count: number; runDir: string }
}

/** Records that belong to no one cell: the shared pretraining and the prepared components (every shard journals them). */
const SHARED_CELL = 'pretrain'

/** Keys that say how or how fast something was made, not what it is: they may differ between shards. */
const CIRCUMSTANTIAL = new Set(['wallMs', 'prepareMs', 'cached', 'dir'])

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip)
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !CIRCUMSTANTIAL.has(k))
        .map(([k, v]) => [k, strip(v)]),
    )
  return value
}

/** Which parts of two identities differ (config keys one by one, as `config.<key>`). */
function differingKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const out: string[] = []
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (isDeepStrictEqual(a[key], b[key])) continue
    if (key === 'config') {
      const ca = (a.config ?? {}) as Record<string, unknown>
      const cb = (b.config ?? {}) as Record<string, unknown>
      for (const k of new Set([...Object.keys(ca), ...Object.keys(cb)])) if (!isDeepStrictEqual(ca[k], cb[k])) out.push(`config.${k}`)
    } else out.push(key === 'count' ? 'shard count' : key)
  }
  return out
}

interface ShardRun {
  runDir: string
  manifest: RunManifest & { shard: NonNullable<RunManifest['shard']> }
  records: JournalRecord[]
  indexed: JournalIndex
}

function readShard(runDir: string): ShardRun {
  const manifest = readManifest(runDir)
  if (!manifest.shard)
    throw new BenchError(
      'BENCH_MERGE_MISMATCH',
      `${runDir} is not a shard run (its run.json has no shard); bench merge joins the runs of \`bench run --shard i/n\``,
    )
  const path = join(runDir, runFiles.journal)
  // A torn last line is a killed shard's half-written record (dropped, as a resume does); any other bad line is damage.
  const { records, badLines } = parseJournal(readJournalBytes(path).toString('utf8'))
  if (badLines.length > 0)
    throw new BenchError('BENCH_RUN_INVALID', `${path} has bad lines (${badLines.map((b) => b.line).join(', ')}); fix them before merging`)
  return { runDir, manifest: manifest as ShardRun['manifest'], records, indexed: indexJournal(records) }
}

/**
 * Where a shard's checkpoint of `cellId` is on this machine: at the path its journal records (the
 * shard ran here), else at the same place inside the run folder given (a folder copied from the
 * machine that ran it keeps that machine's paths in its journal). Refuses when it is in neither:
 * the merged journal would name a checkpoint that a resume or `bench eval` cannot load.
 */
function checkpointSource(shard: ShardRun, cellId: string, recorded: string): string {
  const copied = join(shard.runDir, 'checkpoints', cellId)
  const found = [recorded, copied].find((dir) => existsSync(dir))
  if (found !== undefined) return found
  const { index, count } = shard.manifest.shard
  throw new BenchError(
    'BENCH_MERGE_MISMATCH',
    `shard ${index}/${count} (${shard.runDir}) journals a checkpoint of ${cellId}, but it is neither at ${recorded} (where the shard saved it) nor at ${copied}: copy the shard's whole run folder, checkpoints/ included, from the machine that ran it and merge again`,
  )
}

/** A planned cell, unless its shard finished it: no `cell` record (failed when its last outcome is an error). */
function unfinishedCell(shard: ShardRun, cellId: string): UnfinishedCell | undefined {
  // Finished as a resume and the reports count it: a `cell` record, whatever came after it.
  if (shard.indexed.cells.has(cellId)) return undefined
  const { index, count } = shard.manifest.shard
  const failure = shard.indexed.failures.get(cellId)
  return { cellId, state: failure ? 'failed' : 'unfinished', ...(failure ? { message: failure.message } : {}), shard: { index, count, runDir: shard.runDir } }
}

/** Config keys that say where a machine keeps things or how much it runs at once, not what is computed: they may differ between shards. */
const MACHINE_LOCAL = new Set(['runsDir', 'cacheDir', 'baseDir', 'configFile', 'concurrency', 'backend'])

/** The identity of a shard's run that every shard must share: its resolved config, plugins, strategies, judges, data and harness. */
function identity(manifest: RunManifest): Record<string, unknown> {
  const p = manifest.provenance
  return <Record<string, unknown>>strip({
    harness: p.harness,
    config: Object.fromEntries(Object.entries(p.config).filter(([k]) => !MACHINE_LOCAL.has(k))),
    plugins: p.plugins,
    strategies: p.strategies,
    judges: p.judges,
    seeds: p.seeds,
    dataFiles: p.dataFiles,
    checkpoint: p.checkpoint,
    plan: manifest.shard?.plan,
    count: manifest.shard?.count,
  })
}

/**
 * Joins the runs of `bench run --shard i/n` (every i from 1 to n, once) into one new run directory
 * whose journal is, record for record, what one unsharded run journals: the shared pretraining and
 * preparation records once (every shard must have journaled the same ones — the same base model),
 * then each planned cell's records, in plan order, from the shard that ran it. Checkpoints are
 * copied in (from where the shard saved them, or from the shard folder given: a copy from another
 * machine) and their records point at the copies; a checkpoint in neither place is refused before
 * anything is written. Cells a shard did not finish (stopped, still running, failed) are merged
 * with their partial records and returned in `unfinished`: a resume of the merged run finishes
 * them. run.json is the first shard's without the shard field, with the whole plan and
 * `mergedFrom`. Touches nothing in the shard runs.
 */
export function mergeRuns(runDirs: readonly string[], opts: { outDir: string; runId: string }): MergedRun {
  if (runDirs.length === 0) throw new BenchError('BENCH_USAGE', 'bench merge: give the run directories of every shard')
  const shards = runDirs.map((dir) => readShard(resolve(dir)))
  const count = shards[0]!.manifest.shard.count
  // Same run first: shard 1/2 and shard 1/3 share an index but are not one shard given twice.
  const reference = identity(shards[0]!.manifest)
  for (const shard of shards.slice(1)) {
    const mine = identity(shard.manifest)
    const differs = differingKeys(reference, mine)
    if (differs.length > 0)
      throw new BenchError(
        'BENCH_MERGE_MISMATCH',
        `${shard.runDir} is not a shard of the same run as ${shards[0]!.runDir}: their ${differs.join(', ')} differ (compare the provenance in their run.json)`,
      )
  }
  const byIndex = new Map<number, ShardRun>()
  for (const shard of shards) {
    const { index } = shard.manifest.shard
    const twice = byIndex.get(index)
    if (twice) throw new BenchError('BENCH_MERGE_MISMATCH', `shard ${index}/${count} is given twice: ${twice.runDir} and ${shard.runDir}; give each shard once`)
    byIndex.set(index, shard)
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i))
  if (missing.length > 0)
    throw new BenchError(
      'BENCH_MERGE_MISMATCH',
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: give the run directory of every shard (1/${count} … ${count}/${count})`,
    )
  const ordered = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s)
  const warnings: string[] = []
  // A shard planned no cell (more shards than cells) started no backend: it has none to differ.
  const backends = new Set(ordered.filter((s) => s.manifest.cells.length > 0).map((s) => s.manifest.provenance.backend.resolved ?? 'unknown'))
  if (backends.size > 1) warnings.push(`the shards ran on different backends (${[...backends].join(', ')}); their numbers may differ from one run's`)
  // The same commit with uncommitted changes on several machines may be different code: nothing recorded can tell.
  const dirty = ordered.filter((s) => s.manifest.provenance.harness.git?.dirty)
  if (dirty.length > 0)
    warnings.push(
      `shard${dirty.length > 1 ? 's' : ''} ${dirty.map((s) => `${s.manifest.shard.index}/${count}`).join(', ')} ran bonbench from a working tree with uncommitted changes: merge cannot check that every shard ran the same code (run shards from a clean commit)`,
    )

  // The shared records: the same in every shard that journaled them (a shard that had nothing to run journals none).
  const shared = (records: readonly JournalRecord[]) => records.filter((r) => (r.type === 'train' && r.cellId === SHARED_CELL) || r.type === 'prepare')
  const withShared = ordered.filter((s) => shared(s.records).length > 0)
  const sharedRecords = withShared.length > 0 ? shared(withShared[0]!.records) : []
  for (const shard of withShared.slice(1)) {
    if (!isDeepStrictEqual(strip(shared(shard.records)), strip(sharedRecords)))
      throw new BenchError(
        'BENCH_MERGE_MISMATCH',
        `${shard.runDir} built a different base model or prepared verifier than ${withShared[0]!.runDir} (their pretraining or 'prepare' records differ): the shards did not run the same code, data or backend`,
      )
  }

  // Each planned cell's records from the shard that ran it.
  const plan = ordered[0]!.manifest.shard.plan
  const keys = new Map<string, CellKey>()
  const owner = new Map<string, ShardRun>()
  for (const shard of ordered)
    for (const cell of shard.manifest.cells) {
      keys.set(cell.cellId, cell.key)
      owner.set(cell.cellId, shard)
    }
  const unplanned = plan.filter((id) => !owner.has(id))
  if (unplanned.length > 0)
    throw new BenchError('BENCH_MERGE_MISMATCH', `no shard planned the cell(s) ${unplanned.join(', ')}; the shards do not cover the plan`)
  // Found (or refused) before the output folder exists, so a refused merge leaves nothing behind.
  const checkpoints = new Map<string, string>()
  for (const cellId of plan) {
    const shard = owner.get(cellId)!
    const newest = shard.indexed.checkpoints.get(cellId)
    if (newest) checkpoints.set(cellId, checkpointSource(shard, cellId, newest.dir))
  }
  const unfinished = plan.flatMap((cellId) => unfinishedCell(owner.get(cellId)!, cellId) ?? [])

  const runDir = resolve(opts.outDir)
  if (existsSync(join(runDir, runFiles.manifest))) throw new BenchError('BENCH_USAGE', `${runDir} already holds a run; give bench merge a new --out folder`)
  mkdirSync(runDir, { recursive: true })
  const first = ordered[0]!.manifest
  const { shard: _shard, ...rest } = first
  const manifest: RunManifest = {
    ...rest,
    runId: opts.runId,
    createdAt: new Date().toISOString(),
    // The command that made this folder, not shard 1's (its --shard and --runs-dir would mislead the
    // reports' "command" line); each shard's own command line is kept in mergedFrom.
    provenance: { ...rest.provenance, argv: ['merge', ...ordered.map((s) => s.runDir), '--out', runDir] },
    cells: plan.map((cellId) => ({ cellId, key: keys.get(cellId)! })),
    mergedFrom: ordered.map((s) => ({
      runId: s.manifest.runId,
      shard: `${s.manifest.shard.index}/${count}`,
      runDir: s.runDir,
      argv: s.manifest.provenance.argv,
    })),
  }
  writeFileSync(join(runDir, runFiles.manifest), JSON.stringify(manifest, null, 2) + '\n')
  const journal = new Journal(join(runDir, runFiles.journal))
  const copiedIn = new Set<string>()
  try {
    for (const record of sharedRecords) journal.append(record)
    for (const cellId of plan) {
      const shard = owner.get(cellId)!
      for (const record of shard.records) {
        if (!('cellId' in record) || record.cellId !== cellId) continue
        if (record.type === 'checkpoint') {
          // The newest checkpoint is what a resume loads; older records of the cell name the same folder.
          const dir = join(runDir, 'checkpoints', cellId)
          if (!copiedIn.has(cellId)) cpSync(checkpoints.get(cellId)!, dir, { recursive: true })
          copiedIn.add(cellId)
          journal.append({ ...record, dir })
        } else journal.append(record)
      }
    }
  } finally {
    journal.close()
  }
  return {
    runDir,
    runId: opts.runId,
    shards: ordered.map((s) => ({ runDir: s.runDir, runId: s.manifest.runId, index: s.manifest.shard.index })),
    cells: plan.length,
    finished: plan.length - unfinished.length,
    unfinished,
    warnings,
  }
}
