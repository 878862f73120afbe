import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { benchHelp, benchInProcess } from './cli-help.js'
import { bench, tempDir } from './cli-helper.js'

describe('bench run toy --model tabular', () => {
  const project = tempDir('bonbench-toy-')
  afterAll(() => project.cleanup())

  it('trains every strategy from the base, evaluates all, prints the table and writes the run directory', async () => {
    const result = await benchInProcess(['run', 'toy', '--model', 'tabular', '--strategies', 'sft,bon-rlb', '--n', '1,2,4,8', '--seeds', '3', '--no-reports'], {
      cwd: project.dir,
    })
    expect(result.exitCode, result.stderr).toBe(0)
    const out = result.stdout
    const table = out.slice(out.indexOf('\npass@N '))
    expect(table).toMatch(/\nbase\s+[\d.]+ \[/)
    expect(table).toMatch(/\nsft\s+[\d.]+ \[/)
    expect(table).toMatch(/\nbon-rlb N'=4\s+[\d.]+ \[/)
    expect(out).toContain('Bo-N accuracy against N')
    const runDir = /run directory: (.+)/.exec(out)![1]!.trim()
    const manifest = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'))
    expect(manifest).toMatchObject({ version: 2, provenance: { node: process.version, seeds: { matrix: [3] } } })
    expect(manifest.cells.map((c: { cellId: string }) => c.cellId)).toEqual(['base-n1-t1-s3', 'sft-n1-t1-s3', 'bon-rlb-n4-t1-s3'])
    const names = manifest.provenance.plugins.map((p: { name: string; version: string }) => `${p.name}@${p.version}`)
    expect(names).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^bonbench:toy@/),
        expect.stringMatching(/^bonbench:tabular@/),
        expect.stringMatching(/^bonbench:bon-rlb@/),
      ]),
    )
    const records = readFileSync(join(runDir, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    const cells = records.filter((r) => r.type === 'cell')
    expect(cells).toHaveLength(3)
    const [base, sft] = cells
    expect(base.result.metrics.grid).toEqual([1, 2, 4, 8])
    // pass@N never falls with N, and Bo-N with an oracle verifier equals pass@N.
    for (const c of cells) {
      const m = c.result.metrics
      for (let i = 1; i < m.grid.length; i++) expect(m.passAtN[i]).toBeGreaterThanOrEqual(m.passAtN[i - 1])
      m.passAtN.forEach((v: number, i: number) => expect(m.bestOfN[i]).toBeCloseTo(v, 12))
      expect(c.result.compute.samplesDrawn).toBeGreaterThan(0)
    }
    // Training happened and was journaled; SFT on correct answers raises pass@1 on this task.
    expect(records.filter((r) => r.type === 'train' && r.cellId === sft.cellId)).toHaveLength(sft.result.training.length)
    expect(sft.result.training.length).toBeGreaterThan(0)
    expect(sft.result.metrics.pass1).toBeGreaterThan(base.result.metrics.pass1)
  })

  it('trains each strategy at its own learning rate from train.learningRates', async () => {
    const dir = join(project.dir, 'rates')
    mkdirSync(dir, { recursive: true })
    // sft at a negligible rate stays the base model; bon-rlb keeps train.learningRate (the tabular default would be 4).
    writeFileSync(
      join(dir, 'bench.config.json'),
      JSON.stringify({
        matrix: { task: 'toy', model: 'tabular', strategies: ['sft', 'bon-rlb'], nGrid: [1, 4], seeds: [2] },
        train: { steps: 20, learningRate: 4, learningRates: { sft: 1e-9 } },
      }),
    )
    const result = await benchInProcess(['run', '--no-reports'], { cwd: dir })
    expect(result.exitCode, result.stderr).toBe(0)
    const runDir = /run directory: (.+)/.exec(result.stdout)![1]!.trim()
    const cells = readFileSync(join(runDir, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((r) => r.type === 'cell')
    const pass1 = Object.fromEntries(cells.map((c) => [c.result.key.strategy, c.result.metrics.pass1]))
    expect(Math.abs(pass1.sft - pass1.base)).toBeLessThan(0.05)
    expect(pass1['bon-rlb']).toBeGreaterThan(pass1.base + 0.15)
    // A rate for a strategy the run does not train is a config error naming the run's strategies.
    writeFileSync(
      join(dir, 'bench.config.json'),
      JSON.stringify({ matrix: { task: 'toy', model: 'tabular', strategies: ['sft'] }, train: { learningRates: { 'bon-rl': 1e-3 } } }),
    )
    const bad = await benchInProcess(['run', '--dry-run'], { cwd: dir })
    expect(bad.exitCode).not.toBe(0)
    expect(bad.stderr).toMatch(/train\.learningRates names 'bon-rl', not a strategy of this run \(sft\)/)
  })

  it('--dry-run prints the plan without running it', async () => {
    const result = await benchInProcess(['run', 'toy', '--model', 'tabular', '--strategies', 'rl,bon-rl', '--n-train', '2,4', '--seeds', '0,1', '--dry-run'], {
      cwd: project.dir,
    })
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/plan: 8 cells/) // (base + rl + bon-rl × 2 N′) × 2 seeds
    expect(result.stdout).toMatch(/samples to draw: \d+/)
    expect(result.stdout).toMatch(/estimated time: /)
  })

  it.each([
    [['run', 'nosuchtask'], /No task plugin named 'nosuchtask'. Known tasks: .*bonbench:toy/],
    [['run', 'toy', '--n', '1,x'], /--n: each N must be an integer ≥ 1 \(got 'x'\)/],
    [['run', 'toy', '--model', 'tabular', '--preset', 'huge'], /Unknown preset 'huge'/],
    [['run', '--resume', '/nonexistent/run'], /not a run directory/],
    [['run', 'toy', '--bogus'], /unknown option '--bogus'/],
  ])('bench %j fails with a message that says what to do', async (args, message) => {
    const result = await benchInProcess(args, { cwd: project.dir })
    expect(result.exitCode).not.toBe(0)
    expect(result.stderr).toMatch(message)
  })

  it('has --help on every command and --version', async () => {
    // --version rendered in this process: e2e/flags-cli starts the executable for -V.
    const version = await benchHelp(['--version'])
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')).version)
    const help = await bench(['--help'], { cwd: project.dir })
    const commands = [...help.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!).filter((c) => c !== 'help')
    expect(commands).toEqual(expect.arrayContaining(['run', 'list', 'eval']))
    // The executable started for one command's help; every command's, rendered in this process
    // by the program the executable builds for `bench <command> --help`.
    const run = await bench(['run', '--help'], { cwd: project.dir })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/Usage: bench run/)
    for (const command of commands) {
      const sub = await benchHelp([command, '--help'])
      expect(sub.exitCode).toBe(0)
      expect(sub.stdout).toMatch(new RegExp(`Usage: bench ${command}`))
      if (command === 'run') expect(sub.stdout).toBe(`${run.stdout}\n`) // execa strips the final newline
    }
  })

  it("bench run --help and bench list name each strategy's selection judge, and call r-selected bon-rlb biased", async () => {
    const run = await benchHelp(['run', '--help'])
    expect(run.stdout).toMatch(/^ {2}bon-rlb +reward$/m)
    expect(run.stdout).toMatch(/^ {2}bon-rl +verifier$/m)
    expect(run.stdout).toMatch(/^ {2}sft +none$/m)
    expect(run.stdout).toMatch(/select: 'verifier' pick by r instead: BIASED, not the gradient of pass@N/)
    const list = await benchInProcess(['list', '--kind', 'strategy', '--json'], { cwd: project.dir })
    const judges = Object.fromEntries((JSON.parse(list.stdout) as Array<{ name: string; selection: string }>).map((r) => [r.name, r.selection]))
    expect(judges).toMatchObject({
      'bonbench:bon-rlb': 'reward',
      'bonbench:bon-rlb-p': 'reward',
      'bonbench:bon-rl-s': 'reward',
      'bonbench:bon-rl-v': 'verifier',
      'bonbench:vbon': 'none',
    })
  })
})
