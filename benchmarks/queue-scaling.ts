// How to run: `npx tsx --conditions=bonbench-source benchmarks/queue-scaling.ts` (CELL_STEPS=<n>
// sets the training steps per cell, default 300; JOBS=<n> the jobs of the overhead measurement, default 300;
// LONG_STEPS=<n> adds a second scaling table with cells of n steps, LONG_BATCH_PROMPTS=<b> with b prompts per step, see 3.).
// Issue 16's performance goals for queue mode, on a real redis-server started here (loopback, no persistence):
// 1. overhead per job: BullMQ jobs carrying a toy cell's job data and returning a toy cell's
//    journal records, through the coordinator's own calls (getJob, add, getState, returnvalue) with a
//    no-op processor: the queue's cost per cell, without the cell (goal: under 5 ms on loopback);
// 2. cells/s of one toy matrix (tabular model, 16 cells) in one process (`bench run`), and with
//    1, 2 and 3 `bench worker` processes (`bench run --queue`), each wall time from the command's
//    start to its exit (goal: ≥ 1.7× with 2 workers on 2 cores). Every queued journal is checked
//    record for record against the single-process one.
// 3. (LONG_STEPS=<n>) the same with longer cells, where the fixed costs of a run (starting the
//    coordinator, the base job, the end) weigh less, and (LONG_BATCH_PROMPTS=<b>, default 8) more
//    work per training step for the same journal records (a step's record and events are sent
//    back whatever its batch): the base model is built first by an untimed
//    1-step run, and the 2- and 3-worker journals are checked against the 1-worker one. No
//    single-process run here: it fsyncs each of the 12·n training records (minutes at n = 30 000 on a
//    busy disk), which queue mode's coordinator writes with one fsync per cell.
// 4. (TRANSFORMER_STEPS=<n>) the same matrix with the tiny-transformer (its defaults, 100 pretraining
//    steps, n training steps per cell) and `--concurrency 1`, so that one cell uses one core (no
//    sampling threads): cells whose time is the model's compute, not their journal records. The
//    base model is built first by an untimed run, the 2- and 3-worker journals are checked against
//    the 1-worker one, and one process (`bench run`, same cache) is timed beside them, then two such
//    processes at once: what the two cores give this workload without any queue (the ceiling).
// Each row is printed as soon as it is measured.
import { execa } from 'execa'
import { readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Queue, QueueEvents, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { jobIdOf } from '../core/queue/protocol.js'
import { readJournal } from '../core/run/journal.js'
import { compareJournals, formatDifference } from '../test/helpers/compare-journals.js'
import { startRedis } from '../test/helpers/redis-server.js'
import { tempDir } from '../test/e2e/cli-helper.js'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const bin = join(root, 'bin', 'bench.js')
const steps = process.env.CELL_STEPS ?? '300'
const jobs = Number(process.env.JOBS ?? 300)
const longSteps = process.env.LONG_STEPS
const longBatch = process.env.LONG_BATCH_PROMPTS
const transformerSteps = process.env.TRANSFORMER_STEPS
const matrix = (cellSteps: string) => [
  'toy',
  '--model',
  'tabular',
  '--strategies',
  'sft,bon-rlb',
  '--n-train',
  '2,4',
  '--n',
  '1,2,4',
  '--seeds',
  '1,2',
  '--temperatures',
  '0.7,1',
  '--steps',
  cellSteps,
]
const MATRIX = matrix(steps)
const env = { CI: 'true', NO_COLOR: '1' }

const redis = await startRedis({ own: true })
const project = tempDir('bonbench-queue-bench-')
try {
  // A toy cell's journal records and job data, for realistic payload sizes.
  const single = await timed(() =>
    execa(process.execPath, [bin, 'run', ...MATRIX, '--runs-dir', 'single', '--no-tui', '--no-reports'], { cwd: project.dir, env }),
  )
  const singleJournal = journalIn(join(project.dir, 'single'))
  const records = readJournal(singleJournal).records
  const cellCount = records.filter((r) => r.type === 'cell').length
  const sample = records.filter((r) => 'cellId' in r && r.cellId === records.find((x) => x.type === 'cell')!.cellId)
  const payloadBytes = JSON.stringify({ records: sample }).length

  // 1. Overhead per job.
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null })
  const queue = new Queue('overhead', { connection })
  const eventsConnection = connection.duplicate()
  const workerConnection = connection.duplicate()
  const events = new QueueEvents('overhead', { connection: eventsConnection })
  await events.waitUntilReady()
  const worker = new Worker('overhead', async () => ({ records: sample, worker: 'bench' }), { connection: workerConnection, concurrency: 1 })
  const data = { runId: 'bench', runDir: '/nowhere', base: false, config: {}, harness: { name: 'bonbench', version: '0' }, plugins: [] }
  let completed = 0
  let allDone!: () => void
  const finished = new Promise<void>((resolve) => (allDone = resolve))
  events.on('completed', () => {
    if (++completed === jobs) allDone()
  })
  const start = performance.now()
  // As the coordinator enqueues: a getJob, then an add of each job that is not there.
  for (let i = 0; i < jobs; i++) {
    const jobId = jobIdOf('bench', `c${i}`)
    if (!(await queue.getJob(jobId))) await queue.add('cell', { ...data, cellId: `c${i}` }, { jobId })
  }
  await finished
  // What the coordinator then does per cell: read the job, its state and its records.
  for (let i = 0; i < jobs; i++) {
    const job = await queue.getJob(jobIdOf('bench', `c${i}`))
    if (!job || (await job.getState()) !== 'completed' || !job.returnvalue) throw new Error(`job c${i} did not complete`)
  }
  const overheadMs = (performance.now() - start) / jobs
  await worker.close()
  await events.close()
  await queue.close()
  for (const c of [connection, eventsConnection, workerConnection]) c.disconnect()

  console.log(`queue overhead per job (${jobs} jobs, no-op processor, ${(payloadBytes / 1024).toFixed(1)} KiB of records each): ${overheadMs.toFixed(2)} ms`)

  // 2. Scaling with 1, 2, 3 worker processes.
  console.log(`toy matrix: ${cellCount} cells, ${steps} training steps per trained cell; speedup: against 1 worker`)
  const rows: Row[] = [row('1 process (bench run)', single, cellCount, single)]
  printRow(rows[0]!)
  rows.push(...(await scaling({ cellArgs: MATRIX, cellCount, tag: 'queued', reference: () => singleJournal, dbOffset: 0 })))
  console.table(rows.map(formatRow))

  // 3. Longer cells.
  if (longSteps) {
    const batchArgs = longBatch ? ['--batch-prompts', longBatch] : []
    const LONG = [...matrix(longSteps), ...batchArgs]
    // Untimed: the base model and the selector into the shared cache, as the single-process run does above.
    await execa(process.execPath, [bin, 'run', ...matrix('1'), ...batchArgs, '--runs-dir', 'warm', '--no-tui', '--no-reports'], { cwd: project.dir, env })
    console.log(
      `toy matrix with long cells: ${cellCount} cells, ${longSteps} training steps of ${longBatch ?? 8} prompts per trained cell; speedup: against 1 worker`,
    )
    const long = await scaling({ cellArgs: LONG, cellCount, tag: 'long', reference: (one) => one, dbOffset: 3 })
    console.table(long.map(formatRow))
  }

  // 4. Cells of real compute.
  if (transformerSteps) {
    const model = ['--model', 'tiny-transformer', '--pretrain-steps', '100', '--concurrency', '1']
    const TRANSFORMER = [...matrix(transformerSteps), ...model]
    // Untimed: the base model into the shared cache (one cell, no training).
    const warm = ['toy', ...model, '--strategies', 'sft', '--seeds', '1', '--temperatures', '1', '--n', '1', '--steps', '0', '--test-prompts', '1']
    await execa(process.execPath, [bin, 'run', ...warm, '--runs-dir', 'warm-transformer', '--no-tui', '--no-reports'], { cwd: project.dir, env })
    console.log(`tiny-transformer matrix, --concurrency 1: ${cellCount} cells, ${transformerSteps} training steps per trained cell; speedup: against 1 worker`)
    const rows = await scaling({ cellArgs: TRANSFORMER, cellCount, tag: 'transformer', reference: (one) => one, dbOffset: 6 })
    const oneProcess = await timed(() =>
      execa(process.execPath, [bin, 'run', ...TRANSFORMER, '--runs-dir', 'transformer-single', '--no-tui', '--no-reports'], { cwd: project.dir, env }),
    )
    const difference = compareJournals(journalIn(join(project.dir, 'transformer-1')), journalIn(join(project.dir, 'transformer-single')), {})
    if (difference) throw new Error(`queued tiny-transformer run differs from one process: ${formatDifference(difference)}`)
    const oneWorkerMs = rows[0]!.seconds * 1000
    const single = row('1 process (bench run)', oneProcess, cellCount, oneWorkerMs)
    printRow(single)
    // What two cores give this workload at all, queue or not: the same single-process run twice at
    // once (separate run folders, the same warm cache) against once alone. On a VM whose two cores
    // are shared with other guests (or are one core's two threads) this is under 2, and no
    // scheduler beats it.
    const pair = await timed(() =>
      Promise.all(
        ['pair-a', 'pair-b'].map((dir) =>
          execa(process.execPath, [bin, 'run', ...TRANSFORMER, '--runs-dir', dir, '--no-tui', '--no-reports'], { cwd: project.dir, env }),
        ),
      ),
    )
    const ceiling = row('2 processes at once, the same run each', pair, 2 * cellCount, oneWorkerMs, cellCount)
    printRow(ceiling)
    console.table([single, ...rows, ceiling].map(formatRow))
    const two = rows[1]!.speedup
    console.log(
      `against one worker: 2 workers ${two.toFixed(2)}×, two independent processes ${ceiling.speedup.toFixed(2)}× — the queue reaches ${((two / ceiling.speedup) * 100).toFixed(0)}% of what two cores give this workload here`,
    )
  }
} finally {
  await redis.stop()
  project.cleanup()
}

