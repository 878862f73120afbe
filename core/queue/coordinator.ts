import { join } from 'node:path'
import { type Job, Queue, QueueEvents } from 'bullmq'
import type { Redis } from 'ioredis'
import type { RunEvent } from '../events.js'
import type { CellResult } from '../plugin-api/results.js'
import { indexJournal } from '../run/journal-index.js'
import { Journal, readJournal } from '../run/journal.js'
import type { JournalRecord } from '../run/journal-types.js'
import { pinnedBackend, readManifest, recordResolvedBackend } from '../run/manifest.js'
import { RunLifecycle, describeDisposeFailure } from '../run/plugin-lifecycle.js'
import { ReporterHooks } from '../run/reporter-hooks.js'
import { type RunMatrixOptions, type RunOutcome, runMatrix } from '../run/run-matrix.js'
import { resumeCommand } from '../summary/resume-hint.js'
import { DEFAULT_QUEUE_NAME, queueNameFor } from './connection.js'
import { type CellJobData, type CellJobProgress, type CellJobResult, jobIdOf, recordKey } from './protocol.js'
import { DEFAULT_WORKER_TIMEOUT_MS, watchWorkers } from './worker-watch.js'
import { lockRun } from '../run/run-lock.js'

/**
 * What a queued run needs: a local run's options (`reporters` are set up, sent every event of the
 * run and called at its end, as in `runMatrix`), and the queue.
 */
export interface QueueRunOptions extends Pick<RunMatrixOptions, 'config' | 'registry' | 'resumeDir' | 'listeners' | 'reporters' | 'signal' | 'argv' | 'cwd'> {
  connection: Redis
  queueName?: string
  /** Capability labels every cell of this run needs (e.g. `gpu`): only workers with them take its jobs. */
  requires?: readonly string[]
  /** Tries per job before its cell is journaled as failed (a stalled job counts as a try; default 3). */
  attempts?: number
  /** How often the coordinator re-reads the jobs of unfinished cells, ms (default 500): also what re-enqueues jobs a Redis restart lost. */
  pollMs?: number
  /**
   * Cells left and no worker connected to the queue for this long (ms): the run stops with
   * BENCH_QUEUE_NO_WORKER, journal and jobs kept (default 600 000; 0: wait forever). Meanwhile a
   * notice says how to start a worker, at once and every 30 s.
   */
  workerTimeoutMs?: number
  /** The queue's address as shown in messages (`redis://HOST:PORT/DB`, no password). */
  queueShown?: string
}

/**
 * Queue mode's coordinator. Opens the run as `bench run` does (run directory, run.json, journal;
 * `resumeDir` re-attaches), enqueues one job per unfinished cell — the first alone (it builds the
 * base model and prepares the selector into the shared cache), the rest once it is done — and
 * journals each cell's records, in plan order, as its job completes: a record already journaled is
 * skipped (idempotent by cell, prompt and step), so a retried job never doubles one. Job ids are
 * (run, cell): enqueueing again (a resume, a Redis that lost its data) is a no-op when the job is
 * there, and re-creates it when not. Progress of running cells reaches the listeners as run events.
 * Completed jobs stay in Redis until the run's cells are journaled, so a coordinator killed at any
 * point loses nothing: `--resume` picks their results up.
 *
 * Listeners and reporters see the run as a local one: `run:start` with the plan's estimate, the
 * cells' events, `cell:end` once a cell is journaled, `run:end`; then the reporters' `onRunEnd`.
 * Listeners (the live UI) get the workers' events as they come (progress thinned); reporter plugins
 * get each cell's complete event list (core/queue/protocol.ts, CellJobResult.events) when the cell
 * is journaled, in plan order — the sequence a local run sends them. A reporter hook that throws
 * gets no further events and fails the run with BENCH_PLUGIN_CONTRACT as in `runMatrix`, but only
 * once every cell is journaled (the workers run them anyway; a local run stops at the next cell).
 */
export async function runOnQueue(opts: QueueRunOptions): Promise<RunOutcome> {
  const reporters = [...new Set(opts.reporters ?? [])]
  const reporterHooks = new ReporterHooks(reporters, [])
  const lifecycle = new RunLifecycle({
    signal: opts.signal,
    cacheDir: opts.config.cacheDir,
    log: (message) => toListeners({ type: 'log', level: 'info', message }),
  })
  const toListeners = (event: RunEvent) => {
    for (const listener of opts.listeners ?? []) void listener(event)
  }
  try {
    for (const reporter of reporters) await lifecycle.setup(reporter)
    const outcome = await coordinate(opts, toListeners, reporterHooks)
    await reporterHooks.runEnd({ runDir: outcome.runDir, results: outcome.results, interrupted: outcome.interrupted })
    reporterHooks.throwIfFailed()
    return outcome
  } finally {
    for (const failure of await lifecycle.disposeAll()) toListeners({ type: 'log', level: 'error', message: describeDisposeFailure(failure) })
  }
}

