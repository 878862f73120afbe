import { execa, type ResultPromise } from 'execa'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KILL_AFTER_RECORDS_ENV } from '../../core/run/journal.js'
import { expectSameJournal } from '../helpers/compare-journals.js'
import { emptyDb, freePort, redisDb, startRedis, type TestRedis } from '../helpers/redis-server.js'
import { onlyJournal, tinyMathArgs, writeTinyMathConfig } from '../helpers/tiny-math-run.js'
import { benchInProcess, benchUsageError } from './cli-help.js'
import { bench, benchArgs, repoRoot, tempDir, runDirOf, SIXTEEN_CELLS } from './cli-helper.js'

// Issue 16 §1, §2, §4, §5: queue mode on BullMQ over a real Redis (Debian's redis-server).
// 16 cells of small records (cli-helper.ts's SIXTEEN_CELLS, as e2e/shard-merge's).
const MATRIX = SIXTEEN_CELLS

// The single-process run of MATRIX that three queued runs below must match, record for record:
// run once for the file (on first use), in a folder of its own.
const reference = tempDir('bonbench-queue-single-')
afterAll(() => reference.cleanup())
let singleJournal: Promise<string> | undefined
/** The journal of MATRIX run by one process (`bench run` without --queue). */
function singleMatrixJournal(): Promise<string> {
  singleJournal ??= bench(['run', ...MATRIX, '--runs-dir', 'single', '--no-tui', '--no-reports'], { cwd: reference.dir }).then((single) => {
    expect(single.exitCode, single.stderr).toBe(0)
    return join(runDirOf(single.stdout), 'journal.jsonl')
  })
  return singleJournal
}

// One Redis for the file (BONBENCH_TEST_REDIS_URL's, or one started here), a database per
// describe (1–4 and 6–8, emptied first: see emptyDb); the restart test starts its own.
let server: TestRedis
beforeAll(async () => {
  server = await startRedis()
  for (const db of [1, 2, 3, 4, 6, 7, 8]) await emptyDb(server.url, db)
})
afterAll(async () => {
  await server.stop()
})
/** The file's Redis on database `db`: a describe's own (its URL read once the server is up). */
const redisOn = (db: number) => ({
  get url() {
    return redisDb(server.url, db)
  },
})

/** A `bench worker` process (the real CLI) in `cwd`; a short lock so a killed worker's job is retried within seconds. */
function startWorker(url: string, cwd: string, env: Record<string, string> = {}, extra: string[] = []): ResultPromise {
  return execa(process.execPath, benchArgs(['worker', '--queue', url, '--lock-ms', '1000', ...extra]), {
    cwd,
    reject: false,
    env: { CI: 'true', NO_COLOR: '1', ...env },
  })
}

/** Resolves once `worker` says it serves its queue (it takes jobs from then on). */
function serving(worker: ResultPromise): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = ''
    const listen = (chunk: Buffer) => {
      out += chunk.toString()
      if (!out.includes(' serving ')) return
      worker.stdout!.off('data', listen)
      resolve()
    }
    worker.stdout!.on('data', listen)
    void worker.then((result) => reject(new Error(`the worker ended before serving its queue: ${String(result.stderr)}`)))
  })
}

async function stopWorker(worker: ResultPromise): Promise<{ exitCode?: number; signal?: string; stdout: string; stderr: string }> {
  worker.kill('SIGTERM')
  const result = await worker
  return { exitCode: result.exitCode, signal: result.signal ?? undefined, stdout: String(result.stdout), stderr: String(result.stderr) }
}

