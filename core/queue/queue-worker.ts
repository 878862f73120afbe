import { existsSync, mkdirSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Job, WaitingError, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { BenchError } from '../errors.js'
import type { RunEvent } from '../events.js'
import { readJournal } from '../run/journal.js'
import { harnessPackage, pluginRecords } from '../run/provenance.js'
import { runMatrix } from '../run/run-matrix.js'
import { resolveRunPlugins } from '../run/run-plugins.js'
import type { RunSetup } from '../run/setup.js'
import { DEFAULT_QUEUE_NAME, queuesServedBy } from './connection.js'
import { pluginMismatches } from './plugin-check.js'
import type { CellJobData, CellJobProgress, CellJobResult } from './protocol.js'

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

interface RunContext {
  setup: RunSetup
  mismatches: string[]
}

/**
 * Starts a queue-mode worker: it pulls cell jobs (core/queue/protocol.ts) from the plain queue and
 * the queues of its labels, checks once per run that its plugins and bonbench are those the run
 * recorded, and runs each cell with runMatrix restricted to that cell, in a work folder (inside the
 * run directory when it is on this machine's file system, else under the temp folder), with the
 * shared cache. Progress events go back through BullMQ's job progress; the cell's journal records
 * are the job's return value (the coordinator journals them). On a plugin mismatch the job goes
 * back to the queue untouched and the worker stops with BENCH_QUEUE_VERSION_MISMATCH.
 */
export function startQueueWorker(opts: QueueWorkerOptions): QueueWorker {
  const name = `${hostname()}:${process.pid}${opts.labels && opts.labels.length > 0 ? `[${[...opts.labels].sort().join(',')}]` : ''}`
  const queues = queuesServedBy(opts.queueName ?? DEFAULT_QUEUE_NAME, opts.labels ?? [])
  const contexts = new Map<string, Promise<RunContext>>()
  let refusal: BenchError | undefined
  let resolveClosed!: () => void
  let rejectClosed!: (error: unknown) => void
  const closed = new Promise<void>((resolve, reject) => ((resolveClosed = resolve), (rejectClosed = reject)))
  closed.catch(() => {})

  const contextOf = (data: CellJobData): Promise<RunContext> => {
    let ctx = contexts.get(data.runId)
    if (!ctx) {
      ctx = (async () => {
        const setup = await opts.setup(data.config)
        await resolveRunPlugins(setup.config, setup.registry)
        const mismatches = pluginMismatches(data, { harness: harnessPackage(), plugins: pluginRecords(setup.registry) })
        return { setup, mismatches }
      })()
      contexts.set(data.runId, ctx)
    }
    return ctx
  }

  const runJob = async (job: Job<CellJobData, CellJobResult>, token?: string): Promise<CellJobResult> => {
    const data = job.data
    const ctx = await contextOf(data)
    if (ctx.mismatches.length > 0) {
      await job.moveToWait(token)
      if (!refusal) {
        refusal = new BenchError(
          'BENCH_QUEUE_VERSION_MISMATCH',
          `this worker cannot run cells of run ${data.runId}: ${ctx.mismatches.join('; ')}. The job went back to the queue; install the run's versions here (or start this worker from the run's checkout) and start it again.`,
        )
        void stop()
      }
      throw new WaitingError()
    }
    const { config, registry } = ctx.setup
    const attempt = `${data.cellId}.${job.attemptsStarted}.${name.replace(/[^a-zA-Z0-9._-]/g, '_')}`
    const runsDir = existsSync(data.runDir) ? join(data.runDir, 'queue-work', attempt) : join(tmpdir(), 'bonbench-worker', data.runId, attempt)
    mkdirSync(runsDir, { recursive: true })
    opts.log(`${data.cellId}: started (run ${data.runId}${data.base ? ', builds the base model' : ''})`)
    const shared = new Set(['pretrain', 'prepare'])
    let lastProgress = 0
    const forward = (event: RunEvent) => {
      const cellId = 'cellId' in event ? event.cellId : undefined
      if (cellId === undefined || !(cellId === data.cellId || (data.base && shared.has(cellId)))) return
      if (!['cell:start', 'phase', 'progress', 'train:step', 'log'].includes(event.type)) return
      const now = Date.now()
      if (event.type === 'progress' && now - lastProgress < 100) return
      lastProgress = now
      const message: CellJobProgress = { runId: data.runId, event }
      job.updateProgress(message as unknown as object).catch(() => {})
    }
    const outcome = await runMatrix({
      config: { ...config, runsDir, cacheDir: opts.cacheDir ?? config.cacheDir },
      registry,
      cellIds: [data.cellId],
      listeners: [forward],
      argv: ['worker', data.runId, data.cellId],
    })
    const { records } = readJournal(join(outcome.runDir, 'journal.jsonl'))
    const mine = records.filter(
      (r) => ('cellId' in r && r.cellId === data.cellId) || (data.base && ((r.type === 'train' && r.cellId === 'pretrain') || r.type === 'prepare')),
    )
    if (!mine.some((r) => (r.type === 'cell' || r.type === 'error') && r.cellId === data.cellId))
      throw new Error(`cell ${data.cellId} ended without a result (interrupted?)`)
    opts.log(`${data.cellId}: done`)
    return { records: mine, worker: name }
  }

  const workers = queues.map(
    (queue) =>
      new Worker<CellJobData, CellJobResult>(queue, runJob, {
        connection: opts.connection,
        concurrency: opts.concurrency ?? 1,
        lockDuration: opts.lockMs ?? 30_000,
        stalledInterval: opts.lockMs ?? 30_000,
        maxStalledCount: 3,
        name,
      }),
  )
  for (const worker of workers) worker.on('error', (error) => opts.log(`queue: ${error.message}`))

  async function stop(): Promise<void> {
    await Promise.all(workers.map((w) => w.close()))
    if (refusal) rejectClosed(refusal)
    else resolveClosed()
  }
  return { name, queues, close: stop, closed }
}
