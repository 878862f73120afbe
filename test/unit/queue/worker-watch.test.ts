import { Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { watchWorkers } from '../../../core/queue/worker-watch.js'
import { benchInProcess } from '../../e2e/cli-help.js'
import { emptyDb, redisDb, startRedis, type TestRedis } from '../../helpers/redis-server.js'

// `bench run --queue` with nobody to run its cells: a notice, then a named error (issue 16 §5).
// Concurrent: the three tests mostly sleep out their clocks (each its own queue name or database),
// so they wait at once, about 3 s for the file instead of 7.
describe.concurrent('watchWorkers (against a real redis-server)', () => {
  let redis: TestRedis
  let connection: Redis
  beforeAll(async () => {
    redis = await startRedis({ db: 10 })
    connection = new Redis(redis.url, { maxRetriesPerRequest: null })
  })
  afterAll(async () => {
    connection.disconnect()
    await redis.stop()
  })
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

  it('with no worker: a notice naming the command to start one, then BENCH_QUEUE_NO_WORKER after the timeout', async () => {
    const queue = new Queue('watch-none', { connection })
    const notices: string[] = []
    const watch = watchWorkers(queue, {
      timeoutMs: 2500,
      noticeMs: 60_000,
      db: 10,
      shown: 'redis://127.0.0.1:1/5',
      resume: 'bench run --resume r --queue q',
      notice: (m) => notices.push(m),
    })
    await watch.check()
    expect(notices).toEqual([]) // within the first second nothing is asked
    await sleep(1100)
    await watch.check()
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatch(
      /^waiting for a worker \(none connected to queue 'watch-none' for 1 s\): start one with `bench worker --queue redis:\/\/127\.0\.0\.1:1\/5`; stopping after 3 s/,
    )
    await watch.check()
    expect(notices).toHaveLength(1) // not again before noticeMs
    await sleep(1500)
    await expect(watch.check()).rejects.toMatchObject({ code: 'BENCH_QUEUE_NO_WORKER', message: expect.stringContaining('bench run --resume r --queue q') })
    await queue.close()
  })

  it('a connected worker keeps it waiting; 0 waits forever; a sign of life resets the clock', async () => {
    const queue = new Queue('watch-one', { connection })
    const workerConnection = connection.duplicate()
    const worker = new Worker('watch-one', async () => undefined, { connection: workerConnection, name: 'test-host:1' })
    await worker.waitUntilReady()
    const notices: string[] = []
    const watch = watchWorkers(queue, { timeoutMs: 1200, db: 10, shown: 'redis://x/5', resume: 'r', notice: (m) => notices.push(m) })
    await sleep(1500)
    await watch.check()
    expect(notices).toEqual([])
    await worker.close()
    workerConnection.disconnect()
    const forever = watchWorkers(queue, { timeoutMs: 0, db: 10, shown: 'redis://x/5', resume: 'r', notice: (m) => notices.push(m) })
    await sleep(1300)
    await forever.check()
    expect(notices).toHaveLength(1)
    expect(notices[0]).not.toContain('stopping after')
    forever.seen()
    await forever.check()
    expect(notices).toHaveLength(1)
    await queue.close()
  })

  it('a worker of a same-named queue on another database of the same Redis is none of this queue’s: the timeout still ends the wait', async () => {
    // Database 11: nobody else's (test/helpers/redis-server.ts numbers each file's own).
    await emptyDb(redis.url, 11)
    const elsewhere = new Redis(redisDb(redis.url, 11), { maxRetriesPerRequest: null })
    const worker = new Worker('watch-db', async () => undefined, { connection: elsewhere, name: 'other-host:1' })
    await worker.waitUntilReady()
    const queue = new Queue('watch-db', { connection })
    const watch = watchWorkers(queue, { timeoutMs: 1200, noticeMs: 60_000, db: 10, shown: 'redis://x/10', resume: 'r', notice: () => undefined })
    try {
      // The worker is connected and listed by CLIENT LIST, on database 11.
      expect((await queue.getWorkers()).map((w) => w.db)).toContain('11')
      await sleep(1500)
      await expect(watch.check()).rejects.toMatchObject({ code: 'BENCH_QUEUE_NO_WORKER' })
    } finally {
      await worker.close()
      elsewhere.disconnect()
      await queue.close()
    }
  })

  it('bench queue status lists the workers of its own database only, not those of a same-named queue on another', async () => {
    // Databases 12 and 13: nobody else's.
    await Promise.all([emptyDb(redis.url, 12), emptyDb(redis.url, 13)])
    const elsewhere = new Redis(redisDb(redis.url, 12), { maxRetriesPerRequest: null })
    const worker = new Worker('bonbench', async () => undefined, { connection: elsewhere, name: 'other-host:1' })
    await worker.waitUntilReady()
    try {
      /** The workers `bench queue status` lists for queue bonbench on database `db` (one command at a time: benchInProcess captures the process's output). */
      const listed = async (db: number) => {
        const status = await benchInProcess(['queue', 'status', '--queue', redisDb(redis.url, db), '--json'], { cwd: process.cwd() })
        expect(status.exitCode, status.stderr).toBe(0)
        return (JSON.parse(status.stdout) as Array<{ queue: string; workers: Array<{ name: string }> }>).find((q) => q.queue === 'bonbench')!.workers
      }
      expect((await listed(12)).map((w) => w.name)).toEqual(['other-host:1'])
      expect(await listed(13)).toEqual([])
    } finally {
      await worker.close()
      elsewhere.disconnect()
    }
  })
})