describe('bench run --queue with three workers, one SIGKILLed mid-cell', () => {
  const project = tempDir('bonbench-queue-')
  const redis = redisOn(1)
  afterAll(() => project.cleanup())

  it('journals, record for record, what one process journals; the killed worker’s cell is retried on another', async () => {
    const single = await singleMatrixJournal()

    // The third worker SIGKILLs itself after the 5th record of its first cell: mid-cell, no timing involved.
    const workers = [
      startWorker(redis.url, project.dir),
      startWorker(redis.url, project.dir),
      startWorker(redis.url, project.dir, { [KILL_AFTER_RECORDS_ENV]: '5' }),
    ]
    // All three take jobs before the run starts: the killer gets a cell before two workers could finish them all.
    await Promise.all(workers.map(serving))
    const run = await bench(['run', ...MATRIX, '--queue', redis.url, '--runs-dir', 'queued', '--no-tui'], { cwd: project.dir, timeout: 240_000 })
    expect(run.exitCode, run.stderr + run.stdout).toBe(0)
    const killed = await workers[2]!
    expect(killed.signal, String(killed.stdout)).toBe('SIGKILL')
    const cut = /(\S+): started/.exec(String(killed.stdout))![1]!
    // Nothing left in the queue once the run is journaled.
    const status = await benchInProcess(['queue', 'status', '--queue', redis.url, '--json'], { cwd: project.dir })
    expect(status.exitCode, status.stderr).toBe(0)
    const [queue] = JSON.parse(status.stdout) as Array<{ queue: string; counts: Record<string, number>; workers: Array<{ name: string }> }>
    expect(queue).toMatchObject({ queue: 'bonbench', counts: { waiting: 0, active: 0, failed: 0, completed: 0 } })
    // The two live workers, by host:pid (the killed one is gone; bin/bench.js may run the CLI in a child process, so the pid is not execa's).
    const names = queue!.workers.map((w) => w.name)
    expect(names).toHaveLength(2)
    for (const name of names) expect(name).toMatch(new RegExp(`^${hostname()}:\\d+$`))
    const others = await Promise.all(workers.slice(0, 2).map(stopWorker))
    for (const w of others) expect(w.exitCode, w.stdout).toBe(143)
    // The killed worker's cell was started again elsewhere and finished there.
    expect(others.map((w) => w.stdout).join('\n')).toContain(`${cut}: done`)

    const queuedDir = runDirOf(run.stdout)
    expectSameJournal(single, join(queuedDir, 'journal.jsonl'))
    // The coordinator wrote the same reports as a local run.
    for (const file of ['results.json', 'report.md', 'report.html']) expect(existsSync(join(queuedDir, file)), file).toBe(true)
  }, 300_000)
})

describe('bench run --queue with a pretrained base model and a learned verifier', () => {
  const project = tempDir('bonbench-queue-math-')
  const redis = redisOn(4)
  afterAll(() => project.cleanup())
  writeTinyMathConfig(project.dir)

  it('the base job journals the pretraining and the verifier once; two workers, one killed mid-cell, match one process', async () => {
    const single = await bench(tinyMathArgs({ runsDir: 'single', cacheDir: 'cache-single', concurrency: 1 }), { cwd: project.dir })
    expect(single.exitCode, single.stderr).toBe(0)
    // The second worker dies after its 3rd record: mid-pretraining if it took the base job, else mid-cell.
    const workers = [startWorker(redis.url, project.dir), startWorker(redis.url, project.dir, { [KILL_AFTER_RECORDS_ENV]: '3' })]
    const run = await bench([...tinyMathArgs({ runsDir: 'queued', cacheDir: 'cache-queued', concurrency: 1 }), '--queue', redis.url], {
      cwd: project.dir,
      timeout: 240_000,
    })
    expect(run.exitCode, run.stderr + run.stdout).toBe(0)
    expect((await workers[1]!).signal).toBe('SIGKILL')
    await stopWorker(workers[0]!)
    expectSameJournal(onlyJournal(join(project.dir, 'single')), onlyJournal(join(project.dir, 'queued')))
  }, 300_000)
})

describe('bench run --resume --queue after the coordinator is killed', () => {
  const project = tempDir('bonbench-queue-resume-')
  const redis = redisOn(3)
  afterAll(() => project.cleanup())

  it('re-attaches to the queue: jobs that finished meanwhile are journaled, none twice', async () => {
    const single = await singleMatrixJournal()
    const workers = [startWorker(redis.url, project.dir), startWorker(redis.url, project.dir)]
    // The coordinator SIGKILLs itself after journaling 14 records (the base cell's 9 and part of the next).
    const killed = await bench(['run', ...MATRIX, '--queue', redis.url, '--runs-dir', 'queued', '--no-tui', '--no-reports'], {
      cwd: project.dir,
      env: { [KILL_AFTER_RECORDS_ENV]: '14' },
    })
    expect(killed.signal, killed.stderr).toBe('SIGKILL')
    const runDir = join(project.dir, 'queued', readdirSync(join(project.dir, 'queued'))[0]!)
    const resumed = await bench(['run', '--resume', runDir, '--queue', redis.url, '--no-tui', '--no-reports'], { cwd: project.dir, timeout: 240_000 })
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    await Promise.all(workers.map(stopWorker))
    expectSameJournal(single, join(runDir, 'journal.jsonl'))
  }, 300_000)
})

