// `bench verify` stopped by Ctrl-C or SIGTERM (through bin/bench.js, as a user runs it): the
// verdicts already computed are saved in <results>.partial, stderr says what was saved, where,
// how many of how many and how to go on, the exit code is 130/143, and `--resume` finishes the
// verification from the saved verdicts. Once with the real Python sandbox (its hanging candidates
// killed), then with plugin verifiers that say what they saw (the abort of their signal) and one
// that ignores it (a second Ctrl-C exits at once).
import { execa } from 'execa'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { bench, benchBin, sharedData, tempDir } from './cli-helper.js'
import { alive } from '../helpers/candidate-pid.js'

/** A process still running this long after its signal is hung; the test fails (no assertion on time). */
const DEADLINE_MS = 60_000

const temps: Array<() => void> = []
afterAll(() => temps.forEach((cleanup) => cleanup()))

/** HumanEval/0, the first problem of HumanEval, as a one-line problems file. */
const problem = JSON.parse(
  gunzipSync(readFileSync(path.join(sharedData, 'humaneval/HumanEval.jsonl.gz')))
    .toString('utf8')
    .split('\n')[0]!,
) as {
  task_id: string
  canonical_solution: string
}

/** A fresh folder with the problems file, `samples` (completions of HumanEval/0) and `config`. */
function project(completions: string[], config: object): string {
  const { dir, cleanup } = tempDir('bonbench-verify-stop-')
  temps.push(cleanup)
  writeFileSync(path.join(dir, 'problems.jsonl'), `${JSON.stringify(problem)}\n`)
  writeFileSync(path.join(dir, 'samples.jsonl'), completions.map((completion) => `${JSON.stringify({ task_id: problem.task_id, completion })}\n`).join(''))
  writeFileSync(path.join(dir, 'bench.config.json'), JSON.stringify(config))
  return dir
}

const verifyArgs = (extra: string[]) => [
  'verify',
  'humaneval',
  '--data',
  'problems.jsonl',
  '--samples',
  'samples.jsonl',
  '--out',
  'results.jsonl',
  '--k',
  '1',
  ...extra,
]

// Detached: the wrapper leads its own process group, as a shell's foreground job does.
const spawnVerify = (dir: string, extra: string[]) =>
  execa(process.execPath, [benchBin, ...verifyArgs(extra)], { cwd: dir, reject: false, env: { CI: 'true', NO_COLOR: '1' }, all: true, detached: true })

