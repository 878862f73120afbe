import { execa } from 'execa'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bench, repoRoot, tempDir } from './cli-helper.js'

// A third-party package installed into a fresh project, exactly as a user would: a file:
// dependency on test/fixtures/bonbench-plugin-dice, found by `bench list` and used by `bench run`.
describe('an installed bonbench-plugin-* package', () => {
  const project = tempDir('bonbench-project-')
  beforeAll(async () => {
    writeFileSync(
      join(project.dir, 'package.json'),
      JSON.stringify({
        name: 'my-study',
        private: true,
        dependencies: { 'bonbench-plugin-dice': `file:${join(repoRoot, 'test/fixtures/bonbench-plugin-dice')}` },
      }),
    )
    await execa('npm', ['install', '--no-audit', '--no-fund', '--offline'], { cwd: project.dir })
  })
  afterAll(() => project.cleanup())

  it('is found by bench list without any config', async () => {
    const result = await bench(['list', '--json'], { cwd: project.dir })
    expect(result.exitCode, result.stderr).toBe(0)
    const rows = JSON.parse(result.stdout) as Array<{ kind: string; name: string; source: string; version: string }>
    const dice = rows.filter((r) => r.source === 'npm:bonbench-plugin-dice@1.2.3')
    expect(dice.map((r) => `${r.kind} ${r.name}`).sort()).toEqual([
      'model bonbench-plugin-dice/roller',
      'task bonbench-plugin-dice/dice',
      'verifier bonbench-plugin-dice/sum',
    ])
    expect(dice.every((r) => r.version === '1.2.3')).toBe(true)
    // Built-ins are listed beside it.
    expect(rows.some((r) => r.name === 'bonbench:math' && r.source === 'built-in')).toBe(true)
  })

  it('is used by bench run through the config', async () => {
    writeFileSync(
      join(project.dir, 'bench.config.json'),
      JSON.stringify({
        plugins: [['bonbench-plugin-dice', { faces: 4 }]],
        matrix: { task: 'dice', model: 'roller', nGrid: [1, 2, 4] },
        train: { pretrainSteps: 0 },
      }),
    )
    const result = await bench(['run', '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(result.exitCode, result.stderr + result.stdout).toBe(0)
    const runDir = /run directory: (.+)/.exec(result.stdout)![1]!.trim()
    const manifest = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'))
    const task = manifest.provenance.plugins.find((p: { name: string }) => p.name === 'bonbench-plugin-dice/dice')
    expect(task).toMatchObject({ kind: 'task', version: '1.2.3', options: { faces: 4 }, source: 'npm:bonbench-plugin-dice@1.2.3' })
    const records = readFileSync(join(runDir, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    const pools = records.filter((r) => r.type === 'pool')
    // faces: 4 → 12 problems, the odd-indexed half are test prompts; pool 2 × max N = 8.
    expect(pools).toHaveLength(6)
    expect(pools.every((p) => p.samples.length === 8)).toBe(true)
    const cell = records.find((r) => r.type === 'cell')
    expect(cell.result.metrics.grid).toEqual([1, 2, 4])
    expect(cell.result.metrics.passAtN[2]).toBeGreaterThanOrEqual(cell.result.metrics.passAtN[0])
  })
})
