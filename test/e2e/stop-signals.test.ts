import { execa } from 'execa'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bench, benchBin, tempDir } from './cli-helper.js'

// Long enough that a signal sent once the journal holds its first record lands mid-run: 6 cells,
// the trained ones 150 steps each.
const config = {
  plugins: [['toy', { prompts: 160 }]],
  matrix: { task: 'toy', model: 'tabular', strategies: ['rl', 'bon-rlb'], nGrid: [1, 2, 4, 8], nTrain: [4], seeds: [0, 1] },
  train: { steps: 150, pretrainSteps: 0 },
  eval: { bootstrap: 200 },
}
const CELLS = 6
/** A process still running this long after its signal is hung; the test fails (no assertion on time). */
const DEADLINE_MS = 60_000

const project = tempDir('bonbench-signals-')
afterAll(() => project.cleanup())
writeFileSync(join(project.dir, 'bench.config.json'), JSON.stringify(config))

const readLines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [])
const cellRecords = (journal: string) =>
  readLines(journal)
    .map((l) => JSON.parse(l) as { type: string })
    .filter((r) => r.type === 'cell').length

// Detached: the wrapper leads its own process group, as a shell's foreground job does.
const spawnRun = (runsDir: string) =>
  execa(process.execPath, [benchBin, 'run', '--no-tui', '--no-reports', '--runs-dir', runsDir], {
    cwd: project.dir,
    reject: false,
    env: { CI: 'true', NO_COLOR: '1' },
    all: true,
    detached: true,
  })

