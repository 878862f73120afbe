import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { availableParallelism, hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Job, WaitingError, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { backendSpec } from '../backend/backend-catalog.js'
import { configureBudget } from '../concurrency.js'
import { BenchError } from '../errors.js'
import type { RunEvent } from '../events.js'
import { countAppendedRecord } from '../run/journal.js'
import type { JournalRecord } from '../run/journal-types.js'
import { missingBackend } from '../run/manifest.js'
import { openRun } from '../run/open-run.js'
import type { PlannedCell } from '../run/planner.js'
import { RunLifecycle } from '../run/plugin-lifecycle.js'
import { prepareBase } from '../run/prepare-base.js'
import { recordCellError, runCell } from '../run/run-cell.js'
import type { BaseStage, RunContext } from '../run/run-context.js'
import { resolveRunPlugins } from '../run/run-plugins.js'
import type { RunSetup } from '../run/setup.js'
import { DEFAULT_QUEUE_NAME, queuesServedBy } from './connection.js'
import { dataFileMismatches, loadedPluginMismatches } from '../run/plugin-mismatches.js'
import type { CellJobData, CellJobProgress, CellJobResult } from './protocol.js'
import { removeDeadWorkerScratch, workerScratchDir } from './worker-scratch.js'

/** Stalls (its worker died or stopped renewing the lock) after which a job fails. */
export const MAX_STALLS = 10

/** What `bench worker` needs. */
export interface QueueWorkerOptions {
  connection: Redis
  queueName?: string
  /** Capability labels (e.g. `gpu`): the worker also serves the queues of runs that require them. */
  labels?: readonly string[]
  /** Jobs this worker runs at once (BullMQ concurrency; default 1). */
  concurrency?: number
  /**
   * How long a job's lock lasts without renewal (ms, default 30 000): a worker that dies (SIGKILL,
   * a lost machine) has its job moved back to the queue — stalled — about this long after.
   */
  lockMs?: number
  /** The cache for base models and verifiers; default: the run's recorded one (a shared directory). */
  cacheDir?: string
  /** Loads a run's recorded config (run.json's provenance.config) and its plugins on this machine. */
  setup(recordedConfig: Record<string, unknown>): Promise<RunSetup>
  log(line: string): void
}

/** A running worker: `closed` settles when it has stopped (after `close()`, or refusing a run's plugins: then it rejects). */
export interface QueueWorker {
  name: string
  queues: string[]
  close(): Promise<void>
  closed: Promise<void>
}

/** What a worker keeps per run: its stages' context with the base model built once, or why it refuses the run. */
interface WorkerRun {
  mismatches: string[]
  lifecycle?: RunLifecycle
  ctx?: RunContext
  base?: BaseStage
  cells?: Map<string, PlannedCell>
  /** The pretraining and 'prepare' records the base stage produced here (the base job returns them). */
  shared?: JournalRecord[]
  /** The events the base stage emitted here (the base job returns them before its cell's). */
  sharedEvents?: RunEvent[]
  /** Where the base stage's events go while it runs: the job that started it. */
  forward?: (event: RunEvent) => void
}

/**
 * Starts a queue-mode worker: it pulls cell jobs (core/queue/protocol.ts) from the plain queue and
 * the queues of its labels. Per run, once: it checks that its plugins and bonbench are those the
 * run recorded, then runs the run's stages `openRun` (data, splits, plan; in a scratch folder) and
 * `prepareBase` (the base model and the selector, from the shared cache when there), and keeps
 * them. Per job: the `runCell` stage with a record sink that collects the cell's journal records —
 * the job's return value, which the coordinator journals, with every event the cell emitted (for
 * the run's reporters) — and its events sent back live as job progress (thinned). Checkpoints go to the run directory when it is on this machine's file system (a
 * shared directory), else to the scratch folder. On a plugin mismatch the job goes back to the
 * queue untouched and the worker stops with BENCH_QUEUE_VERSION_MISMATCH; so it does, with the
 * error, when it cannot set the run up at all (a config file or data missing on this machine).
 */
export function startQueueWorker(opts: QueueWorkerOptions): QueueWorker {
  const name = `${hostname()}:${process.pid}${opts.labels && opts.labels.length > 0 ? `[${[...opts.labels].sort().join(',')}]` : ''}`
  const queues = queuesServedBy(opts.queueName ?? DEFAULT_QUEUE_NAME, opts.labels ?? [])
  const scratchRoot = join(tmpdir(), 'bonbench-worker')
  const scratch = workerScratchDir(scratchRoot, name)
  // What workers of this host that were killed (SIGKILL, a crash) left behind.
  void removeDeadWorkerScratch(scratchRoot, hostname())
  const runs = new Map<string, Promise<WorkerRun>>()
  /** Jobs in progress per run. */
  const active = new Map<string, number>()
  let refusal: Error | undefined
  let resolveClosed!: () => void
  let rejectClosed!: (error: unknown) => void
  const closed = new Promise<void>((resolve, reject) => ((resolveClosed = resolve), (rejectClosed = reject)))
  closed.catch(() => {})

  const openWorkerRun = async (data: CellJobData, forward: (event: RunEvent) => void): Promise<WorkerRun> => {
    const setup = await opts.setup(data.config)
    const config = { ...setup.config, runsDir: join(scratch, 'runs'), cacheDir: opts.cacheDir ?? setup.config.cacheDir }
    const plugins = await resolveRunPlugins(config, setup.registry)
    const mismatches = loadedPluginMismatches(data, setup.registry)
    if (mismatches.length > 0) return { mismatches }
    const run: WorkerRun = { mismatches, shared: [], sharedEvents: [], forward }
    const log = (message: string, level: 'info' | 'warn' | 'error' = 'info', cellId?: string) => run.forward?.({ type: 'log', level, message, cellId })
    const emit = (event: RunEvent) => (run.sharedEvents!.push(event), run.forward?.(event))
    const lifecycle = new RunLifecycle({ cacheDir: config.cacheDir, log: (m) => log(m) })
    run.lifecycle = lifecycle
    for (const plugin of [plugins.task, plugins.model, plugins.reward, plugins.selector, ...plugins.strategies.values()]) await lifecycle.setup(plugin)
    const budget = configureBudget(config.concurrency ?? availableParallelism())
    const opened = await openRun({ config, registry: setup.registry, plugins, argv: ['worker', data.runId], cwd: process.cwd(), output: { log } })
    opened.journal.close()
    // The data this machine read must be the run's, byte for byte (a file edited or another copy of it).
    const dataDiff = dataFileMismatches(data.dataFiles ?? [], opened.data.files ?? [])
    if (dataDiff.length > 0) {
      await lifecycle.disposeAll()
      return { mismatches: dataDiff }
    }
    const ctx: RunContext = {
      config,
      plugins,
      runId: data.runId,
      // Checkpoints into the run directory itself when this machine sees it (a shared folder).
      runDir: existsSync(join(data.runDir, 'run.json')) ? data.runDir : opened.runDir,
      journal: { append: (record) => (countAppendedRecord(), run.shared!.push(record)) },
      previous: opened.previous,
      problems: opened.problems,
      generation: plugins.task.generation ?? {},
      concurrency: budget.size,
      emit,
      log: (message, level = 'info', cellId) => emit({ type: 'log', level, message, cellId }),
      own: (instance, what) => lifecycle.own(instance, what),
      release: (instance) => lifecycle.release(instance),
    }
    run.base = await prepareBase(ctx, { data: opened.data, splits: opened.splits, verifierData: opened.verifierData })
    run.ctx = ctx
    run.cells = new Map(opened.cells.map((c) => [c.cellId, c]))
    run.forward = undefined
    return run
  }

  const runJob = async (job: Job<CellJobData, CellJobResult>, token?: string): Promise<CellJobResult> => {
    const data = job.data
    let lastProgress = 0
    const forward = (event: RunEvent) => {
      // A cell's end is announced by the coordinator once it has journaled the cell, never before.
      if (event.type === 'cell:end' || event.type === 'cell:error') return
      // Each message is a Redis round trip: steps and progress at most every 100 ms (the UI's loss
      // sparkline then shows a sample of the steps); phases, starts and logs always.
      const now = Date.now()
      if (event.type === 'progress' || event.type === 'train:step') {
        if (now - lastProgress < 100) return
        lastProgress = now
      }
      const message: CellJobProgress = { runId: data.runId, event }
      job.updateProgress(message as unknown as object).catch(() => {})
    }
    let pending = runs.get(data.runId)
    if (!pending) {
      // A job of another run: the runs this worker is not working on now free their base models and plugins.
      for (const [runId, other] of runs)
        if (!active.has(runId)) {
          runs.delete(runId)
          void other.then((r) => r.lifecycle?.disposeAll()).catch(() => {})
        }
      runs.set(data.runId, (pending = openWorkerRun(data, forward)))
    }
    active.set(data.runId, (active.get(data.runId) ?? 0) + 1)
    try {
      return await runWithContext(job, pending, forward, token)
    } finally {
      const left = (active.get(data.runId) ?? 1) - 1
      if (left > 0) active.set(data.runId, left)
      else active.delete(data.runId)
    }
  }

  const runWithContext = async (
    job: Job<CellJobData, CellJobResult>,
    pending: Promise<WorkerRun>,
    forward: (event: RunEvent) => void,
    token: string | undefined,
  ): Promise<CellJobResult> => {
    const data = job.data
    /**
     * Puts the job back untouched and stops this worker with `error`: what it cannot do, another
     * worker may. The coordinator hears why at once (a warning in its output, as the job's
     * progress), not only this worker's own terminal, which may be on another machine.
     */
    const refuse = async (error: Error): Promise<never> => {
      const notice: CellJobProgress = {
        runId: data.runId,
        event: { type: 'log', level: 'warn', cellId: data.cellId, message: `worker ${name} put job ${data.cellId} back and stopped: ${error.message}` },
      }
      await job.updateProgress(notice as unknown as object).catch(() => {})
      await job.moveToWait(token)
      if (!refusal) {
        refusal = error
        void stop()
      }
      throw new WaitingError()
    }
    let run: WorkerRun
    try {
      run = await pending
    } catch (error) {
      // This machine cannot set the run up (its config file, a plugin, the data): every job would fail the same way here.
      return await refuse(error instanceof Error ? error : new Error(String(error)))
    }
    if (run.mismatches.length > 0)
      return await refuse(
        new BenchError(
          'BENCH_QUEUE_VERSION_MISMATCH',
          `this worker cannot run cells of run ${data.runId}: ${run.mismatches.join('; ')}. The job went back to the queue; install the run's versions and data here (or start this worker from the run's checkout) and start it again.`,
        ),
      )
    // The backend the coordinator pinned once the base model was built (a run that asked for `auto`)
    // must be installed here: on another one this cell would compute other last digits.
    const missing = run.ctx!.plugins.model.usesBackend === false ? undefined : missingBackend(String(data.config.backend ?? 'auto'))
    if (missing)
      return await refuse(
        new BenchError(
          'BENCH_BACKEND_UNAVAILABLE',
          `this worker cannot run cells of run ${data.runId}: ${missing}. The job went back to the queue for a worker that has it; on another backend the cell would compute numbers that differ from the rest of the run's.`,
        ),
      )
    const cell = run.cells!.get(data.cellId)
    if (!cell) throw new BenchError('BENCH_RUN_INVALID', `run ${data.runId} plans no cell ${data.cellId} here: the worker's config differs from the run's`)
    opts.log(`${data.cellId}: started (run ${data.runId}${data.base ? ', with the base model' : ''})`)
    const records: JournalRecord[] = data.base ? [...run.shared!] : []
    const events: RunEvent[] = data.base ? [...run.sharedEvents!] : []
    const emit = (event: RunEvent) => {
      events.push(event)
      forward(event)
    }
    const ctx: RunContext = {
      ...run.ctx!,
      journal: { append: (record) => (countAppendedRecord(), records.push(record)) },
      emit,
      log: (message, level = 'info', cellId) => emit({ type: 'log', level, message, cellId }),
    }
    try {
      await runCell(ctx, run.base!, cell)
    } catch (error) {
      recordCellError(ctx, cell, error)
    }
    opts.log(`${data.cellId}: done`)
    const described = ctx.plugins.model.usesBackend === false ? undefined : run.base!.model.describe()
    const backend = described && backendSpec(described.backend) ? { name: described.backend, device: described.device } : undefined
    return { records, events, worker: name, ...(backend ? { backend } : {}) }
  }

  const workers = queues.map(
    (queue) =>
      new Worker<CellJobData, CellJobResult>(queue, runJob, {
        connection: opts.connection,
        concurrency: opts.concurrency ?? 1,
        lockDuration: opts.lockMs ?? 30_000,
        stalledInterval: opts.lockMs ?? 30_000,
        // A SIGKILLed worker's job counts one stall; it fails (and is journaled as failed) only
        // after this many — a job that kills every worker taking it, not a few unlucky machines.
        maxStalledCount: MAX_STALLS,
        name,
      }),
  )
  for (const worker of workers) worker.on('error', (error) => opts.log(`queue: ${error.message}`))

  async function stop(): Promise<void> {
    await Promise.all(workers.map((w) => w.close()))
    for (const pending of runs.values()) {
      const run = await pending.catch(() => undefined)
      await run?.lifecycle?.disposeAll()
    }
    // This process's scratch (its runs' plans; checkpoints when the run directory is not shared):
    // no later worker reads it, since each one's folder is named by its own pid.
    await rm(scratch, { recursive: true, force: true }).catch(() => {})
    if (refusal) rejectClosed(refusal)
    else resolveClosed()
  }
  return { name, queues, close: stop, closed }
}
