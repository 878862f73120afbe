import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createProgram } from '../../../cli/program.js'
import { quietStdout } from '../../helpers/quiet-stdout.js'

// README "Commands": a flag that does not apply is refused. --n-train with strategies that all train
// at N′ = 1, and --steps/--lr/--n-train with no strategy to train, were accepted and ignored.
const root = mkdtempSync(join(tmpdir(), 'bonbench-train-flags-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** `bench run <args> --dry-run` through the real program, in this process, for a toy × tabular config with these strategies. */
async function dryRun(strategies: string[], ...args: string[]): Promise<void> {
  const file = join(root, `c-${strategies.join('-') || 'none'}.json`)
  writeFileSync(
    file,
    JSON.stringify({
      matrix: { task: 'toy', model: 'tabular', strategies, nGrid: [1, 2] },
      train: { steps: 2 },
      runsDir: join(root, 'runs'),
      cacheDir: join(root, 'cache'),
    }),
  )
  const argv = ['node', 'bench', 'run', '--config', file, '--dry-run', '--no-tui', ...args]
  await quietStdout(async () => void (await (await createProgram(argv)).parseAsync(argv)))
}

describe('bench run: training flags that no strategy of the run would use are refused', () => {
  it('--n-train when every strategy trains at N′ = 1, naming them', async () => {
    const refused = dryRun(['rl', 'sft'], '--n-train', '8')
    await expect(refused).rejects.toMatchObject({ code: 'BENCH_USAGE' })
    await expect(refused).rejects.toThrow(/--n-train sets N′, .* none of this run's strategies \(rl, sft\) trains at N′ other than 1/)
  })

  it('--steps, --lr and --n-train when the run trains no strategy (the base model alone)', async () => {
    const refused = dryRun([], '--steps', '5', '--lr', '0.01')
    await expect(refused).rejects.toMatchObject({ code: 'BENCH_USAGE' })
    await expect(refused).rejects.toThrow(/^--steps, --lr apply to strategy training, and this run trains no strategy/)
  })

  it('each where it applies: --n-train beside a strategy that trains at N′, --steps and --lr beside any', async () => {
    await expect(dryRun(['rl', 'bon-rl'], '--n-train', '4', '--steps', '3', '--lr', '0.01')).resolves.toBeUndefined()
    await expect(dryRun(['sft'], '--steps', '3')).resolves.toBeUndefined()
  })
})
