import type { Command } from 'commander'
import { connectQueue, DEFAULT_QUEUE_NAME } from '../../core/queue/connection.js'
import { serving } from '../../core/queue/worker-watch.js'
import { addExamples } from '../option-vocabulary.js'

/** The queues bonbench has on this Redis: the plain one and every capability-labelled one (`bonbench@gpu`). */
async function queueNames(connection: import('ioredis').Redis): Promise<string[]> {
  const names = new Set<string>([DEFAULT_QUEUE_NAME])
  let cursor = '0'
  do {
    const [nextCursor, keys] = await connection.scan(cursor, 'MATCH', `bull:${DEFAULT_QUEUE_NAME}*:meta`, 'COUNT', 200)
    cursor = nextCursor
    for (const key of keys) names.add(key.slice('bull:'.length, -':meta'.length))
  } while (cursor !== '0')
  return [...names].sort()
}

/** `bench queue status --queue <url>`: jobs waiting, active, failed, and the workers connected, per queue. */
export function registerQueue(program: Command): void {
  const queueCommand = addExamples(program.command('queue').description('queue mode: look at the queue on a Redis'), [
    'bench queue status --queue redis://127.0.0.1:6379/0',
    'bench queue status --queue redis://127.0.0.1:6379/0 --json',
  ])
  const status = queueCommand
    .command('status')
    .description('jobs waiting, active, delayed, completed and failed, each worker connected, and which cell each active job runs')
    .requiredOption('--queue <redis-url>', 'the Redis: redis://HOST:PORT/DB')
    .option('--json', 'print JSON')
  addExamples(status, ['bench queue status --queue redis://127.0.0.1:6379/0']).action(async (flags: { queue: string; json?: boolean }) => {
    // BullMQ loads only for this command: `bench --help` imports every command module.
    const { Queue } = await import('bullmq')
    const connection = await connectQueue(flags.queue)
    try {
      const report = []
      for (const name of await queueNames(connection)) {
        const queue = new Queue(name, { connection })
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized')
        // BullMQ names a worker's connection `<queue>:w:<worker name>`; bench worker's name is host:pid[labels].
        // A worker holds more than one connection (its blocking one too): one row per worker name.
        const seen = new Map<string, { name: string; addr: string }>()
        // Those on this database only (a same-named queue's on another database is not this one's).
        for (const w of await serving(queue, connection.options.db ?? 0)) {
          const name = String(w.rawname ?? w.name ?? '?').replace(/^.*?:w:/, '')
          if (!seen.has(name)) seen.set(name, { name, addr: String(w.addr ?? '') })
        }
        const workers = [...seen.values()]
        const active = (await queue.getActive()).map((job) => ({
          job: job.id,
          cell: (job.data as { cellId?: string }).cellId,
          worker: job.processedBy,
          attempts: job.attemptsStarted,
        }))
        const failed = (await queue.getFailed()).map((job) => ({ job: job.id, reason: job.failedReason }))
        report.push({ queue: name, counts, workers, active, failed })
        await queue.close()
      }
      if (flags.json) {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n')
        return
      }
      for (const q of report) {
        const c = q.counts
        process.stdout.write(
          `${q.queue}: ${c.waiting! + (c.prioritized ?? 0)} waiting, ${c.active} active, ${c.delayed} delayed, ${c.completed} completed, ${c.failed} failed; ${q.workers.length} worker(s)\n`,
        )
        for (const w of q.workers) {
          const running = q.active.filter((a) => a.worker === w.name).map((a) => a.cell)
          process.stdout.write(`  worker ${w.name} (${w.addr}): ${running.length > 0 ? `running ${running.join(', ')}` : 'idle'}\n`)
        }
        for (const a of q.active) process.stdout.write(`  active ${a.cell} on ${a.worker ?? 'an unknown worker'} (try ${a.attempts})\n`)
        for (const f of q.failed) process.stdout.write(`  failed ${f.job}: ${f.reason}\n`)
      }
    } finally {
      connection.disconnect()
    }
  })
}
