import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bench, repoRoot, tempDir } from './cli-helper.js'

// The exit-code contract of README "Exit codes", through the real CLI: 0 every cell finished,
// 2 misuse (whoever detects it: the parser, a config check, --dry-run), 4 a cell failed (the
// summary names it, its error and the resume command) for run, run --resume and eval.
const project = tempDir('bonbench-exit-codes-')
afterAll(() => project.cleanup())
const run = (args: string[]) => bench(args, { cwd: project.dir, timeout: 120_000 })

// The toy task without expert solutions: sft cannot train on it.
const NO_EXPERT_TASK = `import { toy } from ${JSON.stringify(join(repoRoot, 'plugins/tasks/toy/index.ts'))}

const inner = toy({})
const strip = (problems: Array<Record<string, unknown>>) => problems.map(({ expert: _expert, ...problem }) => problem)
export default {
  ...inner,
  name: 'local/no-expert',
  async load(ctx: never) {
    const data = await inner.load(ctx)
    return { ...data, train: strip(data.train as never), test: strip(data.test as never) }
  },
}
`
const THROWING_VERIFIER = `export default { name: 'local/unreachable', kind: 'verifier', meta: { version: '1.0.0' }, async score() { throw new Error('verifier service unreachable') } }\n`

beforeAll(() => {
  // An ES module project: its TypeScript plugin loads as ES modules. In a CommonJS project (none of
  // this file's concern: e2e/commonjs-project) tsx compiles it, and all it imports, to CommonJS on
  // every command: half a CPU second each.
  writeFileSync(join(project.dir, 'package.json'), JSON.stringify({ type: 'module' }))
  writeFileSync(join(project.dir, 'no-expert.ts'), NO_EXPERT_TASK)
  writeFileSync(join(project.dir, 'unreachable.mjs'), THROWING_VERIFIER)
  writeFileSync(
    join(project.dir, 'bench.config.json'),
    JSON.stringify({
      plugins: ['./no-expert.ts', './unreachable.mjs'],
      matrix: { task: 'no-expert', model: 'tabular', nGrid: [1, 2], seeds: [0] },
      train: { steps: 2 },
    }),
  )
})

// `bench run` of the project's config with the one strategy that can train on it: every cell
// finishes (exit 0). Made on first use and shared: the eval test takes its checkpoint.
let goodRun: ReturnType<typeof run> | undefined
const runGood = () => (goodRun ??= run(['run', '--strategies', 'rl', '--no-tui', '--no-reports']))

function expectFailedCellSummary(stderr: string, cellId: string, error: string): string {
  expect(stderr).toContain(`${cellId}: ${error}`)
  const resume = /bench run --resume (\S+)/.exec(stderr)
  expect(resume, stderr).not.toBeNull()
  return resume![1]!
}

describe('exit codes', () => {
  it('2 for usage errors caught by the argument parser (commander) and by bonbench alike', async () => {
    for (const args of [['run', '--n'], ['run', '--n', 'abc'], ['run', '--no-such-flag'], ['no-such-command'], ['run', 'no-such-task', '--dry-run']]) {
      const result = await run(args)
      expect(result.exitCode, `${args.join(' ')}\n${result.stderr}`).toBe(2)
      expect(result.stderr.length, args.join(' ')).toBeGreaterThan(0)
    }
    const help = await run(['run', '--help'])
    expect(help.exitCode).toBe(0)
  })

  it('2 from --dry-run when a strategy cannot train on the task, naming the cell, the strategy and the fix', async () => {
    const result = await run(['run', '--strategies', 'rl,sft', '--dry-run'])
    expect(result.exitCode, result.stderr + result.stdout).toBe(2)
    expect(result.stderr).toContain("cell sft-n1-t1-s0: strategy 'bonbench:sft' needs an expert solution")
    expect(result.stderr).toContain('Fix: drop sft from --strategies')
    expect(result.stderr).not.toContain('rl-n1-t1-s0')
    const fine = await run(['run', '--strategies', 'rl', '--dry-run'])
    expect(fine.exitCode, fine.stderr).toBe(0)
  })

  it('4 when a cell fails, for bench run and bench run --resume; 0 once every cell finished', async () => {
    const first = await run(['run', '--strategies', 'rl,sft', '--no-tui', '--no-reports'])
    expect(first.exitCode, first.stderr + first.stdout).toBe(4)
    expect(first.stderr).toContain('1 of 3 cells failed')
    const runDir = expectFailedCellSummary(first.stderr, 'sft-n1-t1-s0', "Strategy 'bonbench:sft' needs expert solutions")
    // The finished cells are still reported.
    expect(first.stdout).toMatch(/\nrl\s+[\d.]+/)

    const resumed = await run(['run', '--resume', runDir, '--no-tui', '--no-reports'])
    expect(resumed.exitCode, resumed.stderr + resumed.stdout).toBe(4)
    expect(resumed.stderr).toContain('1 of 3 cells failed')
    expectFailedCellSummary(resumed.stderr, 'sft-n1-t1-s0', "Strategy 'bonbench:sft' needs expert solutions")

    const good = await runGood()
    expect(good.exitCode, good.stderr).toBe(0)
    expect(good.stderr).not.toContain('failed')
  })

  it('4 when bench eval fails its cell', async () => {
    // A tabular checkpoint: the good run's (the config's task, n 1 and 2, 2 steps).
    const trained = await runGood()
    expect(trained.exitCode, trained.stderr).toBe(0)
    const runDir = /run directory: (.+)/.exec(trained.stdout)![1]!.trim()
    const checkpoint = join(runDir, 'checkpoints', readdirSync(join(runDir, 'checkpoints'))[0]!)
    const result = await run([
      'eval',
      'no-expert',
      '--model',
      'tabular',
      '--checkpoint',
      checkpoint,
      '--verifier',
      'local/unreachable',
      '--n',
      '1,2',
      '--no-tui',
      '--no-reports',
    ])
    expect(result.exitCode, result.stderr + result.stdout).toBe(4)
    expect(result.stderr).toContain('verifier service unreachable')
    expect(result.stderr).toMatch(/bench run --resume \S+/)
  })
})
