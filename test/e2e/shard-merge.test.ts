import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { expectSameJournal } from '../helpers/compare-journals.js'
import { onlyJournal, tinyMathArgs, writeTinyMathConfig } from '../helpers/tiny-math-run.js'
import { benchInProcess, benchUsageError } from './cli-help.js'
import { bench, tempDir, runDirOf, SIXTEEN_CELLS } from './cli-helper.js'

// Issue 16 §3: `bench run --shard i/n` runs a deterministic part of the cells; `bench merge` joins
// the shards into one run whose journal and results equal an unsharded run's, record for record.
// 16 cells of small records (cli-helper.ts's SIXTEEN_CELLS, as e2e/queue-mode's).
const MATRIX = SIXTEEN_CELLS

/** results.json's cells without wall times (the one thing that differs between runs). */
function resultCells(runDir: string): unknown {
  const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as { cells: unknown[] }
  return JSON.parse(JSON.stringify(results.cells, (k, v: unknown) => (k === 'wallMs' ? undefined : v)))
}

describe('bench run --shard and bench merge', () => {
  const project = tempDir('bonbench-shard-')
  afterAll(() => project.cleanup())
  const shardDirs: string[] = []

  it('three shards, each with its own cache (three machines), merge into the unsharded run record for record', async () => {
    // The unsharded run in this process (what it checks is its journal and results); each shard, a machine of its own, starts the CLI.
    const whole = await benchInProcess(['run', ...MATRIX, '--runs-dir', 'whole', '--cache-dir', 'cache-whole', '--no-tui'], { cwd: project.dir })
    expect(whole.exitCode, whole.stderr).toBe(0)
    const wholeDir = runDirOf(whole.stdout)
    const planned = (JSON.parse(readFileSync(join(wholeDir, 'run.json'), 'utf8')) as { cells: Array<{ cellId: string }> }).cells.map((c) => c.cellId)
    expect(planned.length).toBe(16)

    const owned: string[][] = []
    for (const i of [1, 2, 3]) {
      const shard = await bench(['run', ...MATRIX, '--shard', `${i}/3`, '--runs-dir', `shard-${i}`, '--cache-dir', `cache-${i}`, '--no-tui', '--no-reports'], {
        cwd: project.dir,
      })
      expect(shard.exitCode, shard.stderr).toBe(0)
      const dir = runDirOf(shard.stdout)
      shardDirs.push(dir)
      const manifest = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { cells: Array<{ cellId: string }>; shard: unknown }
      expect(manifest.shard).toEqual({ index: i, count: 3, plan: planned })
      owned.push(manifest.cells.map((c) => c.cellId))
    }
    // Disjoint, round-robin over the plan, together every cell.
    expect(owned.flat().sort()).toEqual([...planned].sort())
    expect(owned[1]).toEqual(planned.filter((_, p) => p % 3 === 1))

    // Any order on the command line.
    const merged = await benchInProcess(['merge', shardDirs[2]!, shardDirs[0]!, shardDirs[1]!, '--out', 'merged'], { cwd: project.dir })
    expect(merged.exitCode, merged.stderr).toBe(0)
    expect(merged.stdout).toContain('merged 3 shards (16 cells)')
    const mergedDir = join(project.dir, 'merged')
    expectSameJournal(join(wholeDir, 'journal.jsonl'), join(mergedDir, 'journal.jsonl'))
    expect(resultCells(mergedDir)).toEqual(resultCells(wholeDir))
    const report = await benchInProcess(['report', mergedDir, '--format', 'md'], { cwd: project.dir })
    expect(report.stdout).toContain('16 of 16 cells finished')
  }, 300_000)

  it('refuses a missing shard, a shard given twice and a run that is no shard, naming each', async () => {
    const missing = await benchUsageError(['merge', shardDirs[0]!, shardDirs[2]!, '--out', 'm1'], project.dir)
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain('shard 2/3 missing')
    const twice = await benchUsageError(['merge', shardDirs[0]!, shardDirs[0]!, shardDirs[1]!, '--out', 'm2'], project.dir)
    expect(twice.exitCode).toBe(2)
    expect(twice.stderr).toContain('shard 1/3 is given twice')
    const plain = await benchUsageError(['merge', join(project.dir, 'merged'), '--out', 'm3'], project.dir)
    expect(plain.exitCode).toBe(2)
    expect(plain.stderr).toContain('is not a shard run')
    const bad = await benchUsageError(['run', ...MATRIX, '--shard', '4/3'], project.dir)
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain('--shard: give i/n with 1 ≤ i ≤ n')
  }, 120_000)
})

