import type { Redis } from 'ioredis'
import { BenchError } from '../errors.js'

/** The queue a run's jobs go to when it requires no capability label (`--requires`). */
export const DEFAULT_QUEUE_NAME = 'bonbench'

/** Checks a `--queue` value: a `redis://` or `rediss://` URL with a host (`redis://HOST:PORT/DB`). */
export function parseQueueUrl(value: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new BenchError('BENCH_USAGE', `--queue: '${value}' is not a URL; give a Redis URL such as redis://127.0.0.1:6379/0`)
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new BenchError('BENCH_USAGE', `--queue: '${value}' is not a Redis URL (it starts with ${url.protocol}//); give redis://HOST:PORT/DB`)
  if (!url.hostname) throw new BenchError('BENCH_USAGE', `--queue: '${value}' names no host; give redis://HOST:PORT/DB`)
  const db = url.pathname.replace(/^\//, '')
  if (db !== '' && !/^\d+$/.test(db)) throw new BenchError('BENCH_USAGE', `--queue: the database in '${value}' must be a number (redis://HOST:PORT/0)`)
  return url
}

/**
 * A connection BullMQ can share (`maxRetriesPerRequest: null`: commands wait through a Redis
 * restart instead of failing). First it must answer PING within `timeoutMs`: otherwise a
 * BENCH_QUEUE_UNREACHABLE error naming the URL, before anything is enqueued or taken.
 */
export async function connectQueue(value: string, opts: { timeoutMs?: number } = {}): Promise<Redis> {
  const url = parseQueueUrl(value)
  // Loaded here, not at the top: `bench run` imports this module and starts without ioredis unless it is given --queue.
  const { Redis } = await import('ioredis')
  const shown = `${url.protocol}//${url.host}${url.pathname}`
  const probe = new Redis(url.toString(), { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: opts.timeoutMs ?? 5000 })
  probe.on('error', () => {})
  try {
    await probe.connect()
    await probe.ping()
  } catch (error) {
    throw new BenchError(
      'BENCH_QUEUE_UNREACHABLE',
      `cannot reach Redis at ${shown} (${(error as Error).message}); start redis-server there, or give the right --queue redis://HOST:PORT/DB`,
      { cause: error },
    )
  } finally {
    probe.disconnect()
  }
  const connection = new Redis(url.toString(), { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(100 * times, 2000) })
  // Reconnects are retried (retryStrategy); the errors in between are expected while Redis restarts.
  connection.on('error', () => {})
  return connection
}

/** The queue a run with these required capability labels uses: `bonbench`, or `bonbench@gpu` (labels sorted, joined by '+'). */
export function queueNameFor(base: string, requires: readonly string[]): string {
  const labels = [...new Set(requires)].sort()
  return labels.length === 0 ? base : `${base}@${labels.join('+')}`
}

/** Every queue a worker with these labels serves: the plain one and one per non-empty subset of its labels. */
export function queuesServedBy(base: string, labels: readonly string[]): string[] {
  const unique = [...new Set(labels)].sort()
  const names: string[] = [base]
  for (let mask = 1; mask < 1 << unique.length; mask++)
    names.push(
      queueNameFor(
        base,
        unique.filter((_, i) => mask & (1 << i)),
      ),
    )
  return names
}
