// How to run: `npx tsx --conditions=bonbench-source benchmarks/kill-stress.ts` (TRIALS=<n> queue
// trials, default 3; SEED=<s> the kill schedule, default from the clock and printed; SHARDS=<n>
// also runs the matrix as n shards killed and resumed, then merged; MATRIX='<bench run
// arguments>'; WORKER_ARGS='--concurrency 2'; KILL=group|wrapper|child|mixed; COORDINATOR_KILLS=<n>
// per trial, default 2; REDIS_RESTARTS=<n> per trial, default 0: Redis restarted empty, as one
// without persistence; TRIAL_DEADLINE_S=<s>, default 900: a trial still running then is a hang,
// reported with every process's last output).
// Issue 16's "Done when", as a randomised check: a real matrix (the tiny-transformer on math, with
// the learned reward model for bon-rl) run once in one process, then in queue mode by three
// `bench worker`s that are SIGKILLed at random times (and replaced), with the coordinator itself
// SIGKILLed and re-attached by `bench run --resume <dir> --queue …`. Each trial's journal must
// equal the single process's record for record, and its results.json too (wall times, paths and
// run ids aside); the lines of report.md that differ are printed (the run id, its time, the
// command and the reward model's preparation time are expected to). Half the trials share one
// cache folder across trials, so a retried job may find what a killed one cached. Not part of
// `npm test`: a trial takes about a minute on 2 cores. Exits 1 when a trial differs, keeping its
// folder; removes it otherwise.
import { execa, type ResultPromise } from 'execa'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isDeepStrictEqual } from 'node:util'
import { comparableResults, compareJournals, formatDifference } from '../test/helpers/compare-journals.js'
import { redisDb, startRedis } from '../test/helpers/redis-server.js'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const benchBin = join(root, 'bin', 'bench.js')
const work = mkdtempSync(join(tmpdir(), 'bonbench-kill-stress-'))
const trials = Number(process.env.TRIALS ?? 3)
const coordinatorKills = Number(process.env.COORDINATOR_KILLS ?? 2)
const redisRestarts = Number(process.env.REDIS_RESTARTS ?? 0)
const trialDeadlineMs = Number(process.env.TRIAL_DEADLINE_S ?? 900) * 1000
const matrix = (
  process.env.MATRIX ??
  'math --preset quick --strategies sft,bon-sft,bon-rl,bon-rlb --seeds 1,2 --n 1,2,4 --n-train 2 --steps 4 --pretrain-steps 20 --test-prompts 8'
).split(' ')
let state = Number(process.env.SEED ?? Date.now() % 1_000_000)
console.log(`seed ${state}, folder ${work}`)
/** A seeded uniform draw in [0, 1): the kill schedule repeats for a seed (the machine's timing does not). */
const rand = () => ((state = (state * 1103515245 + 12345) % 2147483648), state / 2147483648)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const runDirOf = (text: string) => /run dir(?:ectory)?: (.+)/.exec(text)?.[1]?.trim()

/** `bench …` in its own process group, so that a kill can take the wrapper and its child together. */
function bench(args: string[]): ResultPromise<{ all: true; reject: false; detached: true }> {
  return execa(process.execPath, [benchBin, ...args], { cwd: work, reject: false, detached: true, all: true, env: { CI: 'true', NO_COLOR: '1' } })
}

