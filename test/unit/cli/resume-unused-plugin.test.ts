import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createProgram } from '../../../cli/program.js'
import { quietStdout } from '../../helpers/quiet-stdout.js'

const root = mkdtempSync(join(tmpdir(), 'bonbench-resume-unused-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** `bench …` through the real program, in this process. */
async function bench(...args: string[]): Promise<void> {
  const argv = ['node', 'bench', ...args]
  await quietStdout(async () => void (await (await createProgram(argv)).parseAsync(argv)))
}

const file = join(root, 'bench.config.json')
const matrix = { task: 'toy', model: 'tabular', strategies: ['rl'], nGrid: [1, 2], seeds: [0] }
const write = (extra: Record<string, unknown>) =>
  writeFileSync(file, JSON.stringify({ matrix, train: { steps: 2 }, runsDir: join(root, 'runs'), cacheDir: join(root, 'cache'), ...extra }))
writeFileSync(
  join(root, 'x.mjs'),
  "export default { name: 'local/x', kind: 'verifier', meta: { version: '1.0.0' }, async score() { return { score: 1, reward: 1 } } }\n",
)

describe('bench run --resume checks the plugins the run’s cells use, not every plugin its config loaded', () => {
  it('a resume (its dry run, which makes the same checks) accepts a toy run whose config gained a plugin (the default config’s unused math entry is not needed again); a changed task is still refused', async () => {
    // No `plugins`: the default config's ['math', { levels: [1] }] is loaded and recorded, never used.
    write({})
    await bench('run', '--config', file, '--no-tui', '--no-reports')
    const runDir = join(root, 'runs', readdirSync(join(root, 'runs'))[0]!)
    // The file now lists a plugin of its own: the math entry is gone from what loads.
    write({ plugins: ['./x.mjs'] })
    await expect(bench('run', '--resume', runDir, '--dry-run', '--no-tui')).resolves.toBeUndefined()
    // The task the cells use, with other options: the rest of the run would not be the run recorded.
    write({ plugins: ['./x.mjs', ['toy', { prompts: 40 }]] })
    await expect(bench('run', '--resume', runDir, '--dry-run', '--no-tui')).rejects.toThrow(/task bonbench:toy has other options here/)
  })
})