async function until(what: string, ready: () => boolean, child: ReturnType<typeof spawnVerify>): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS
  while (!ready()) {
    if (child.exitCode !== null) throw new Error(`bench verify ended before ${what}: ${(await child).all}`)
    if (Date.now() > deadline) throw new Error(`no ${what} within ${DEADLINE_MS / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The process ends by itself within the deadline (killed after it, failing the test). */
async function ended(child: ReturnType<typeof spawnVerify>) {
  const deadline = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS)
  const result = await child
  clearTimeout(deadline)
  expect(result.signal, result.all).toBeUndefined()
  return result
}

const readLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)

/** Pid → [parent pid, CPU ticks used, command name] of every process, from /proc. */
function processes(): Map<number, { ppid: number; ticks: number; comm: string }> {
  const all = new Map<number, { ppid: number; ticks: number; comm: string }>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      all.set(Number(entry), {
        ppid: Number(rest[1]),
        ticks: Number(rest[11]) + Number(rest[12]),
        comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      })
    } catch {
      // Gone meanwhile.
    }
  }
  return all
}

/**
 * The Python processes under `root` that have used a fifth of a second of CPU or more: candidates
 * in `while True: pass` (the sandbox's fork servers use about 0.05 s to start, then wait idle).
 */
function spinningCandidates(root: number): number[] {
  const all = processes()
  const under = (pid: number): boolean => {
    for (let p = all.get(pid)?.ppid; p !== undefined && p > 1; p = all.get(p)?.ppid) if (p === root) return true
    return false
  }
  return [...all].filter(([pid, p]) => p.comm.startsWith('python') && p.ticks >= 20 && under(pid)).map(([pid]) => pid)
}

describe('bench verify stopped by a signal saves the verdicts so far', () => {
  it(
    'Python sandbox, Ctrl-C (SIGINT to the process group) while two candidates hang: saves the 2 verdicts, kills the candidates, exits 130',
    async () => {
      // Two correct solutions, then four that loop for ever (until the sandbox's 60 s limit).
      const dir = project([problem.canonical_solution, problem.canonical_solution, ...Array(4).fill('    while True:\n        pass\n')], {
        plugins: [['python-sandbox', { timeoutMs: 60_000 }]],
      })
      const child = spawnVerify(dir, ['--concurrency', '2'])
      // Two slots, in input order: two hanging candidates running means both solutions were verified.
      let hung: number[] = []
      await until('two hanging candidates', () => (hung = spinningCandidates(child.pid!)).length >= 2, child)
      process.kill(-child.pid!, 'SIGINT')
      const result = await ended(child)
      expect(result.exitCode, result.all).toBe(130)
      const partial = path.join(dir, 'results.jsonl.partial')
      expect(result.stderr).toContain('bench: SIGINT: stopping the verification')
      expect(result.stderr).toContain(`2 of 6 sample(s) verified (2 passed); their results are saved in ${partial}`)
      expect(result.stderr).toContain('To verify the other 4 and get pass@k, run the same command with --resume:')
      expect(result.stderr).toContain(`bench ${verifyArgs(['--concurrency', '2']).join(' ')} --resume`)
      expect(readLines(partial).map((r) => [r.completion, r.passed, r.result])).toEqual([
        [problem.canonical_solution, true, 'passed'],
        [problem.canonical_solution, true, 'passed'],
      ])
      expect(existsSync(path.join(dir, 'results.jsonl'))).toBe(false)
      // The sandbox killed what it ran.
      expect(hung.filter(alive)).toEqual([])
    },
    DEADLINE_MS + 30_000,
  )

  // Scores "good …" (passes) and "bad …" (fails) at once; "slow …" waits, while the file `hold`
  // exists, until its signal aborts (acme/stops) or for ever (acme/deaf); each score() call is
  // logged in scored.log, an abort seen in aborted.
  const verifiers = `
import { appendFileSync, existsSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
const here = (name) => fileURLToPath(new URL(name, import.meta.url))
const make = (name, wait) => ({
  name,
  kind: 'verifier',
  meta: { version: '1.0.0' },
  score: (items, ctx) =>
    Promise.all(
      items.map(async ({ completion }) => {
        appendFileSync(here('scored.log'), completion + '\\n')
        if (completion.startsWith('slow') && existsSync(here('hold'))) {
          writeFileSync(here('waiting'), '')
          await wait(ctx.signal)
          writeFileSync(here('aborted'), '')
          throw new Error('cancelled')
        }
        const pass = completion.startsWith('good')
        return { score: pass ? 1 : 0, reward: pass ? 1 : 0, pass, reason: pass ? 'passed' : 'assertion' }
      }),
    ),
})
export default [
  // A timer stands for the work it waits on (a sandbox's child process): without one, Node's event loop would run empty.
  make('acme/stops', (signal) => new Promise((resolve) => {
    const busy = setInterval(() => {}, 1000)
    const stop = () => (clearInterval(busy), resolve())
    signal.aborted ? stop() : signal.addEventListener('abort', stop, { once: true })
  })),
  make('acme/deaf', () => new Promise(() => setInterval(() => {}, 1000))),
]
`
  const completions = ['good 1', 'bad 2', 'good 3', 'slow 4', 'slow 5', 'slow 6']
  function pluginProject(): string {
    const dir = project(completions, { plugins: ['./verifiers.mjs'] })
    writeFileSync(path.join(dir, 'verifiers.mjs'), verifiers)
    writeFileSync(path.join(dir, 'hold'), '')
    return dir
  }
  const scored = (dir: string) => readFileSync(path.join(dir, 'scored.log'), 'utf8').split('\n').filter(Boolean)

  it(
    'SIGTERM: aborts the verifier through its signal, saves the 3 verdicts, exits 143; --resume verifies only the other 3 and writes the whole results',
    async () => {
      const dir = pluginProject()
      const args = ['--verifier', 'acme/stops', '--concurrency', '1']
      const child = spawnVerify(dir, args)
      await until('the slow sample', () => existsSync(path.join(dir, 'waiting')), child)
      child.kill('SIGTERM')
      const result = await ended(child)
      expect(result.exitCode, result.all).toBe(143)
      expect(existsSync(path.join(dir, 'aborted'))).toBe(true)
      const partial = path.join(dir, 'results.jsonl.partial')
      expect(result.stderr).toContain('bench: SIGTERM: stopping the verification')
      expect(result.stderr).toContain(`verification stopped by SIGTERM: 3 of 6 sample(s) verified (2 passed); their results are saved in ${partial}`)
      expect(result.stderr.endsWith(`\n  bench ${verifyArgs(args).join(' ')} --resume`)).toBe(true)
      expect(result.stdout).toBe('')
      expect(readLines(partial)).toEqual([
        { task_id: problem.task_id, completion: 'good 1', passed: true, result: 'passed' },
        { task_id: problem.task_id, completion: 'bad 2', passed: false, result: 'assertion' },
        { task_id: problem.task_id, completion: 'good 3', passed: true, result: 'passed' },
      ])
      expect(existsSync(path.join(dir, 'results.jsonl'))).toBe(false)

      rmSync(path.join(dir, 'hold'))
      const before = scored(dir).length
      const resumed = await bench(verifyArgs([...args, '--resume', '--json']), { cwd: dir, timeout: DEADLINE_MS })
      expect(resumed.exitCode, resumed.stderr).toBe(0)
      expect(resumed.stderr).toContain(`--resume: 3 verdict(s) from ${partial}; verifying the other 3`)
      expect(scored(dir).slice(before)).toEqual(['slow 4', 'slow 5', 'slow 6'])
      expect(JSON.parse(resumed.stdout)).toMatchObject({ samples: 6, passAtK: { '1': expect.closeTo(2 / 6, 12) }, verdicts: { passed: 2, assertion: 4 } })
      expect(readLines(path.join(dir, 'results.jsonl')).map((r) => [r.completion, r.passed])).toEqual(completions.map((c) => [c, c.startsWith('good')]))
      expect(existsSync(partial)).toBe(false)
    },
    2 * DEADLINE_MS,
  )

  it(
    'a second SIGINT exits at once with 130, the verdicts so far saved, when the verifier ignores its signal',
    async () => {
      const dir = pluginProject()
      const child = spawnVerify(dir, ['--verifier', 'acme/deaf', '--concurrency', '1'])
      await until('the slow sample', () => existsSync(path.join(dir, 'waiting')), child)
      let stderr = ''
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      child.kill('SIGINT')
      await until('the first stop', () => stderr.includes('stopping the verification'), child)
      child.kill('SIGINT')
      const result = await ended(child)
      expect(result.exitCode, result.all).toBe(130)
      expect(result.stderr).not.toContain('did not stop')
      expect(result.stderr.split('3 of 6 sample(s) verified (2 passed)').length - 1).toBe(1)
      expect(readLines(path.join(dir, 'results.jsonl.partial')).map((r) => r.completion)).toEqual(['good 1', 'bad 2', 'good 3'])
    },
    DEADLINE_MS + 10_000,
  )

  it('--resume without a partial results file is a usage error', async () => {
    const dir = pluginProject()
    rmSync(path.join(dir, 'hold'))
    const result = await bench(verifyArgs(['--verifier', 'acme/stops', '--resume']), { cwd: dir })
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain(`--resume: there is no ${path.join(dir, 'results.jsonl.partial')} to continue from`)
  })
})
