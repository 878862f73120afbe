import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createProgram } from '../../../cli/program.js'
import { quietStdout } from '../../helpers/quiet-stdout.js'
import { recordedConfigChanges } from '../../../cli/recorded-config.js'
import { resolveConfig } from '../../../core/config/resolve-config.js'
import { configToJson } from '../../../core/run/provenance.js'

const root = mkdtempSync(join(tmpdir(), 'bonbench-resume-by-config-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** `bench …` through the real program, in this process. */
async function bench(...args: string[]): Promise<void> {
  const argv = ['node', 'bench', ...args]
  await quietStdout(async () => void (await (await createProgram(argv)).parseAsync(argv)))
}

const config = {
  matrix: { task: 'toy', model: 'tabular', strategies: ['rl'], nGrid: [1, 2, 4] },
  train: { steps: 10 },
  runsDir: join(root, 'runs'),
  cacheDir: join(root, 'cache'),
}
const file = join(root, 'c.json')
writeFileSync(file, JSON.stringify(config))

describe('bench run --resume --config <file>: the file only locates the run', () => {
  it('refuses every other config flag, as beside a run directory (they would be ignored by the run it finds)', async () => {
    // No run of the file yet: still refused, so the same command does the same before and after one exists.
    const refused = bench('run', '--resume', '--config', file, '--steps', '50', '--seeds', '3', '--n', '1,8', '--strategies', 'sft', '--dry-run')
    await expect(refused).rejects.toMatchObject({ code: 'BENCH_USAGE' })
    await expect(refused).rejects.toThrow(/--strategies, --steps, --n, --seeds would be ignored/)
    await expect(bench('run', 'toy', '--resume', '--config', file, '--dry-run')).rejects.toThrow(/the task 'toy' would be ignored/)
  })

  it('takes --runs-dir and --cache-dir, which locate the run (and place a new one when none is found)', async () => {
    const elsewhere = join(root, 'elsewhere-runs')
    await expect(
      bench('run', '--resume', '--config', file, '--runs-dir', elsewhere, '--cache-dir', join(root, 'elsewhere-cache'), '--dry-run', '--no-tui'),
    ).resolves.toBeUndefined()
  })
})

describe('recordedConfigChanges: what a config file gives now that the run it started did not record', () => {
  const resolved = (fileConfig: Record<string, unknown>) => resolveConfig({ file, cwd: root, fileConfig })
  const recorded = configToJson(resolved(config))

  it('names each changed setting with both values; an unchanged file, or other runs and cache folders, give none', () => {
    expect(recordedConfigChanges(recorded, resolved(config))).toEqual([])
    expect(recordedConfigChanges(recorded, resolved({ ...config, runsDir: join(root, 'elsewhere'), cacheDir: join(root, 'c2'), concurrency: 1 }))).toEqual([])
    const edited = { ...config, matrix: { ...config.matrix, strategies: ['rl', 'sft'] }, train: { steps: 20 } }
    expect(recordedConfigChanges(recorded, resolved(edited))).toEqual([
      'strategies: ["rl"] in the run, ["rl","sft"] in c.json',
      'train.steps: 10 in the run, 20 in c.json',
    ])
  })

  it('names a setting the run had from flags or a preset, which the file alone does not give', () => {
    const started = configToJson(resolveConfig({ file, cwd: root, fileConfig: config, flags: { train: { learningRate: 0.5 } } }))
    expect(recordedConfigChanges(started, resolved(config))).toEqual(['train.learningRate: 0.5 in the run, unset in c.json'])
  })
})
