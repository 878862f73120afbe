import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bench, tempDir } from './cli-helper.js'

// After a run, the rates it measured are kept per (model, backend, cores) under the cache dir and
// the next estimate's basis line names them (by run id) instead of the declared throughput.
describe('measured rates for the time estimate', () => {
  const project = tempDir('bonbench-rates-')
  afterAll(() => project.cleanup())
  const args = ['run', 'toy', '--model', 'tabular', '--strategies', 'sft', '--n', '1,2', '--seeds', '1', '--no-reports', '--no-tui', '--concurrency', '1']

  it('the first run estimates from declared rates and writes the rates file; the second names the first run', async () => {
    const cache = join(project.dir, 'cache')
    const first = await bench([...args, '--cache-dir', cache], { cwd: project.dir })
    expect(first.exitCode, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/estimate basis: .*declared throughput/)
    expect(first.stdout).not.toMatch(/estimate basis: .*measured by run/)
    const file = join(cache, 'throughput', 'bonbench_tabular-bonbench_toy-auto-1.json')
    expect(existsSync(file)).toBe(true)
    const rates = JSON.parse(readFileSync(file, 'utf8'))
    const runId = /^run (\S+):/m.exec(first.stdout)![1]!
    expect(rates.evalSample).toMatchObject({ runId })
    expect(rates.evalSample.seconds).toBeGreaterThan(0)

    const dry = await bench([...args, '--cache-dir', cache, '--dry-run'], { cwd: project.dir })
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.stdout).toContain(`evaluation at rates measured by run ${runId}`)
  })
})