describe('bench merge of shards whose tabular cells met different prompts before', () => {
  const project = tempDir('bonbench-shard-tabular-')
  afterAll(() => project.cleanup())

  it('journals the checkpoint hashes of the unsharded run (a checkpoint holds no entry the model only met)', async () => {
    // No pretraining: the base model's table holds only what earlier cells of the same process met —
    // in the unsharded run the base cell's test prompts, in a one-cell shard nothing
    // (the table is the run's own: the unsharded run runs in this process, each shard in a process of its own).
    const small = ['toy', '--model', 'tabular', '--strategies', 'sft,bon-rlb', '--n-train', '2', '--n', '1,2', '--seeds', '1', '--temperatures', '1']
    const args = [...small, '--pretrain-steps', '0', '--steps', '3', '--batch-prompts', '2', '--no-tui', '--no-reports']
    const whole = await benchInProcess(['run', ...args, '--runs-dir', 'whole'], { cwd: project.dir })
    expect(whole.exitCode, whole.stderr).toBe(0)
    const dirs: string[] = []
    for (const i of [1, 2, 3]) {
      const shard = await bench(['run', ...args, '--shard', `${i}/3`, '--runs-dir', `shard-${i}`], { cwd: project.dir })
      expect(shard.exitCode, shard.stderr).toBe(0)
      dirs.push(runDirOf(shard.stdout))
    }
    const merged = await benchInProcess(['merge', ...dirs, '--out', 'merged'], { cwd: project.dir })
    expect(merged.exitCode, merged.stderr).toBe(0)
    const journal = join(runDirOf(whole.stdout), 'journal.jsonl')
    expect(readFileSync(journal, 'utf8').match(/"type":"checkpoint"/g)).toHaveLength(2)
    expectSameJournal(journal, join(project.dir, 'merged', 'journal.jsonl'))
  }, 120_000)
})

describe('bench run --dry-run --shard', () => {
  const project = tempDir('bonbench-shard-dry-')
  afterAll(() => project.cleanup())

  it("prints only that shard's cells and their estimate, and creates nothing", async () => {
    const whole = await benchInProcess(['run', ...MATRIX, '--dry-run'], { cwd: project.dir })
    const shard = await benchInProcess(['run', ...MATRIX, '--dry-run', '--shard', '2/3'], { cwd: project.dir })
    expect(whole.exitCode, whole.stderr).toBe(0)
    expect(shard.exitCode, shard.stderr).toBe(0)
    const cellsOf = (stdout: string) => [...stdout.matchAll(/^ {2}(\S+) +strategy=/gm)].map((m) => m[1]!)
    const planned = cellsOf(whole.stdout)
    expect(planned).toHaveLength(16)
    expect(shard.stdout).toContain('plan: shard 2/3: 5 of 16 cells')
    expect(cellsOf(shard.stdout)).toEqual(planned.filter((_, p) => p % 3 === 1))
    const samples = (stdout: string) => Number(/samples to draw: (\d+)/.exec(stdout)![1])
    expect(samples(shard.stdout)).toBeGreaterThan(0)
    expect(samples(shard.stdout)).toBeLessThan(samples(whole.stdout))
    expect(existsSync(join(project.dir, '.bench', 'runs'))).toBe(false)
  }, 60_000)
})

describe('bench merge with a pretrained base model and a learned verifier', () => {
  const project = tempDir('bonbench-shard-math-')
  afterAll(() => project.cleanup())
  writeTinyMathConfig(project.dir)

  it('journals the shared pretraining and preparation once, from shards that built or loaded the same base model', async () => {
    const whole = await benchInProcess(tinyMathArgs({ runsDir: 'whole', cacheDir: 'cache-whole', concurrency: 1 }), { cwd: project.dir })
    expect(whole.exitCode, whole.stderr).toBe(0)
    // Shard 1 pretrains into the shared cache; shard 2 loads the base model and the verifier from it.
    const dirs: string[] = []
    for (const i of [1, 2]) {
      const shard = await bench([...tinyMathArgs({ runsDir: `shard-${i}`, cacheDir: 'cache-shared', concurrency: 1 }), '--shard', `${i}/2`], {
        cwd: project.dir,
      })
      expect(shard.exitCode, shard.stderr).toBe(0)
      dirs.push(join(onlyJournal(join(project.dir, `shard-${i}`)), '..'))
    }
    expect(readFileSync(join(dirs[1]!, 'journal.jsonl'), 'utf8')).toContain('"cellId":"pretrain"')
    const merged = await benchInProcess(['merge', ...dirs, '--out', 'merged', '--no-reports'], { cwd: project.dir })
    expect(merged.exitCode, merged.stderr).toBe(0)
    expectSameJournal(onlyJournal(join(project.dir, 'whole')), join(project.dir, 'merged', 'journal.jsonl'))
  }, 300_000)
})
