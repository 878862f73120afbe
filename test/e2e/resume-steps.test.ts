import { execa } from 'execa'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { compareJournals, formatDifference } from '../helpers/compare-journals.js'
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
    const reference = await bench(args('uninterrupted'), { cwd: project.dir, timeout: 300_000 })
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

    const resumed = await bench(['run', '--resume', runDir, '--no-tui', '--no-reports'], { cwd: project.dir, timeout: 300_000 })
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
