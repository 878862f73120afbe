import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bench, repoRoot, tempDir } from './cli-helper.js'

// A sampling-only model (docs/examples/answer-list-model.ts: no update, clone, save or load) through
// the real CLI: `--dry-run` with a strategy exits 2 naming the cell, the model and the fix (it
// passed with an estimate that trained it); the run evaluates the base and fails the training cell
// with the same words (it said "has no clone()"); neither pretrains it, although the quick preset
// asks for pretraining steps.
const project = tempDir('bonbench-untrainable-cli-')
afterAll(() => project.cleanup())
const run = (args: string[]) => bench(args, { cwd: project.dir, timeout: 120_000 })
const common = ['toy', '--model', 'answer-list', '--preset', 'quick', '--n', '1', '--seeds', '0', '--concurrency', '1']

beforeAll(() => {
  writeFileSync(join(project.dir, 'bench.config.json'), JSON.stringify({ plugins: [join(repoRoot, 'docs/examples/answer-list-model.ts')] }))
})

describe('a model that cannot train, through bench run', () => {
  it('--dry-run exits 2 for a cell that trains, naming the cell, the model and the fix; without strategies it plans no pretraining', async () => {
    const refused = await run(['run', ...common, '--strategies', 'rl', '--dry-run'])
    expect(refused.exitCode, refused.stderr + refused.stdout).toBe(2)
    expect(refused.stderr).toContain("cell rl-n1-t1-s0: model 'my-lab/answer-list' cannot train")
    expect(refused.stderr).toContain('Fix: use a trainable model (--model tiny-transformer or tabular), or evaluate this model only: no --strategies')
    expect(refused.stdout).not.toContain('estimated time')

    const evalOnly = await run(['run', ...common, '--dry-run'])
    expect(evalOnly.exitCode, evalOnly.stderr).toBe(0)
    expect(evalOnly.stdout).toContain('sequences trained: 0')
    expect(evalOnly.stdout).not.toMatch(/estimate basis: .*pretraining/)
  })

  it('a run fails the training cell with the same message (exit 4), evaluates the base, and shows no pretraining phase', async () => {
    const result = await run(['run', ...common, '--strategies', 'rl', '--no-tui', '--no-reports'])
    expect(result.exitCode, result.stderr + result.stdout).toBe(4)
    expect(result.stderr).toContain("rl-n1-t1-s0: Model 'my-lab/answer-list' cannot train")
    expect(result.stderr).toContain('Fix: use a trainable model (--model tiny-transformer or tabular)')
    expect(result.stderr).not.toContain('has no clone()')
    expect(result.stdout).not.toContain('[pretrain]')
    expect(result.stdout).toContain('[base] done')
  })
})