describe('queue mode refuses bad input by name and loses no job', () => {
  const project = tempDir('bonbench-queue-errors-')
  const redis = redisOn(2)
  afterAll(() => project.cleanup())

  it('a wrong URL and an unreachable Redis are usage errors that create no run', async () => {
    const wrong = await benchUsageError(['run', ...MATRIX, '--queue', 'http://127.0.0.1:6379', '--no-tui'], project.dir)
    expect(wrong.exitCode).toBe(2)
    expect(wrong.stderr).toContain("--queue: 'http://127.0.0.1:6379' is not a Redis URL")
    const port = await freePort()
    const down = await benchUsageError(['run', ...MATRIX, '--queue', `redis://127.0.0.1:${port}/0`, '--no-tui'], project.dir)
    expect(down.exitCode).toBe(2)
    expect(down.stderr).toContain(`cannot reach Redis at redis://127.0.0.1:${port}/0`)
    const worker = await benchUsageError(['worker', '--queue', `redis://127.0.0.1:${port}/0`], project.dir)
    expect(worker.exitCode).toBe(2)
    expect(worker.stderr).toContain('cannot reach Redis')
    expect(existsSync(join(project.dir, '.bench', 'runs'))).toBe(false)
  }, 60_000)

  it('a worker with another plugin version puts the job back and stops; a matching worker then runs it', async () => {
    const { cpSync, mkdirSync, writeFileSync } = await import('node:fs')
    const { repoRoot } = await import('./cli-helper.js')
    const fixture = join(repoRoot, 'test/fixtures/bonbench-plugin-dice')
    const here = join(project.dir, 'a')
    const there = join(project.dir, 'b')
    cpSync(fixture, join(here, 'node_modules/bonbench-plugin-dice'), { recursive: true })
    mkdirSync(join(there, 'node_modules'), { recursive: true })
    cpSync(fixture, join(there, 'node_modules/bonbench-plugin-dice'), { recursive: true })
    const index = join(there, 'node_modules/bonbench-plugin-dice/index.js')
    writeFileSync(index, readFileSync(index, 'utf8').replace("version: '1.2.3'", "version: '1.3.0'"))

    const run = bench(['run', 'dice', '--model', 'roller', '--pretrain-steps', '0', '--n', '1,2', '--queue', redis.url, '--no-tui', '--no-reports'], {
      cwd: here,
      timeout: 120_000,
    })
    const stale = await startWorker(redis.url, there)
    expect(stale.exitCode).toBe(2)
    expect(String(stale.stderr)).toMatch(/version 1\.3\.0 here, 1\.2\.3 in the run.*The job went back to the queue/)
    const status = await benchInProcess(['queue', 'status', '--queue', redis.url, '--json'], { cwd: here })
    const [queue] = JSON.parse(status.stdout) as Array<{ counts: Record<string, number> }>
    expect(queue!.counts.waiting! + queue!.counts.prioritized!).toBe(1)
    const good = startWorker(redis.url, here)
    const finished = await run
    expect(finished.exitCode, finished.stderr).toBe(0)
    expect(finished.stdout).toContain('run directory:')
    await stopWorker(good)
  }, 180_000)
})

describe('queue mode checks the data a worker reads', () => {
  const project = tempDir('bonbench-queue-data-')
  const redis = redisOn(7)
  afterAll(() => project.cleanup())
  /** A project replaying `dump.jsonl` (its own task): rewards shifted by `shift` give other bytes. */
  const replayProject = (name: string, shift: number) => {
    const dir = join(project.dir, name)
    mkdirSync(dir, { recursive: true })
    const problem = (i: number) => ({ id: `p${i}`, prompt: `q${i}?`, samples: [0, 1, 2, 3].map((k) => ({ reward: (i + k + shift) % 2, text: `a${k}` })) })
    writeFileSync(join(dir, 'dump.jsonl'), `${[0, 1, 2].map((i) => JSON.stringify(problem(i))).join('\n')}\n`)
    writeFileSync(
      join(dir, 'bench.config.json'),
      JSON.stringify({
        plugins: [
          ['sample-dump', { samples: 'dump.jsonl' }],
          ['replay', { samples: 'dump.jsonl' }],
        ],
        matrix: { task: 'sample-dump', model: 'replay', strategies: [], nGrid: [1, 2] },
      }),
    )
    return dir
  }

  it("a worker whose data file has other bytes than the run's puts the job back and stops, naming the file", async () => {
    const here = replayProject('a', 0)
    const there = replayProject('b', 1)
    const run = bench(['run', '--queue', redis.url, '--no-tui', '--no-reports'], { cwd: here, timeout: 120_000 })
    const stale = await startWorker(redis.url, there)
    expect(stale.exitCode, String(stale.stderr)).toBe(2)
    expect(String(stale.stderr)).toMatch(
      /data file \S*dump\.jsonl \(sha256 [0-9a-f]{64} in the run\) is not loaded here with those bytes.*The job went back to the queue/,
    )
    const good = startWorker(redis.url, here)
    const finished = await run
    expect(finished.exitCode, finished.stderr).toBe(0)
    await stopWorker(good)
  }, 180_000)
})

