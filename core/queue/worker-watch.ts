import type { Queue } from 'bullmq'
import { BenchError } from '../errors.js'

/** How long `bench run --queue` waits with jobs left and no worker connected before it stops (`--worker-timeout`, default 600 s). */
export const DEFAULT_WORKER_TIMEOUT_MS = 600_000

/** How often the coordinator repeats that it waits for a worker, while none is connected. */
export const WORKER_NOTICE_MS = 30_000

/** What {@link watchWorkers} needs. */
export interface WorkerWatchOptions {
  /** No worker connected for this long while cells are left: `check` throws BENCH_QUEUE_NO_WORKER. 0: wait forever. */
  timeoutMs: number
  /** Between two notices while no worker is connected (default {@link WORKER_NOTICE_MS}). */
  noticeMs?: number
  /** The Redis database the queue is on (its connection's): workers on another one serve another queue. */
  db: number
  /** The queue's address as shown to people (password redacted), for the notice and the error. */
  shown: string
  /** The command that continues the run once a worker runs. */
  resume: string
  /** Where the notice goes (a `log` event of the run). */
  notice(message: string): void
}

/** A coordinator's view of whether anybody works on its queue. */
export interface WorkerWatch {
  /** A sign of life (a job's progress, a job finished): no need to ask Redis for a while. */
  seen(): void
  /**
   * Called while cells are left: asks Redis (CLIENT LIST, through BullMQ's `getWorkers`) whether
   * a worker serves the queue (on the queue's own database), unless one was seen within the last second. None: a notice at once
   * and then every `noticeMs`; none for `timeoutMs`: throws BENCH_QUEUE_NO_WORKER. A Redis that
   * does not list its clients counts as a worker seen (the watch then never stops a run).
   */
  check(): Promise<void>
}

/** Starts watching `queue` for workers; the clock starts now (a run's first worker may connect after it). */
export function watchWorkers(queue: Queue, opts: WorkerWatchOptions): WorkerWatch {
  let lastSeen = Date.now()
  let lastNotice: number | undefined
  const queueName = queue.name
  const seen = () => {
    lastSeen = Date.now()
    lastNotice = undefined
  }
  return {
    seen,
    check: async () => {
      if (Date.now() - lastSeen < 1000) return
      const workers = await serving(queue, opts.db).catch(() => undefined)
      if (workers === undefined || workers.length > 0) return seen()
      const now = Date.now()
      const waited = Math.round((now - lastSeen) / 1000)
      if (opts.timeoutMs > 0 && now - lastSeen >= opts.timeoutMs)
        throw new BenchError(
          'BENCH_QUEUE_NO_WORKER',
          `no worker has served queue '${queueName}' at ${opts.shown} for ${waited} s (--worker-timeout ${opts.timeoutMs / 1000}); the journal and the queued jobs are kept. Start one with \`bench worker --queue ${opts.shown}\`, then continue with \`${opts.resume}\``,
        )
      if (lastNotice === undefined || now - lastNotice >= (opts.noticeMs ?? WORKER_NOTICE_MS)) {
        lastNotice = now
        const limit = opts.timeoutMs > 0 ? `; stopping after ${Math.round(opts.timeoutMs / 1000)} s without one (--worker-timeout)` : ''
        opts.notice(
          `waiting for a worker (none connected to queue '${queueName}' for ${waited} s): start one with \`bench worker --queue ${opts.shown}\`${limit}`,
        )
      }
    },
  }
}

/**
 * The workers connected to `queue`: BullMQ's `getWorkers` matches CLIENT LIST entries by a client
 * name that holds no database number, so a worker of a same-named queue on another database of the
 * same Redis (another run's, another test's) would count, and a coordinator with none of its own
 * would wait for ever. Kept: those on the queue's database, and entries that name none (a Redis
 * that lists no `db=`, or a provider's placeholder: counted as a worker, as before).
 */
export async function serving(queue: Queue, db: number): Promise<Array<Record<string, string>>> {
  const workers = await queue.getWorkers()
  return workers.filter((w) => w.db === undefined || Number(w.db) === db)
}
