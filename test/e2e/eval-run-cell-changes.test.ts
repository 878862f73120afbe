import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { evalJournal as journal, type EvalRecord } from '../helpers/eval-journal.js'
import { benchInProcess, benchUsageError } from './cli-help.js'
import { tempDir, runDirOf as printedRunDir } from './cli-helper.js'

const config = (toy: Record<string, unknown>) =>
  JSON.stringify({ plugins: [['toy', toy]], matrix: { task: 'toy', model: 'tabular', strategies: ['rl'], nGrid: [1, 2, 4], temperatures: [1], seeds: [0] } })

// Review findings: `bench eval --checkpoint <run-dir>/<cell>` of a run whose config file changed, at
// another temperature or seed, over a larger N grid, and with its config file moved.
describe('bench eval of a run’s cell: the run’s numbers, or a refusal that says what to do', () => {
  const project = tempDir('bonbench-eval-cell-')
  const cfg = join(project.dir, 'cfg.json')
  let cell = ''
  let runDir = ''
  afterAll(() => project.cleanup())
  beforeAll(async () => {
    writeFileSync(cfg, config({ prompts: 32 }))
    // Every command runs in this process (benchInProcess, benchUsageError): what they check is their output and records.
    const run = await benchInProcess(['run', '--config', 'cfg.json', '--runs-dir', 'runs', '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(run.exitCode, run.stderr).toBe(0)
    runDir = printedRunDir(run.stdout)
    cell = join(runDir, 'rl-n1-t1-s0')
  })
  const evaluate = (args: string[]) =>
    benchInProcess(['eval', '--checkpoint', cell, '--runs-dir', 'evals', '--no-tui', '--no-reports', ...args], { cwd: project.dir })
  // A refusal comes before any work: the CLI's own command-line runner in this process (no Node start).
  const refuse = (args: string[]) => benchUsageError(['eval', '--checkpoint', cell, '--runs-dir', 'evals', '--no-tui', '--no-reports', ...args], project.dir)
  const evals = () => (existsSync(join(project.dir, 'evals')) ? readdirSync(join(project.dir, 'evals')).length : 0)

  it('a config file whose plugin options changed since the run is refused (exit 2), naming each change and the plain evaluation', async () => {
    for (const toy of [{ prompts: 40 }, { prompts: 32, seed: 5 }]) {
      writeFileSync(cfg, config(toy))
      const before = evals()
      const ev = await refuse([])
      expect(ev.exitCode, ev.stderr).toBe(2)
      expect(ev.stderr).toMatch(/cannot evaluate rl-n1-t1-s0 of run \S+ with its recorded config: it would not evaluate what the run recorded in run\.json:/)
      expect(ev.stderr).toContain(`  - task bonbench:toy has other options here (`)
      expect(ev.stderr).toContain(`Restore what changed (the config file ${cfg}, the plugin, the data)`)
      expect(ev.stderr).not.toMatch(/evaluating rl-n1-t1-s0/)
      expect(evals()).toBe(before)
      // The way out it names runs, and labels the weights by their path, not as the run's cell.
      const plain = /without the run's claims: bench eval (.+)/.exec(ev.stderr)![1]!.split(' ')
      const asPlain = await benchInProcess(['eval', ...plain, '--runs-dir', 'evals', '--no-tui', '--no-reports'], { cwd: project.dir })
      expect(asPlain.exitCode, asPlain.stderr).toBe(0)
      expect(asPlain.stdout).toMatch(/\ncheckpoint \S*rl-n1-t1-s0\s+[\d.]+ \[/)
    }
    writeFileSync(cfg, config({ prompts: 32 }))
  })

  it('a temperature or seed other than the cell’s is refused (the weights would be labelled as another cell); the cell’s own are the run’s numbers', async () => {
    const before = evals()
    for (const [args, line] of [
      [['--temperatures', '0.5'], / {2}- --temperatures 0\.5: the cell was trained \(and the run evaluated it\) at temperature 1\n/],
      [['--seeds', '1'], / {2}- --seeds 1: the cell was trained \(and the run evaluated it\) with seed 0\n/],
      [['--temperatures', '1,0.5'], / {2}- --temperatures 1,0\.5: /],
    ] as const) {
      const ev = await refuse([...args])
      expect(ev.exitCode, `${args.join(' ')}: ${ev.stderr}`).toBe(2)
      expect(ev.stderr).toMatch(/cannot evaluate rl-n1-t1-s0 of run \S+ at other settings than its own/)
      expect(ev.stderr).toMatch(line)
      expect(ev.stderr).toContain(`--config ${cfg} ${args.join(' ')}`)
    }
    expect(evals()).toBe(before)
    const own = await evaluate(['--temperatures', '1', '--seeds', '0'])
    expect(own.exitCode, own.stderr).toBe(0)
    const records = journal(printedRunDir(own.stdout))
    expect(records.filter((r) => r.type === 'cell').map((r) => r.cellId)).toEqual(['rl-n1-t1-s0'])
    const metrics = (j: EvalRecord[]) => j.find((r) => r.type === 'cell' && r.cellId === 'rl-n1-t1-s0')!.result!.metrics
    expect(metrics(records)).toEqual(metrics(journal(runDir)))
  })

  it('an N grid beyond the run’s pools draws pools of 2 × its largest N (said); the run’s grid keeps the run’s pool size', async () => {
    const larger = await evaluate(['--n', '1,2,4,8,16'])
    expect(larger.exitCode, larger.stderr).toBe(0)
    expect(larger.stderr).toMatch(/note: --n 1,2,4,8,16 needs pools of at least 16 samples and run \S+ drew 8: rl-n1-t1-s0 is evaluated with pools of 32/)
    const evaluated = JSON.parse(readFileSync(join(printedRunDir(larger.stdout), 'run.json'), 'utf8')).provenance.config
    expect(evaluated).toMatchObject({ nGrid: [1, 2, 4, 8, 16], poolSize: 32 })
    const same = await evaluate(['--n', '1,2,4'])
    expect(same.exitCode, same.stderr).toBe(0)
    expect(same.stderr).not.toMatch(/needs pools/)
    expect(JSON.parse(readFileSync(join(printedRunDir(same.stdout), 'run.json'), 'utf8')).provenance.config.poolSize).toBe(8)
  })

  it('a recorded config file that is gone is named as the run’s, not as one given by --config', async () => {
    renameSync(cfg, join(project.dir, 'moved.json'))
    try {
      const ev = await refuse([])
      expect(ev.exitCode, ev.stderr).toBe(2)
      expect(ev.stderr).toContain(`the config file the run recorded, ${cfg}, is not there`)
      expect(ev.stderr).not.toMatch(/given by --config/)
    } finally {
      renameSync(join(project.dir, 'moved.json'), cfg)
    }
  })
})