/** Starts `bench run` (through bin/bench.js, as a user does) and resolves once its journal holds a record. */
async function startRun(runsDir: string): Promise<{ child: ReturnType<typeof spawnRun>; journal: string }> {
  const child = spawnRun(runsDir)
  const dir = join(project.dir, runsDir)
  // The journal is fsync'd per record: the first complete line is the event to act on.
  for (;;) {
    const runDir = existsSync(dir) ? readdirSync(dir)[0] : undefined
    if (runDir && readLines(join(dir, runDir, 'journal.jsonl')).length > 0) return { child, journal: join(dir, runDir, 'journal.jsonl') }
    if (child.exitCode !== null) throw new Error(`bench run ended before its first record: ${(await child).all}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** The run stopped cleanly or at once: every journal line but possibly the last is a whole record. */
function expectIntactJournal(journal: string): void {
  const lines = readLines(journal)
  expect(lines.length).toBeGreaterThan(0)
  const bad = lines.filter((line) => {
    try {
      JSON.parse(line)
      return false
    } catch {
      return true
    }
  })
  expect(bad.length).toBeLessThanOrEqual(1)
  if (bad.length === 1) expect(bad[0]).toBe(lines.at(-1))
}

async function expectResumeCompletes(journal: string): Promise<void> {
  const runDir = join(journal, '..')
  const resumed = await bench(['run', '--resume', runDir, '--no-tui', '--no-reports'], { cwd: project.dir, timeout: 300_000 })
  expect(resumed.timedOut).toBe(false)
  expect(resumed.exitCode, resumed.stderr + resumed.stdout).toBe(0)
  expect(cellRecords(journal)).toBe(CELLS)
}

describe('bench run stops on SIGINT and SIGTERM', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(
      `${signal}: stops scheduling, keeps the journal, prints the --resume command, exits ${code}; --resume then finishes the run`,
      async () => {
        const { child, journal } = await startRun(`runs-${signal}`)
        child.kill(signal)
        const deadline = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS)
        const result = await child
        clearTimeout(deadline)
        expect(result.signal, result.all).toBeUndefined()
        expect(result.exitCode, result.all).toBe(code)
        const runDir = join(journal, '..')
        expect(result.stdout).toContain(`bench run --resume ${runDir}`)
        expect(result.stderr).toContain(`bench: ${signal}: stopping`)
        expectIntactJournal(journal)
        // It stopped before the end: the run is interrupted, not finished.
        expect(cellRecords(journal)).toBeLessThan(CELLS)
        await expectResumeCompletes(journal)
      },
      DEADLINE_MS + 320_000,
    )
  }

  it(
    'Ctrl-C at a terminal (SIGINT to the whole process group) counts once: a clean stop, not a forced exit',
    async () => {
      const { child, journal } = await startRun('runs-group')
      process.kill(-child.pid!, 'SIGINT')
      const deadline = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS)
      const result = await child
      clearTimeout(deadline)
      expect(result.exitCode, result.all).toBe(130)
      // The line reporter's end line only comes from a clean stop (a forced exit prints the hint alone).
      expect(result.stdout).toMatch(/run \S+ interrupted after/)
      expect(result.stderr.split('stopping after the work in flight').length - 1).toBe(1)
      expect(result.stdout).toContain(`bench run --resume ${join(journal, '..')}`)
      expectIntactJournal(journal)
    },
    DEADLINE_MS + 10_000,
  )

  it(
    'a second SIGINT exits at once with 130 and the --resume command; the journal stays usable',
    async () => {
      const { child, journal } = await startRun('runs-twice')
      child.kill('SIGINT')
      child.kill('SIGINT')
      const deadline = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS)
      const result = await child
      clearTimeout(deadline)
      // Whichever comes first, the clean stop or the forced exit, the outcome is the same to the user.
      expect(result.signal, result.all).toBeUndefined()
      expect(result.exitCode, result.all).toBe(130)
      expect(result.all).toContain(`bench run --resume ${join(journal, '..')}`)
      expectIntactJournal(journal)
      await expectResumeCompletes(journal)
    },
    DEADLINE_MS + 320_000,
  )
})

// Verifiers whose score() never returns (a promise that never settles, a synchronous loop) or
// waits two minutes, for the describes below. The busy loop first creates the file named by
// BUSY_LOOP_STARTED (when set): a test acts once the loop holds the CLI, not after a guessed wait.
const hostile = tempDir('bonbench-stuck-')
afterAll(() => hostile.cleanup())
writeFileSync(
  join(hostile.dir, 'stuck.mjs'),
  [
    "import { writeFileSync } from 'node:fs'",
    'const started = () => process.env.BUSY_LOOP_STARTED && writeFileSync(process.env.BUSY_LOOP_STARTED, String(process.pid))',
    'export default [',
    "  { name: 'acme/never-settles', kind: 'verifier', meta: { version: '1.0.0' }, score: () => new Promise(() => {}) },",
    "  { name: 'acme/busy-loop', kind: 'verifier', meta: { version: '1.0.0' }, score: () => { started(); for (;;) {} } },",
    "  { name: 'acme/slow', kind: 'verifier', meta: { version: '1.0.0' }, score: () => new Promise((resolve) => setTimeout(resolve, 120_000)) },",
    ']',
    '',
  ].join('\n'),
)
writeFileSync(join(hostile.dir, 'bench.config.json'), JSON.stringify({ plugins: ['./stuck.mjs'] }))
/** The file the busy-loop verifier of a run creates as it enters its loop (BUSY_LOOP_STARTED). */
const loopMarker = (runsDir: string) => join(hostile.dir, `${runsDir}.looping`)
/** Resolves once the busy-loop verifier of `child`'s run is in its loop (the CLI's event loop is blocked from then on). */
async function looping(child: { exitCode: number | null; then: PromiseLike<{ all?: string }>['then'] }, runsDir: string): Promise<void> {
  while (!existsSync(loopMarker(runsDir))) {
    if (child.exitCode !== null) throw new Error(`bench run ended before its verifier's loop: ${(await child).all}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

// bin/bench.js runs the CLI in a child tied to it by an IPC channel: when the wrapper dies, even by
// SIGKILL, the CLI must not run on as an orphan (writing the journal, holding a queue job). Also
// when the wrapper dies while the CLI is still loading, before it listens for the channel's end,
// and (on Linux, through setpriv's parent-death signal) while a plugin hook holds the CLI in a
// synchronous loop, where nothing of its own can run. The runs wait in their verifier's score(),
// two minutes or for ever: an orphan would live that long.
describe('bench run whose bin/bench.js is SIGKILLed', () => {
  const spawnSlow = (runsDir: string, verifier = 'slow') =>
    execa(
      process.execPath,
      [
        benchBin,
        'run',
        'toy',
        '--model',
        'tabular',
        '--strategies',
        'sft',
        '--pretrain-steps',
        '1',
        '--verifier',
        verifier,
        '--runs-dir',
        runsDir,
        '--no-tui',
        '--no-reports',
      ],
      { cwd: hostile.dir, reject: false, env: { CI: 'true', NO_COLOR: '1', BUSY_LOOP_STARTED: loopMarker(runsDir) }, all: true, detached: true },
    )
  /** The wrapper's child (the CLI) as soon as it exists. */
  async function childOf(wrapper: number): Promise<number> {
    for (;;) {
      try {
        return Number(
          execFileSync('pgrep', ['-P', String(wrapper)], { encoding: 'utf8' })
            .trim()
            .split('\n')[0],
        )
      } catch {
        // pgrep exits 1 while the wrapper has no child yet.
      }
      // A short pause, not a busy loop of pgreps: the CLI takes far longer than this to load its modules.
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  /** The CLI exits well before its verifier would have returned (an orphan is then SIGKILLed here). */
  async function expectGone(pid: number): Promise<void> {
    for (const started = Date.now(); alive(pid) && Date.now() - started < 30_000;) await new Promise((resolve) => setTimeout(resolve, 50))
    const orphan = alive(pid)
    if (orphan) process.kill(pid, 'SIGKILL')
    expect(orphan, `the CLI (pid ${pid}) outlived its wrapper`).toBe(false)
  }

  /** Resolves once the pretraining step of the run in `runsDir` is journaled (its base cell's score() comes next). */
  async function pretrained(run: ReturnType<typeof spawnSlow>, runsDir: string): Promise<void> {
    const dir = join(hostile.dir, runsDir)
    for (;;) {
      const runDir = existsSync(dir) ? readdirSync(dir)[0] : undefined
      if (runDir && readLines(join(dir, runDir, 'journal.jsonl')).length > 0) return
      if (run.exitCode !== null) throw new Error(`bench run ended early: ${(await run).all}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  it('its CLI exits, whether it was mid-run or still loading its modules', async () => {
    const running = spawnSlow('mid-run')
    const cli = await childOf(running.pid!)
    // Mid-run: the pretraining step is journaled, the base cell waits in score().
    await pretrained(running, 'mid-run')
    process.kill(running.pid!, 'SIGKILL')
    await expectGone(cli)
    await running

    const early = spawnSlow('early')
    const loading = await childOf(early.pid!)
    process.kill(early.pid!, 'SIGKILL')
    await expectGone(loading)
    await early
  }, 120_000)

  it.runIf(process.platform === 'linux')(
    'its CLI exits while a plugin hook holds it in a synchronous loop (Linux)',
    async () => {
      const run = spawnSlow('looping', 'busy-loop')
      const cli = await childOf(run.pid!)
      await pretrained(run, 'looping')
      // The base cell's score() is in its loop: the CLI's event loop is blocked.
      await looping(run, 'looping')
      process.kill(run.pid!, 'SIGKILL')
      await expectGone(cli)
      await run
    },
    120_000,
  )
})

// A plugin hook that never returns must not hang `bench run` or end it without a word: one whose
// promise never settles (nothing left to run: Node would exit 13 in silence) stops the run with a
// message and the --resume command; one in a synchronous loop, which no handler in the CLI
// process can interrupt, is ended by bin/bench.js after a second Ctrl-C.
describe('bench run with a plugin hook that never returns', () => {
  const args = (verifier: string, runsDir: string) =>
    ['run', 'toy', '--model', 'tabular', '--strategies', 'sft', '--steps', '1', '--pretrain-steps', '1', '--test-prompts', '2'].concat([
      '--verifier',
      verifier,
      '--runs-dir',
      runsDir,
      '--no-tui',
      '--no-reports',
    ])
  /** The run's journal once its pretraining is journaled (the base cell's sampling comes next). */
  const journalOf = (runsDir: string) => {
    const dir = join(hostile.dir, runsDir)
    const runDir = existsSync(dir) ? readdirSync(dir)[0] : undefined
    return runDir ? join(dir, runDir, 'journal.jsonl') : undefined
  }

  it('a score() promise that never settles: exit 4 naming the cell, phase and hook, the journal kept, the --resume command', async () => {
    const result = await bench(args('never-settles', 'never'), { cwd: hostile.dir, timeout: DEADLINE_MS })
    expect(result.timedOut).toBe(false)
    expect(result.exitCode, result.stderr + result.stdout).toBe(4)
    expect(result.stderr).toMatch(
      /bench: the run stalled in cell base-n1-t1-s0 \(sample\), waiting on verifier plugin 'acme\/never-settles' score\(\): it waits on a promise that can never settle/,
    )
    const journal = journalOf('never')!
    expect(result.stderr).toContain(`bench run --resume ${join(journal, '..')}`)
    // The pretraining was journaled before the stall and stays.
    expect(readLines(journal).map((l) => (JSON.parse(l) as { type: string }).type)).toContain('train')
    expectIntactJournal(journal)
  })

  it('a score() in a synchronous loop: the second Ctrl-C ends it within seconds, exit 130 with the --resume command', async () => {
    const child = execa(process.execPath, [benchBin, ...args('busy-loop', 'busy')], {
      cwd: hostile.dir,
      reject: false,
      // The launcher's grace before it ends the stuck CLI: 300 ms instead of 2 s, the same path.
      env: { CI: 'true', NO_COLOR: '1', BUSY_LOOP_STARTED: loopMarker('busy'), BENCH_TEST_STUCK_GRACE_MS: '300' },
      all: true,
      detached: true,
    })
    // The loop starts with the base cell's scoring, after the pretraining records.
    let journal: string | undefined
    while (!(journal = journalOf('busy')) || !readLines(journal).some((l) => l.includes('"type":"train"'))) {
      if (child.exitCode !== null) throw new Error(`bench run ended early: ${(await child).all}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await looping(child, 'busy')
    process.kill(-child.pid!, 'SIGINT')
    await new Promise((resolve) => setTimeout(resolve, 300))
    process.kill(-child.pid!, 'SIGINT')
    const deadline = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), DEADLINE_MS)
    const result = await child
    clearTimeout(deadline)
    expect(result.signal, result.all).toBeUndefined()
    expect(result.exitCode, result.all).toBe(130)
    expect(result.stderr).toMatch(/did not stop within 0.3 s of a second SIGINT: something blocks it/)
    expect(result.stderr).toContain(`bench run --resume ${join(journal, '..')}`)
    expectIntactJournal(journal)
  })
})