describe('a Redis restart mid-run', () => {
  const project = tempDir('bonbench-queue-restart-')
  let redis: TestRedis
  beforeAll(async () => {
    redis = await startRedis({ own: true })
  })
  afterAll(async () => {
    await redis.stop()
    project.cleanup()
  })

  it('resumes: the coordinator enqueues again what the empty Redis lost, and the journal is the single-process one', async () => {
    const single = await singleMatrixJournal()
    const worker = startWorker(redis.url, project.dir)
    // About 5 s on an idle machine: 120 s is a hang.
    const run = bench(['run', ...MATRIX, '--queue', redis.url, '--runs-dir', 'queued', '--no-tui', '--no-reports'], { cwd: project.dir, timeout: 120_000 })
    // Restart once the base job is journaled, as the rest are being enqueued.
    const journalOf = () => {
      const dir = join(project.dir, 'queued')
      const runs = existsSync(dir) ? readdirSync(dir) : []
      return runs.length === 1 ? join(dir, runs[0]!, 'journal.jsonl') : undefined
    }
    for (let i = 0; i < 2400; i++) {
      const journal = journalOf()
      if (journal && existsSync(journal) && readFileSync(journal, 'utf8').includes('"type":"cell"')) break
      await new Promise((r) => setTimeout(r, 25))
    }
    const before = readFileSync(journalOf()!, 'utf8').split('"type":"cell"').length - 1
    await redis.restart()
    const finished = await run
    // The restart came mid-run: most cells were journaled after it.
    expect(before).toBeLessThan(8)
    // Whichever side did not recover, the message shows both.
    const stopped = finished.exitCode === 0 ? undefined : await stopWorker(worker)
    expect(finished.exitCode, `${finished.stderr}${stopped ? `\nthe worker's output:\n${stopped.stdout}${stopped.stderr}` : ''}`).toBe(0)
    await stopWorker(worker)
    expectSameJournal(single, journalOf()!)
  }, 200_000)
})

describe('bench run --queue with no worker', () => {
  const project = tempDir('bonbench-queue-no-worker-')
  const redis = redisOn(6)
  afterAll(() => project.cleanup())
  const SMALL = ['toy', '--model', 'tabular', '--strategies', 'sft', '--n', '1,2', '--seeds', '1', '--temperatures', '1', '--steps', '20']

  it('says how to start one, stops after --worker-timeout with a named error, journal kept; --resume --queue then finishes it', async () => {
    const single = await bench(['run', ...SMALL, '--runs-dir', 'single', '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(single.exitCode, single.stderr).toBe(0)
    const alone = await bench(['run', ...SMALL, '--queue', redis.url, '--worker-timeout', '3', '--runs-dir', 'queued', '--no-tui', '--no-reports'], {
      cwd: project.dir,
      timeout: 60_000,
    })
    expect(alone.exitCode, alone.stderr).toBe(4)
    expect(alone.stdout).toContain(`waiting for a worker (none connected to queue 'bonbench' for`)
    expect(alone.stdout).toContain(`start one with \`bench worker --queue ${redis.url}\``)
    expect(alone.stderr).toMatch(
      /no worker has served queue 'bonbench' at redis:\/\/\S+ for \d+ s \(--worker-timeout 3\); the journal and the queued jobs are kept/,
    )
    const runDir = join(project.dir, 'queued', readdirSync(join(project.dir, 'queued'))[0]!)
    expect(existsSync(join(runDir, 'journal.jsonl'))).toBe(true)
    expect(alone.stderr.split('\n')).toContain(`  bench run --resume ${runDir} --queue ${redis.url}`)
    // The jobs are still queued; a worker started now takes them, and the resumed coordinator journals them.
    const worker = startWorker(redis.url, project.dir)
    const resumed = await bench(['run', '--resume', runDir, '--queue', redis.url, '--worker-timeout', '60', '--no-tui', '--no-reports'], {
      cwd: project.dir,
      timeout: 120_000,
    })
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    await stopWorker(worker)
    expectSameJournal(join(runDirOf(single.stdout), 'journal.jsonl'), join(runDir, 'journal.jsonl'))
    const misuse = await benchUsageError(['run', ...SMALL, '--worker-timeout', '5', '--no-tui'], project.dir)
    expect(misuse.exitCode).toBe(2)
    expect(misuse.stderr).toContain('--worker-timeout applies to queue mode only')
  }, 240_000)
})

describe('bench run --queue of a run that asked for --backend auto', () => {
  const project = tempDir('bonbench-queue-backend-')
  const redis = redisOn(8)
  afterAll(() => project.cleanup())
  // The tabular model (from the build, as a plugin author's model would wrap one) posing as a model
  // on TensorFlow.js whose `auto` starts tensorflow-gpu: what a GPU machine's worker reports. This
  // machine has no tensorflow-gpu installed, as the fleet's other workers would not.
  const echo = `import { tabular } from ${JSON.stringify(join(repoRoot, 'dist/plugins/models/tabular/index.js'))}
const inner = tabular()
const onGpu = (backend, instance) => ({ ...instance, describe: () => ({ ...instance.describe(), backend: backend === 'auto' ? 'tensorflow-gpu' : backend, device: 'gpu' }) })
export default {
  ...inner, name: 'lab/gpu-echo', usesBackend: undefined,
  async create(ctx) { return onGpu(ctx.backend ?? 'auto', await inner.create(ctx)) },
  async load(dir, ctx) { return onGpu(ctx.backend ?? 'auto', await inner.load(dir, ctx)) },
}
`

  it("pins the base model's backend for the later jobs: a worker without it puts the job back and stops, naming it", async () => {
    writeFileSync(join(project.dir, 'gpu-echo.mjs'), echo)
    const config = {
      plugins: ['./gpu-echo.mjs'],
      matrix: { task: 'toy', model: 'lab/gpu-echo', strategies: ['sft'], nGrid: [1, 2], seeds: [1] },
      train: { steps: 2 },
    }
    writeFileSync(join(project.dir, 'bench.config.json'), JSON.stringify(config))
    const worker = startWorker(redis.url, project.dir)
    const run = await bench(['run', '--queue', redis.url, '--worker-timeout', '3', '--runs-dir', 'queued', '--no-tui', '--no-reports'], {
      cwd: project.dir,
      timeout: 120_000,
    })
    // The worker built the base model (its base job), then refused the first job pinned to tensorflow-gpu.
    const refused = await worker
    expect(refused.exitCode, String(refused.stderr)).toBe(2)
    expect(String(refused.stderr)).toMatch(
      /cannot run cells of run \S+: its model ran on backend tensorflow-gpu \(what --backend auto chose when the run started\), which is not installed here \(npm i @tensorflow\/tfjs-node-gpu.*\)\. The job went back to the queue for a worker that has it/,
    )
    // The coordinator said why at once (the worker's own terminal may be on another machine).
    expect(run.stdout + run.stderr).toMatch(
      /worker \S+ put job \S+ back and stopped: this worker cannot run cells of run \S+: its model ran on backend tensorflow-gpu/,
    )
    // No worker left: the coordinator stops after --worker-timeout with the base cell journaled and run.json naming the backend.
    expect(run.exitCode, run.stderr).toBe(4)
    const runDir = join(project.dir, 'queued', readdirSync(join(project.dir, 'queued'))[0]!)
    const manifest = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { provenance: { backend: Record<string, string> } }
    expect(manifest.provenance.backend).toMatchObject({ requested: 'auto', resolved: 'tensorflow-gpu' })
    const cells = readFileSync(join(runDir, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; cellId?: string })
      .filter((r) => r.type === 'cell')
    expect(cells.map((c) => c.cellId)).toEqual(['base-n1-t1-s1'])
  }, 180_000)
})
