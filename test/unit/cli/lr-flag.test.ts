import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createProgram } from '../../../cli/program.js'
import { quietStdout } from '../../helpers/quiet-stdout.js'

const root = mkdtempSync(join(tmpdir(), 'bonbench-lr-flag-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** `bench …` through the real program, in this process. */
async function bench(...args: string[]): Promise<void> {
  const argv = ['node', 'bench', ...args]
  await quietStdout(async () => void (await (await createProgram(argv)).parseAsync(argv)))
}

function configFile(train: Record<string, unknown>): string {
  const file = join(root, `c-${Object.keys(train).join('-') || 'none'}.json`)
  const config = {
    matrix: { task: 'toy', model: 'tabular', strategies: ['rl'], nGrid: [1, 2] },
    train: { steps: 2, ...train },
    runsDir: join(root, 'runs'),
    cacheDir: join(root, 'cache'),
  }
  writeFileSync(file, JSON.stringify(config))
  return file
}

describe('bench run --lr: never silently under a strategy’s own rate in the config', () => {
  it('is refused, naming both settings, when the config gives a strategy of the run another rate (train.learningRates)', async () => {
    const file = configFile({ learningRates: { rl: 4 } })
    const refused = bench('run', '--config', file, '--lr', '0.0001', '--dry-run')
    await expect(refused).rejects.toMatchObject({ code: 'BENCH_USAGE' })
    await expect(refused).rejects.toThrow(/--lr 0\.0001 sets train\.learningRate, but .*c-learningRates\.json gives strategies their own rate over it/)
    await expect(refused).rejects.toThrow(/train\.learningRates\.rl \(4\) sets the rate of rl/)
  })

  it('runs when nothing in the config sets another rate for a strategy (the flag is every strategy’s rate)', async () => {
    await expect(bench('run', '--config', configFile({ learningRate: 4 }), '--lr', '0.0001', '--dry-run', '--no-tui')).resolves.toBeUndefined()
    await expect(bench('run', '--config', configFile({ learningRates: { rl: 4 } }), '--lr', '4', '--dry-run', '--no-tui')).resolves.toBeUndefined()
  })
})
