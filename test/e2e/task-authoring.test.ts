import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { benchInProcess, benchUsageError } from './cli-help.js'
import { bench, repoRoot, tempDir } from './cli-helper.js'

// Issue 19 §6: a task author's mistakes are errors that say what to do, never silent skips.
const project = tempDir('bonbench-task-authoring-')
afterAll(() => project.cleanup())
const run = (args: string[]) => bench(args, { cwd: project.dir, timeout: 120_000 })
// The errors stop the command before it starts anything, and the dry run only plans: in this process.
const refused = (args: string[]) => benchUsageError(args, project.dir)

/**
 * The toy task with each problem's expert solution moved to `field` (absent: dropped). Plain
 * JavaScript importing the toy task from the build (dist/, what `npm ci` builds and bin/bench.js
 * runs): a .ts file would make the run below load it through tsx, a second of CPU.
 */
const toyWithExpertAs = (name: string, field?: string) => `import { toy } from ${JSON.stringify(join(repoRoot, 'dist/plugins/tasks/toy/index.js'))}

const inner = toy({})
const move = (problems) =>
  problems.map(({ expert, ...problem }) => (${JSON.stringify(field ?? null)} ? { ...problem, [${JSON.stringify(field ?? '')}]: expert } : problem))
export default {
  ...inner,
  name: 'local/${name}',
  async load(ctx) {
    const data = await inner.load(ctx)
    return { ...data, train: move(data.train), test: move(data.test) }
  },
}
`

beforeAll(() => {
  writeFileSync(join(project.dir, 'misspelled.mjs'), toyWithExpertAs('misspelled', 'expert_solution'))
  writeFileSync(join(project.dir, 'no-expert.mjs'), toyWithExpertAs('no-expert'))
  writeFileSync(
    join(project.dir, 'bench.config.json'),
    JSON.stringify({
      plugins: ['./misspelled.mjs', './no-expert.mjs', ['tiny-transformer', { layers: 1, width: 16, heads: 2, context: 32 }]],
      matrix: { model: 'tabular', nGrid: [1, 2], seeds: [0] },
      eval: { testPrompts: 2 },
    }),
  )
})

const runsLeft = () => (existsSync(join(project.dir, '.bench', 'runs')) ? readdirSync(join(project.dir, '.bench', 'runs')) : [])

describe('task authoring errors through bench run', () => {
  it('a problem field the core does not know (a misspelled expert) stops the run before it starts, naming the field and the fix', async () => {
    const result = await refused(['run', 'misspelled', '--no-tui', '--no-reports'])
    expect(result.exitCode, result.stderr).toBe(2)
    expect(result.stderr).toContain("task plugin 'local/misspelled'")
    expect(result.stderr).toMatch(/field 'expert_solution': did you mean 'expert'\?/)
    expect(runsLeft()).toEqual([])
  })

  it('--pretrain-steps 50 on a task without expert solutions is an error saying what to do (run and --dry-run); nothing is run or cached', async () => {
    for (const extra of [[], ['--dry-run']]) {
      const result = await refused(['run', 'no-expert', '--pretrain-steps', '50', '--no-tui', '--no-reports', ...extra])
      expect(result.exitCode, result.stderr).toBe(2)
      expect(result.stderr).toMatch(
        /[Pp]retraining for 50 steps was asked for .* none of the \d+ training problems of task 'local\/no-expert' has an expert solution/,
      )
      expect(result.stderr).toContain('Fix: --pretrain-steps 0')
    }
    expect(runsLeft()).toEqual([])
    expect(existsSync(join(project.dir, '.bench', 'cache', 'models'))).toBe(false)
  })

  it("without --pretrain-steps, a model's own pretraining default is skipped with a warning, and the base is cached as the untrained model it is", async () => {
    const result = await run(['run', 'no-expert', '--model', 'tiny-transformer', '--n', '1', '--concurrency', '1', '--no-tui', '--no-reports'])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout + result.stderr).toMatch(/base model: not pretrained — task 'local\/no-expert' has no expert solutions/)
    // Keyed as 0 pretraining steps: asking for none explicitly finds it in the cache.
    const plan = await benchInProcess(['run', 'no-expert', '--model', 'tiny-transformer', '--n', '1', '--pretrain-steps', '0', '--dry-run'], {
      cwd: project.dir,
    })
    expect(plan.exitCode, plan.stderr).toBe(0)
    expect(plan.stdout).toContain('base model: in the cache')
  })
})