interface Row {
  setup: string
  seconds: number
  cellsPerSecond: number
  speedup: number
}

/** A measured setup: `cells` cells in `ms`, its speed-up the ratio of its cells/s to `baselineCells` cells in `baselineMs`. */
function row(setup: string, ms: number, cells: number, baselineMs: number, baselineCells = cells): Row {
  return { setup, seconds: ms / 1000, cellsPerSecond: cells / (ms / 1000), speedup: cells / ms / (baselineCells / baselineMs) }
}

function formatRow(r: Row) {
  return { ...r, seconds: r.seconds.toFixed(2), cellsPerSecond: r.cellsPerSecond.toFixed(2), speedup: r.speedup.toFixed(2) }
}

function printRow(r: Row): void {
  const f = formatRow(r)
  console.log(`  ${f.setup}: ${f.seconds} s, ${f.cellsPerSecond} cells/s, ${f.speedup}×`)
}

/**
 * `bench run --queue` with 1, 2 and 3 fresh `bench worker` processes, each timed from the
 * coordinator's start to its exit; each journal checked record for record against `reference`
 * (given the 1-worker journal).
 */
async function scaling(opts: {
  cellArgs: string[]
  cellCount: number
  tag: string
  reference: (oneWorker: string) => string
  dbOffset: number
}): Promise<Row[]> {
  const rows: Row[] = []
  let oneWorkerMs = 0
  let oneWorkerJournal = ''
  for (const count of [1, 2, 3]) {
    const db = `${redis.url}/${count + opts.dbOffset}`
    const workers = Array.from({ length: count }, () => execa(process.execPath, [bin, 'worker', '--queue', db], { cwd: project.dir, env, reject: false }))
    // The workers start (imports, connecting) before the clock does: each says so on its first line.
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.stdout!.on('data', (chunk: Buffer) => String(chunk).includes(' serving ') && resolve())
            void w.then(() => resolve()) // one that died at start: the run below says so (no worker)
          }),
      ),
    )
    const runsDir = `${opts.tag}-${count}`
    const ms = await timed(() =>
      execa(process.execPath, [bin, 'run', ...opts.cellArgs, '--queue', db, '--runs-dir', runsDir, '--no-tui', '--no-reports'], { cwd: project.dir, env }),
    )
    for (const w of workers) w.kill('SIGTERM')
    await Promise.all(workers)
    const journal = journalIn(join(project.dir, runsDir))
    if (count === 1) {
      oneWorkerMs = ms
      oneWorkerJournal = journal
    }
    // The tabular model's checkpoint file lists every prompt its table has seen, so a cell trained in
    // a fresh process (a worker) saves a file with fewer untouched rows than one trained after the
    // base cell's evaluation in the same process: the file's hash differs, never a number.
    const reference = opts.reference(oneWorkerJournal)
    if (reference !== journal) {
      const difference = compareJournals(reference, journal, { ignore: ['hash'] })
      if (difference) throw new Error(`queued run with ${count} workers differs: ${formatDifference(difference)}`)
    }
    const measured = row(`bench run --queue + ${count} worker(s)`, ms, opts.cellCount, oneWorkerMs)
    printRow(measured)
    rows.push(measured)
  }
  return rows
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await fn()
  return performance.now() - start
}

function journalIn(runsDir: string): string {
  const [run] = readdirSync(runsDir)
  return join(runsDir, run!, 'journal.jsonl')
}