/** SIGKILL as a machine failure would: the process group, the wrapper alone (its child follows), or the child alone. */
function kill(proc: ResultPromise): string {
  const modes = ['group', 'wrapper', 'child'] as const
  const mode = process.env.KILL === 'mixed' ? modes[Math.floor(rand() * 3)]! : ((process.env.KILL as (typeof modes)[number] | undefined) ?? 'group')
  try {
    if (mode === 'wrapper') process.kill(proc.pid!, 'SIGKILL')
    else if (mode === 'child') {
      const children = execFileSync('pgrep', ['-P', String(proc.pid)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .filter(Boolean)
      for (const pid of children) process.kill(Number(pid), 'SIGKILL')
    } else process.kill(-proc.pid!, 'SIGKILL')
  } catch {
    // Already gone (pgrep finds no child: exit 1).
  }
  return mode
}

/** One line per trial; true when the run equals the single-process reference. */
function judge(label: string, reference: string, runDir: string): boolean {
  const difference = compareJournals(join(reference, 'journal.jsonl'), join(runDir, 'journal.jsonl'))
  const same = isDeepStrictEqual(comparableResults(reference), comparableResults(runDir))
  const [a, b] = [reference, runDir].map((dir) => readFileSync(join(dir, 'report.md'), 'utf8').split('\n'))
  const lines = a!.flatMap((line, i) => (line === b![i] ? [] : [line.split('|')[1]?.trim() || line.slice(0, 40)]))
  console.log(`${label}: journal: ${formatDifference(difference)}; results.json ${same ? 'equal' : 'DIFFERS'}; report.md differs in: ${lines.join(', ')}`)
  return !difference && same
}

const single = await bench(['run', ...matrix, '--runs-dir', 'single', '--cache-dir', 'cache-single', '--no-tui'])
if (single.exitCode !== 0) throw new Error(`the single-process run failed:\n${single.all}`)
const reference = runDirOf(single.stdout)!
let failures = 0

if (process.env.SHARDS) {
  const n = Number(process.env.SHARDS)
  let kills = 0
  const dirs = await Promise.all(
    Array.from({ length: n }, async (_, k) => {
      let output = ''
      let proc = bench(['run', ...matrix, '--shard', `${k + 1}/${n}`, '--runs-dir', 'shards', '--cache-dir', 'cache-shards', '--no-tui'])
      proc.all.on('data', (d: Buffer) => (output += d.toString()))
      for (;;) {
        const ended = await Promise.race([proc.then(() => true), sleep(2000 + rand() * 15_000).then(() => false)])
        if (ended) break
        const dir = runDirOf(output)
        if (!dir || kills >= 2 * n) continue
        kill(proc)
        await proc
        kills++
        output = `run dir: ${dir}\n`
        proc = bench(['run', '--resume', dir, '--no-tui'])
        proc.all.on('data', (d: Buffer) => (output += d.toString()))
      }
      const done = await proc
      if (done.exitCode !== 0) throw new Error(`shard ${k + 1}/${n} failed:\n${done.all}`)
      return runDirOf(output)!
    }),
  )
  const mergedDir = join(work, 'merged')
  const merged = await bench(['merge', ...dirs, '--out', mergedDir])
  if (merged.exitCode !== 0) throw new Error(`bench merge failed:\n${merged.all}`)
  if (!judge(`${n} shards, ${kills} kills, merged`, reference, mergedDir)) failures++
}

const redis = await startRedis({ own: true })
try {
  for (let trial = 1; trial <= trials; trial++) {
    const url = redisDb(redis.url, trial)
    const cache = rand() < 0.5 ? `cache-${trial}` : 'cache-shared'
    const started = Date.now()
    const at = () => `${((Date.now() - started) / 1000).toFixed(1)} s`
    const events: string[] = []
    let output = ''
    const attach = (args: string[]) => {
      const proc = bench(args)
      proc.all.on('data', (d: Buffer) => (output += d.toString()))
      return proc
    }
    let coordinator = attach(['run', ...matrix, '--queue', url, '--runs-dir', 'queued', '--cache-dir', cache, '--no-tui'])
    let runDir: string | undefined
    const workers = new Set<ResultPromise>()
    /** Each worker's output so far, for a hang's report. */
    const workerOutput = new Map<ResultPromise, string>()
    let over = false
    const startWorker = () => {
      // A replacement scheduled before the trial ended is not started after it.
      if (over) return
      const worker = bench(['worker', '--queue', url, '--lock-ms', '1500', '--cache-dir', cache, ...(process.env.WORKER_ARGS ?? '').split(' ').filter(Boolean)])
      workers.add(worker)
      workerOutput.set(worker, '')
      worker.all.on('data', (d: Buffer) => workerOutput.set(worker, workerOutput.get(worker)! + d.toString()))
      void worker.then(() => workers.delete(worker))
    }
    for (let i = 0; i < 3; i++) startWorker()
    let workerKills = 0
    let coordinatorKilled = 0
    let restarts = 0
    let hung = false
    for (;;) {
      const ended = await Promise.race([coordinator.then(() => true), sleep(500 + rand() * 4000).then(() => false)])
      if (ended) break
      if (Date.now() - started > trialDeadlineMs) {
        hung = true
        console.log(`trial ${trial}: HUNG after ${at()} (kills and restarts: ${events.join(', ') || 'none'})`)
        console.log(`the coordinator's last output:\n${output.slice(-2000)}`)
        for (const [worker, text] of workerOutput) if (workers.has(worker)) console.log(`worker ${worker.pid}'s last output:\n${text.slice(-2000)}`)
        process.kill(-coordinator.pid!, 'SIGKILL')
        break
      }
      runDir ??= runDirOf(output)
      const draw = rand()
      if (draw < 0.15 && runDir && restarts < redisRestarts) {
        events.push(`${at()} redis restart`)
        await redis.restart()
        restarts++
      } else if (draw < 0.25 && runDir && coordinatorKilled < coordinatorKills) {
        events.push(`${at()} coordinator (${kill(coordinator)})`)
        await coordinator
        coordinatorKilled++
        await sleep(rand() * 2000)
        output = ''
        coordinator = attach(['run', '--resume', runDir, '--queue', url, '--no-tui'])
      } else if (draw < 0.75 && workerKills < 10 && workers.size > 0) {
        const list = [...workers]
        events.push(`${at()} worker (${kill(list[Math.floor(rand() * list.length)]!)})`)
        workerKills++
        setTimeout(startWorker, rand() * 3000)
      }
      if (workers.size === 0) startWorker()
    }
    over = true
    // A hang's workers may not stop after their work in flight: SIGKILL then.
    for (const worker of workers) worker.kill(hung ? 'SIGKILL' : 'SIGTERM')
    // A worker (or a CLI its wrapper left behind) still there 30 s after SIGTERM is a failure: its
    // process group is SIGKILLed, so the next trial starts clean.
    if (!(await Promise.race([Promise.all(workers).then(() => true), sleep(30_000).then(() => false)]))) {
      hung = true
      for (const worker of workers) {
        console.log(`trial ${trial}: worker ${worker.pid} did not stop within 30 s of SIGTERM; its last output:\n${workerOutput.get(worker)!.slice(-2000)}`)
        try {
          process.kill(-worker.pid!, 'SIGKILL')
        } catch {
          // Gone meanwhile.
        }
      }
      await Promise.all(workers)
    }
    const done = await coordinator
    console.log(`trial ${trial} (${cache}), kills: ${events.join(', ') || 'none'}`)
    if (hung) {
      failures++
      continue
    }
    if (done.exitCode !== 0) {
      failures++
      console.log(`trial ${trial}: the coordinator exited with ${done.exitCode}:\n${done.all.slice(-3000)}`)
      continue
    }
    if (!judge(`trial ${trial}, ${at()}`, reference, runDirOf(done.stdout) ?? runDir!)) failures++
  }
} finally {
  await redis.stop()
}
// The runs are kept to be read when one differs.
if (failures === 0) rmSync(work, { recursive: true, force: true })
console.log(failures === 0 ? 'every run equals the single-process run' : `${failures} run(s) differ: the runs are in ${work}`)
process.exitCode = failures === 0 ? 0 : 1
