import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bench, tempDir } from './cli-helper.js'

// The main job end to end at the quick preset's size, but for pretraining: the real default-size
// tiny-transformer pretrained from scratch, the learned reward model, two strategies. Pretraining
// takes three quarters of a quick run, so the run pretrains 50 steps instead of the preset's 200
// (the dry run below pins those): the base model then solves a few prompts (pass@8 ≈ 10%, 14
// positives among the reward model's 2,048 labelled samples, 5 of them held out), enough for
// every assertion here.
const PRETRAIN = ['--pretrain-steps', '50']
// The runs sample on the test's own thread: a run's sampling worker threads (two on two cores, a
// pool per model: six here) each load TensorFlow.js and the model again, a sixth of the run's CPU.
// The numbers are the same at any --concurrency (e2e/resume's cache tests journal both
// bit-identically; plugins/tiny-transformer-workers tests the pool); the dry runs plan as given.
const ONE_THREAD = ['--concurrency', '1']

describe('bench run math --strategies bon-rl,sft --preset quick', () => {
  const project = tempDir('bonbench-main-')
  afterAll(() => project.cleanup())

  it('pretrains, prepares the reward model, trains both strategies, evaluates all and reports', async () => {
    const before = await bench(['run', 'math', '--strategies', 'bon-rl,sft', '--preset', 'quick', '--dry-run'], { cwd: project.dir })
    expect(before.stdout).toContain('base model: pretrained first, then cached')
    // The preset pretrains 200 steps and fine-tunes each strategy 8; the flag replaces the first.
    expect(before.stdout).toMatch(/ in 216 steps trained/)
    const shorter = await bench(['run', 'math', '--strategies', 'bon-rl,sft', '--preset', 'quick', ...PRETRAIN, '--dry-run'], { cwd: project.dir })
    expect(shorter.stdout).toMatch(/ in 66 steps trained/)
    const result = await bench(['run', 'math', '--strategies', 'bon-rl,sft', '--preset', 'quick', ...PRETRAIN, ...ONE_THREAD], { cwd: project.dir })
    expect(result.exitCode, result.stderr + result.stdout.slice(-2000)).toBe(0)
    const table = result.stdout.slice(result.stdout.indexOf('\npass@N '))
    for (const row of ['base', "bon-rl N'=4", 'sft']) expect(table).toMatch(new RegExp(`\\n${row}\\s+[\\d.]+ \\[`))
    expect(table).toMatch(/\nBo-N\s+N=1\s+N=2\s+N=4\s+N=8/)
    expect(result.stdout).toContain('pass@N against N')

    const runDir = /run directory: (.+)/.exec(result.stdout)![1]!.trim()
    for (const file of ['run.json', 'journal.jsonl', 'results.json', 'report.md', 'report.html']) expect(existsSync(join(runDir, file)), file).toBe(true)
    const records = readFileSync(join(runDir, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    const prepare = records.find((r) => r.type === 'prepare')
    expect(prepare.name).toBe('bonbench:reward-model')
    expect(prepare.facts.auc).toBeGreaterThan(0)
    expect(prepare.facts.auc).toBeLessThan(1)
    expect(records.filter((r) => r.type === 'train' && r.cellId === 'pretrain')).toHaveLength(50)
    const cells = records.filter((r) => r.type === 'cell')
    expect(cells.map((c) => c.cellId)).toEqual(['base-n1-t1-s0', 'bon-rl-n4-t1-s0', 'sft-n1-t1-s0'])
    const bonRl = cells[1].result
    expect(bonRl.training).toHaveLength(8)
    expect(bonRl.training[0].lambda).toBeCloseTo(4.9169, 3) // λ_4 by the KL-match rule
    expect(bonRl.compute.samplesDrawn).toBeGreaterThan(cells[0].result.compute.samplesDrawn)
    expect(records.filter((r) => r.type === 'checkpoint').map((r) => r.cellId)).toEqual(['bon-rl-n4-t1-s0', 'sft-n1-t1-s0'])
    // The base model is cached by content hash: a dry run knows it, and a second run loads it instead of pretraining.
    const dry = await bench(['run', 'math', '--preset', 'quick', ...PRETRAIN, '--dry-run'], { cwd: project.dir })
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.stdout).toContain('base model: in the cache (loaded, no pretraining)')
    expect(dry.stdout).toMatch(/sequences trained: 0\n/)
    const again = await bench(['run', 'math', '--preset', 'quick', ...PRETRAIN, ...ONE_THREAD, '--n', '1,2', '--test-prompts', '4', '--no-reports'], {
      cwd: project.dir,
    })
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/base model: loaded from cache/)
  }, 600_000)
})
