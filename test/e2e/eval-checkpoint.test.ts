import { cpSync, existsSync, readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { evalJournal as journal, evaluated } from '../helpers/eval-journal.js'
import { bench, tempDir, runDirOf as printedRunDir } from './cli-helper.js'

// Issue 19 §4: `bench eval` is the evaluation of `bench run`: on a run's own checkpoint it gives that cell's numbers.
// (A tiny-transformer run's, with a learned verifier and KL, in e2e/resume: it evaluates the run that file's cache tests make.)
describe('bench eval --checkpoint <run-dir>/checkpoints/<cell> reproduces the run’s cell', () => {
  const project = tempDir('bonbench-eval-')
  afterAll(() => project.cleanup())
  /** The toy run the first test makes (toy-runs also holds its evaluations: a run's eval goes to the run's runs folder). */
  let toyRun = ''

  it('toy with the tabular model, short form <run-dir>/<cell>: the same non-zero metrics; a copied folder is labelled by its path', async () => {
    const run = await bench(
      ['run', 'toy', '--model', 'tabular', '--strategies', 'sft,bon-rlb', '--n', '1,2,4', '--seeds', '3', '--runs-dir', 'toy-runs', '--no-tui', '--no-reports'],
      {
        cwd: project.dir,
      },
    )
    expect(run.exitCode, run.stderr).toBe(0)
    const runDir = printedRunDir(run.stdout)
    toyRun = runDir
    const ev = await bench(['eval', '--checkpoint', join(runDir, 'bon-rlb-n4-t1-s3'), '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(ev.exitCode, ev.stderr).toBe(0)
    const mine = evaluated(journal(printedRunDir(ev.stdout)), 'bon-rlb-n4-t1-s3')
    expect(mine).toEqual(evaluated(journal(runDir), 'bon-rlb-n4-t1-s3'))
    expect((mine.metrics as { passAtN: number[] }).passAtN[0]).toBeGreaterThan(0)
    // The evaluation is itself a run: `bench rerun` reproduces it from its record (the checkpoint included).
    const again = await bench(['rerun', printedRunDir(ev.stdout), '--runs-dir', 'toy-reruns', '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(again.exitCode, again.stderr + again.stdout).toBe(0)

    // Outside its run, the same weights are a plain checkpoint: evaluated as the config's base, named by their path.
    cpSync(join(runDir, 'checkpoints', 'sft-n1-t1-s3'), join(project.dir, 'my-sft'), { recursive: true })
    const plain = await bench(
      ['eval', 'toy', '--model', 'tabular', '--checkpoint', 'my-sft', '--n', '1,2', '--runs-dir', 'toy-runs', '--no-tui', '--no-reports'],
      {
        cwd: project.dir,
      },
    )
    expect(plain.exitCode, plain.stderr).toBe(0)
    expect(plain.stdout).toMatch(/\ncheckpoint my-sft\s+[\d.]+ \[/)
    expect(plain.stdout).not.toMatch(/\nbase\s+[\d.]+ \[/)

    // A run's checkpoint under another task or preset is a plain checkpoint too, and the note says so.
    const other = await bench(
      ['eval', 'toy', '--preset', 'quick', '--model', 'tabular', '--checkpoint', join(runDir, 'sft-n1-t1-s3'), '--n', '1,2', '--no-tui', '--no-reports'],
      {
        cwd: project.dir,
      },
    )
    expect(other.exitCode, other.stderr).toBe(0)
    expect(other.stderr).toMatch(/note: --preset differs from run \S+ .*evaluated as a plain checkpoint under the config given/)
    expect(other.stdout).toMatch(/\ncheckpoint \S*sft-n1-t1-s3\s+[\d.]+ \[/)
  })

  it('a wrong --checkpoint is a usage error (exit 2) naming the flag, and leaves no run directory behind', async () => {
    const runsBefore = readdirSync(join(project.dir, 'toy-runs')).sort()
    // Named, not the first by name: a run and its evaluation started in the same second sort by their random suffixes.
    const someRun = join('toy-runs', basename(toyRun))
    const cases: Array<[string[], RegExp]> = [
      [['--checkpoint', '/tmp/nope'], /--checkpoint \/tmp\/nope: no such folder/],
      [['--checkpoint', join(someRun, 'nosuch-cell')], /has no cell 'nosuch-cell' \(its trained cells: .*sft-n1-t1-s3/],
      [['--checkpoint', join(someRun, 'base-n1-t1-s3')], /is the run's base model, not a trained cell/],
      [['--checkpoint', someRun], /is a run directory; name one of its trained cells/],
      [['toy', '--checkpoint', 'my-sft', '--model', 'bogus-model'], /bogus-model/],
    ]
    for (const [args, message] of cases) {
      const result = await bench(['eval', ...args, '--runs-dir', 'fresh-runs', '--no-tui'], { cwd: project.dir })
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(2)
      expect(result.stderr).toMatch(message)
      expect(existsSync(join(project.dir, 'fresh-runs')), args.join(' ')).toBe(false)
    }
    expect(readdirSync(join(project.dir, 'toy-runs')).sort()).toEqual(runsBefore)
  })
})
