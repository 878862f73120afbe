import { execa } from 'execa'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { KILL_AFTER_RECORDS_ENV } from '../../core/run/journal.js'
import { compareJournals, formatDifference } from '../helpers/compare-journals.js'
import { benchInProcess } from './cli-help.js'
import { bench, benchBin, tempDir } from './cli-helper.js'

// Issue 19 §5, as a user meets it: `bench run` is stopped with Ctrl-C (SIGINT) in the middle of a
// cell's training, exits 130, and `bench run --resume` continues that cell from the step it had
// reached (its resume point, written when the signal came) instead of step 0 — and the finished
// run's journal (step logs, checkpoint hash, pools, metrics) equals an uninterrupted run's.

const STEPS = 150
const config = {
  plugins: [
    ['math', { levels: [1] }],
    ['tiny-transformer', { layers: 1, width: 16, heads: 2, context: 32 }],
  ],
  matrix: { task: 'math', model: 'tiny-transformer', strategies: ['sft'], verifier: 'math-answer', seeds: [1] },
  // No periodic resume points: the one the resume starts from is the one written on SIGINT.
  train: { steps: STEPS, batchPrompts: 2, pretrainSteps: 4, pretrainBatch: 4, checkpointEvery: '3600s' },
  eval: { testPrompts: 2, bootstrap: 50 },
}
const CELL = 'sft-n1-t1-s1'
/** A process still running this long after its signal is hung; the test fails (no assertion on time). */
const DEADLINE_MS = 60_000
// The runs that end on their own (the uninterrupted ones, the resumes that finish, a dry run) run in
// this process: what they check is their journals and output. The run stopped with Ctrl-C starts the
// executable, and the runs the kill hook ends start the CLI.

const project = tempDir('bonbench-resume-steps-')
afterAll(() => project.cleanup())
writeFileSync(join(project.dir, 'bench.config.json'), JSON.stringify(config))

