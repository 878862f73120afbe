import type { Command } from 'commander'
import { connectQueue, DEFAULT_QUEUE_NAME } from '../../core/queue/connection.js'
import { setupRun } from '../../core/run/setup.js'
import { builtins } from '../builtins.js'
import { onStopSignal, STOP_EXIT_CODES } from '../stop-signals.js'
import { addExamples } from '../option-vocabulary.js'
import { integerAtLeast, numberFlag, parseStringList } from '../parse-list.js'
import { recordedConfigPath, recordedPreset, recordedToFlags } from '../recorded-config.js'

interface WorkerFlags {
  queue: string
  concurrency: number
  labels?: string[]
  lockMs?: number
  cacheDir?: string
  config?: string
}

/**
 * `bench worker --queue <url>`: runs the cells `bench run --queue` enqueues, until stopped
 * (SIGINT/SIGTERM: the jobs in progress finish first; SIGKILL: they are detected as stalled and
 * retried on another worker).
 */
export function registerWorker(program: Command): void {
  const command = program
    .command('worker')
    .description('queue mode: run the cells that `bench run --queue` enqueues on a Redis, on this machine, until stopped')
    .requiredOption('--queue <redis-url>', 'the Redis the run was enqueued on: redis://HOST:PORT/DB')
    .option('--concurrency <n>', 'cells this worker runs at once, an integer ≥ 1', numberFlag('--concurrency', integerAtLeast(1), 'the job count'), 1)
    .option('--labels <list>', 'capability labels of this machine, comma-separated (e.g. gpu): it also takes cells of runs that require them', parseStringList)
    .option(
      '--lock-ms <ms>',
      'how long a job stays claimed without a heartbeat before another worker retries it (default 30000)',
      numberFlag('--lock-ms', integerAtLeast(100), 'milliseconds'),
    )
    .option('--cache-dir <dir>', 'cache for base models and verifiers (default: the run’s, a directory the workers share)')
    .option('-c, --config <file>', 'the run’s config file on this machine (default: the path the run recorded)')
  addExamples(command, ['bench worker --queue redis://10.0.0.5:6379/0', 'bench worker --queue redis://10.0.0.5:6379/0 --labels gpu --concurrency 2']).action(
    async (flags: WorkerFlags) => {
      // BullMQ loads only for this command: `bench --help` imports every command module.
      const { startQueueWorker } = await import('../../core/queue/queue-worker.js')
      const connection = await connectQueue(flags.queue)
      const cwd = process.cwd()
      const worker = startQueueWorker({
        connection,
        queueName: DEFAULT_QUEUE_NAME,
        labels: flags.labels ?? [],
        concurrency: flags.concurrency,
        ...(flags.lockMs !== undefined ? { lockMs: flags.lockMs } : {}),
        ...(flags.cacheDir !== undefined ? { cacheDir: flags.cacheDir } : {}),
        setup: (recorded) =>
          setupRun({
            cwd,
            configPath: flags.config ?? recordedConfigPath(recorded, cwd) ?? false,
            preset: recordedPreset(recorded),
            flags: recordedToFlags(recorded),
            command: 'run',
            builtins,
          }),
        log: (line) => process.stdout.write(`${line}\n`),
      })
      process.stdout.write(`worker ${worker.name} serving ${worker.queues.join(', ')} on ${new URL(flags.queue).host}\n`)
      let stoppedBy: keyof typeof STOP_EXIT_CODES | undefined
      const off = onStopSignal((signal) => {
        if (stoppedBy) process.exit(STOP_EXIT_CODES[signal])
        stoppedBy = signal
        process.stderr.write(`\nbench worker: ${signal}: finishing the cells in progress (again exits at once)\n`)
        void worker.close()
      })
      try {
        await worker.closed
      } finally {
        off()
        connection.disconnect()
      }
      if (stoppedBy) process.exitCode = STOP_EXIT_CODES[stoppedBy]
    },
  )
}