async function coordinate(opts: QueueRunOptions, toListeners: (event: RunEvent) => void, reporterHooks: ReporterHooks): Promise<RunOutcome> {
  const started = Date.now()
  /** To the listeners and the reporters. */
  const emit = (event: RunEvent) => {
    toListeners(event)
    reporterHooks.emit(event)
  }
  const opened = await runMatrix({
    config: opts.config,
    registry: opts.registry,
    cellIds: [],
    ...(opts.resumeDir ? { resumeDir: opts.resumeDir } : {}),
    argv: opts.argv ?? [],
    cwd: opts.cwd ?? process.cwd(),
  })
  const { runDir, runId } = opened
  // runMatrix opened the folder and let it go; the coordinator writes its journal from here on.
  const lock = lockRun(runDir)
  const manifest = readManifest(runDir)
  const journalPath = join(runDir, 'journal.jsonl')
  const previous = readJournal(journalPath).records
  const journaled = new Set(previous.map(recordKey))
  const index = indexJournal(previous)
  const pending = manifest.cells.filter((c) => !index.cells.has(c.cellId))
  const results = new Map<string, CellResult>(index.cells)
  emit({
    type: 'run:start',
    runId,
    runDir,
    resumed: Boolean(opts.resumeDir),
    plan: opened.plan ?? { cells: manifest.cells, samplesToDraw: 0, estimatedSeconds: 0 },
  })
  for (const cell of manifest.cells) {
    const done = index.cells.get(cell.cellId)
    if (done) emit({ type: 'cell:skip', cellId: cell.cellId, key: cell.key, result: done })
  }

  const queueName = queueNameFor(opts.queueName ?? DEFAULT_QUEUE_NAME, opts.requires ?? [])
  const queue = new Queue<CellJobData, CellJobResult>(queueName, { connection: opts.connection })
  const eventsConnection = opts.connection.duplicate()
  eventsConnection.on('error', () => {})
  const events = new QueueEvents(queueName, { connection: eventsConnection })
  /** The records (and events) of finished cells not journaled yet, by cell. */
  const outcomes = new Map<string, Pick<CellJobResult, 'records' | 'events' | 'backend'>>()
  const cellOfJob = new Map(pending.map((c) => [jobIdOf(runId, c.cellId), c.cellId]))
  let wake: (() => void) | undefined
  const nudge = () => wake?.()
  const shown = opts.queueShown ?? 'redis://HOST:PORT/DB'
  const watch = watchWorkers(queue, {
    timeoutMs: opts.workerTimeoutMs ?? DEFAULT_WORKER_TIMEOUT_MS,
    db: opts.connection.options.db ?? 0,
    shown,
    resume: `${resumeCommand(runDir)} --queue ${shown}`,
    notice: (message) => toListeners({ type: 'log', level: 'warn', message }),
  })
  events.on('progress', ({ data }) => {
    watch.seen()
    const message = data as unknown as CellJobProgress
    // Live, to the listeners only; a cell's end comes from the journal (commit), its full event list to the reporters then.
    if (message && typeof message === 'object' && message.runId === runId && message.event && !['cell:end', 'cell:error'].includes(message.event.type))
      toListeners(message.event)
  })
  events.on('completed', ({ jobId, returnvalue }) => {
    watch.seen()
    // The event carries the job's return value: taken from it, a cell's records are read and parsed
    // once, not a second time through getJob (megabytes for a long tabular cell).
    const cellId = cellOfJob.get(jobId)
    const result = returnvalue as unknown as CellJobResult | undefined
    if (cellId !== undefined && Array.isArray(result?.records)) outcomes.set(cellId, result)
    nudge()
  })
  events.on('failed', () => (watch.seen(), nudge()))
  events.on('error', () => {})
  queue.on('error', () => {})
  opts.signal?.addEventListener('abort', nudge)

  const baseJob = index.cells.size === 0 ? pending[0] : undefined
  // A run that asked for `auto`: every job after the base job runs on the backend the base model was
  // built on (recorded in run.json, by the base job's worker or below), not on what `auto` picks on
  // each worker's machine: a mixed fleet would otherwise compute other last digits per machine.
  const requestedBackend = String(manifest.provenance.config.backend ?? 'auto')
  let pinned = pinnedBackend(requestedBackend, manifest.provenance.backend.resolved)
  const dataOf = (cellId: string): CellJobData => ({
    runId,
    runDir,
    cellId,
    base: cellId === baseJob?.cellId,
    config: pinned ? { ...manifest.provenance.config, backend: pinned } : manifest.provenance.config,
    harness: manifest.provenance.harness,
    plugins: manifest.provenance.plugins,
    dataFiles: manifest.provenance.dataFiles,
  })
  const jobOptions = { attempts: opts.attempts ?? 3, removeOnComplete: false, removeOnFail: false }
  const ensureJob = async (cellId: string): Promise<Job<CellJobData, CellJobResult> | undefined> => {
    const id = jobIdOf(runId, cellId)
    const job = await queue.getJob(id)
    if (job) return job
    await queue.add('cell', dataOf(cellId), { ...jobOptions, jobId: id })
    return undefined
  }

  const journal = new Journal(journalPath)
  let next = 0
  const keyOf = new Map(manifest.cells.map((c) => [c.cellId, c.key]))
  /** Journals every cell whose records are in, in plan order, up to the first still running. */
  const commit = () => {
    while (next < pending.length && outcomes.has(pending[next]!.cellId)) {
      const { cellId } = pending[next]!
      const outcome = outcomes.get(cellId)!
      const ends: RunEvent[] = []
      const fresh: JournalRecord[] = []
      for (const record of outcome.records) {
        if (record.type === 'cell') results.set(cellId, record.result)
        const key = recordKey(record)
        if (journaled.has(key)) continue
        fresh.push(record)
        journaled.add(key)
        if (record.type === 'cell') ends.push({ type: 'cell:end', cellId, key: record.key, result: record.result, metrics: record.result.metrics })
        else if (record.type === 'error') ends.push({ type: 'cell:error', cellId, key: record.key, message: record.message })
      }
      // One write and one fsync per cell, not per record: its job keeps the records in Redis until
      // the run is journaled, so a coordinator killed mid-write gets them again on --resume.
      journal.appendMany(fresh)
      for (const event of ends) toListeners(event)
      // The reporters get the cell as a local run sends it: every event, its end last (or its end alone from an older worker).
      for (const event of outcome.events ?? ends) reporterHooks.emit(event)
      next++
    }
  }
  /** Reads the jobs of the cells not journaled yet; re-creates the ones Redis does not have. */
  const poll = async (cells: readonly string[]) => {
    for (const cellId of cells) {
      if (outcomes.has(cellId)) continue
      const job = await ensureJob(cellId)
      if (!job) continue
      const state = await job.getState()
      if (state === 'completed' && job.returnvalue) outcomes.set(cellId, job.returnvalue)
      else if (state === 'failed') {
        // Every try failed (a stall counts as one): the cell is journaled as an error; --resume runs it again.
        outcomes.set(cellId, { records: [{ type: 'error', cellId, key: keyOf.get(cellId)!, message: `queue: ${job.failedReason}` }] })
        await job.remove().catch(() => {})
      }
    }
    commit()
  }
  const waitFor = async (cells: readonly string[]) => {
    while (!opts.signal?.aborted && cells.some((id) => !outcomes.has(id))) {
      await poll(cells)
      if (cells.every((id) => outcomes.has(id))) break
      await watch.check()
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, opts.pollMs ?? 500)
        wake = () => (clearTimeout(timer), resolve())
      })
    }
    // The last outcomes may have come with their 'completed' events, after the last poll.
    commit()
  }

  try {
    await events.waitUntilReady()
    if (baseJob) {
      await waitFor([baseJob.cellId])
      const built = outcomes.get(baseJob.cellId)?.backend
      if (pinned === undefined && built && pinnedBackend(requestedBackend, built.name)) {
        pinned = built.name
        recordResolvedBackend(runDir, { backend: built.name, device: built.device })
      }
    }
    const rest = pending.map((c) => c.cellId)
    if (!opts.signal?.aborted) {
      // The jobs that are new (a resume finds the others and leaves them), one add each, not one
      // addBulk: that is a MULTI transaction, and one in flight when Redis restarts rejects
      // ("Command aborted due to connection close"), which ended the run; a single command is sent
      // again on reconnect (its job id makes a repeat a no-op).
      for (const cellId of rest) await ensureJob(cellId)
      await waitFor(rest)
    }
    if (!opts.signal?.aborted) {
      // Every cell is journaled: the jobs have served their purpose — those of cells journaled before
      // a resume too (a coordinator killed after its last record, before this cleanup, left them).
      // By id: fetching a finished job would read its records again.
      for (const cell of manifest.cells) await queue.remove(jobIdOf(runId, cell.cellId)).catch(() => {})
    }
  } finally {
    journal.close()
    lock.release()
    await events.close()
    await queue.close()
    eventsConnection.disconnect()
  }
  const interrupted = Boolean(opts.signal?.aborted)
  const ordered = manifest.cells.map((c) => results.get(c.cellId)).filter((r): r is CellResult => r !== undefined)
  emit({ type: 'run:end', runId, runDir, results: ordered, interrupted, wallMs: Date.now() - started })
  return { runDir, runId, results: ordered, interrupted }
}