const args = (runsDir: string) => ['run', '--no-tui', '--no-reports', '--concurrency', '1', '--runs-dir', runsDir]
const trainRecords = (journal: string) =>
  existsSync(journal)
    ? readFileSync(journal, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"type":"train"') && l.includes(`"cellId":"${CELL}"`)).length
    : 0

/** The journal of the only run in `runsDir` (once it exists). */
function journalIn(runsDir: string): string | undefined {
  const dir = join(project.dir, runsDir)
  const run = existsSync(dir) ? readdirSync(dir)[0] : undefined
  return run ? join(dir, run, 'journal.jsonl') : undefined
}

describe('bench run, Ctrl-C in the middle of training, bench run --resume', () => {
  it('continues the cell from the step it reached and ends with the uninterrupted run’s journal', async () => {
    const reference = await benchInProcess(args('uninterrupted'), { cwd: project.dir })
    expect(reference.exitCode, reference.stderr + reference.stdout).toBe(0)

    // As a user runs it; SIGINT once the cell has journaled a few steps (of 150).
    const child = execa(process.execPath, [benchBin, ...args('stopped')], { cwd: project.dir, reject: false, env: { CI: 'true', NO_COLOR: '1' }, all: true })
    let journal: string | undefined
    for (;;) {
      journal = journalIn('stopped')
      if (journal && trainRecords(journal) >= 3) break
      if (child.exitCode !== null) throw new Error(`bench run ended before training: ${(await child).all}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    child.kill('SIGINT')
    const deadline = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS)
    const stopped = await child
    clearTimeout(deadline)
    expect(stopped.exitCode, stopped.all).toBe(130)
    const runDir = join(journal, '..')
    expect(stopped.stdout).toContain(`bench run --resume ${runDir}`)
    const journaled = trainRecords(journal)
    expect(journaled).toBeLessThan(STEPS)
    expect(existsSync(join(runDir, 'resume', CELL, 'bonbench-resume.json'))).toBe(true)

    const resumed = await benchInProcess(['run', '--resume', runDir, '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(resumed.exitCode, resumed.stderr + resumed.stdout).toBe(0)
    const said = /resume: (\S+) continues from step (\d+) of (\d+)/.exec(resumed.stdout + resumed.stderr)
    expect(said, resumed.stdout).not.toBeNull()
    const k = Number(said![2])
    expect(said![1]).toBe(CELL)
    expect(k).toBeGreaterThan(0)
    // The resume point holds every step the journal holds: no step is taken twice.
    expect(k).toBe(journaled)
    expect(resumed.stdout + resumed.stderr).not.toMatch(/replays from step 0/)
    expect(resumed.stdout).toMatch(/base model: loaded from cache/)
    expect(formatDifference(compareJournals(journalIn('uninterrupted')!, journal))).toBe('the journals are the same record for record')
    // Training finished: its resume point is gone.
    expect(existsSync(join(runDir, 'resume', CELL))).toBe(false)
  }, 700_000)
})

// A run killed outright (SIGKILL: no chance to write anything) goes on from its last periodic
// resume point (`train.checkpointEvery: 2`): the steps after it are taken again — with the same
// numbers, not journaled twice — in pretraining and in a cell alike. The kill is exact
// (BENCH_TEST_KILL_AFTER_RECORDS). Journal: pretraining 0–4, base pools 5–6, base cell 7, sft
// train 8–13, checkpoint 14, pools 15–16, cell 17.
const killConfig = {
  ...config,
  train: { steps: 6, batchPrompts: 2, pretrainSteps: 5, pretrainBatch: 4, checkpointEvery: 2 },
}
const KILLS = [
  // Killed once the journal holds `after` records. After pretraining step 3 (record 4): the point
  // of step 4 is not written yet, the one of step 2 is.
  { after: 4, says: 'base model: continues pretraining from step 2 of 5' },
  // After sft's step 3 (record 12): likewise.
  { after: 12, says: `resume: ${CELL} continues from step 2 of 6 (resume point` },
]

describe('bench run killed outright, bench run --resume', () => {
  const killed = tempDir('bonbench-resume-kill-')
  afterAll(() => killed.cleanup())
  writeFileSync(join(killed.dir, 'bench.config.json'), JSON.stringify(killConfig))
  const run = (runsDir: string, cacheDir: string) => ['run', '--no-tui', '--no-reports', '--concurrency', '1', '--runs-dir', runsDir, '--cache-dir', cacheDir]

  it('continues pretraining and a cell from their last periodic resume points with the uninterrupted numbers', async () => {
    const reference = await benchInProcess(run('uninterrupted', 'cache-ref'), { cwd: killed.dir })
    expect(reference.exitCode, reference.stderr + reference.stdout).toBe(0)
    const expected = join(killed.dir, 'uninterrupted', readdirSync(join(killed.dir, 'uninterrupted'))[0]!, 'journal.jsonl')
    expect(readFileSync(expected, 'utf8').trim().split('\n')).toHaveLength(18)

    let journal: string | undefined
    let before = 0
    let said: string | undefined
    for (const kill of KILLS) {
      const args = journal ? ['run', '--resume', join(journal, '..'), '--no-tui', '--no-reports'] : run('killed', 'cache-killed')
      const result = await bench(args, { cwd: killed.dir, env: { [KILL_AFTER_RECORDS_ENV]: String(kill.after - before) }, timeout: 300_000 })
      expect(result.signal, result.stderr + result.stdout).toBe('SIGKILL')
      if (said) expect(result.stdout).toContain(said)
      journal ??= join(killed.dir, 'killed', readdirSync(join(killed.dir, 'killed'))[0]!, 'journal.jsonl')
      // Killed in pretraining: the cache holds its partial entry only, never a finished base model.
      if (kill.after === 4) {
        expect(readdirSync(join(killed.dir, 'cache-killed', 'models'))).toEqual([expect.stringMatching(/^[0-9a-f]{16}\.partial$/)])
        const plan = await benchInProcess([...run('dry', 'cache-killed'), '--dry-run'], { cwd: killed.dir })
        expect(plan.stdout).toContain('base model: partly pretrained in the cache (step 2): pretraining continues from there, then cached')
      }
      before = kill.after
      said = kill.says
    }
    // Pretraining finished on the resume: the finished entry replaced the partial one.
    expect(readdirSync(join(killed.dir, 'cache-killed', 'models'))).toEqual([expect.stringMatching(/^[0-9a-f]{16}$/)])
    const resumed = await benchInProcess(['run', '--resume', join(journal!, '..'), '--no-tui', '--no-reports'], { cwd: killed.dir })
    expect(resumed.exitCode, resumed.stderr + resumed.stdout).toBe(0)
    expect(resumed.stdout).toContain(said)
    expect(resumed.stdout, resumed.stdout).toContain('steps 2–3 are taken again')
    expect(resumed.stdout + resumed.stderr).not.toMatch(/does not train deterministically/)
    expect(formatDifference(compareJournals(expected, journal!))).toBe('the journals are the same record for record')
  }, 700_000)
})
