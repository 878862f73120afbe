import { execa } from 'execa'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bench, benchBin, tempDir } from './cli-helper.js'
import { benchUsageError } from './cli-help.js'

// What no command may do, whatever a plugin does outside the work bonbench awaits
// (cli/process-guards.ts): end with Node's bare stack and exit 1, pass a run that never finished
// for a finished one (exit 0), or die because the reader of its output went away.
const project = tempDir('bonbench-guards-')
afterAll(() => project.cleanup())

// A reward-model-free verifier that misbehaves on its second batch (the base cell finishes first).
const VERIFIER = `const MODE = process.env.MODE
let calls = 0
export default (options = {}) => ({
  name: 'rev/v', kind: 'verifier', meta: { version: '1.0.0' }, options,
  async score(batch) {
    calls++
    if (calls > 1) {
      if (MODE === 'uncaught') setTimeout(() => { throw new Error('thrown from a timer') }, 0)
      if (MODE === 'rejection') Promise.reject(new Error('rejected, never handled'))
      if (MODE === 'exit') process.exit(0)
    }
    if (MODE === 'slow') await new Promise((r) => setTimeout(r, 20))
    return batch.map(({ completion }) => ({ score: -completion.length, reason: 'scored' }))
  },
})
`

beforeAll(() => {
  writeFileSync(path.join(project.dir, 'v.mjs'), VERIFIER)
  const config = {
    plugins: ['./v.mjs'],
    matrix: { task: 'toy', model: 'tabular', strategies: ['sft', 'bon-rl'], nGrid: [1, 2], verifier: 'v', nTrain: [2] },
    train: { steps: 2, pretrainSteps: 0 },
  }
  writeFileSync(path.join(project.dir, 'bench.config.json'), JSON.stringify(config))
})

const runWith = (mode: string, runsDir: string) =>
  bench(['run', '--no-tui', '--no-reports', '--test-prompts', '4', '--runs-dir', runsDir], { cwd: project.dir, env: { MODE: mode }, timeout: 120_000 })

/** The journal of the one run under `runsDir`: the cells it finished. */
function finishedCells(runsDir: string): string[] {
  const [runId] = readdirSync(path.join(project.dir, runsDir))
  return readFileSync(path.join(project.dir, runsDir, runId!, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; cellId?: string })
    .filter((r) => r.type === 'cell')
    .map((r) => r.cellId!)
}

describe('a plugin acting outside the awaited work', () => {
  it.each([
    ['uncaught', 'an error was thrown outside the work the command waits for', 'thrown from a timer'],
    ['rejection', 'a promise was rejected and nothing handled it', 'rejected, never handled'],
    ['exit', 'the process was ended (process.exit, by a plugin?) before the run finished', undefined],
  ])('%s: exit 70 with a message saying what happened and how to resume, the finished cell kept', async (mode, message, error) => {
    const result = await runWith(mode, `runs-${mode}`)
    expect(result.exitCode, result.stderr).toBe(70)
    expect(result.stderr).toContain(`bench: ${message}`)
    if (error) expect(result.stderr).toContain(error)
    expect(result.stderr).toMatch(/Resume with:\n {2}bench run --resume \S+runs-/)
    expect(finishedCells(`runs-${mode}`)).toEqual(['base-n1-t1-s0'])
  })

  it('a reader that closes its end of stdout (| head) does not stop the run: it finishes, exit 0, its files written', async () => {
    const child = execa(process.execPath, [benchBin, 'run', '--no-tui', '--test-prompts', '4', '--runs-dir', 'runs-pipe'], {
      cwd: project.dir,
      env: { CI: 'true', NO_COLOR: '1', MODE: 'slow' },
      reject: false,
      buffer: { stdout: false, stderr: true },
      timeout: 120_000,
    })
    child.stdout!.once('data', () => child.stdout!.destroy())
    const result = await child
    expect(result.exitCode, String(result.stderr)).toBe(0)
    expect(String(result.stderr)).not.toContain('EPIPE')
    const [runId] = readdirSync(path.join(project.dir, 'runs-pipe'))
    expect(existsSync(path.join(project.dir, 'runs-pipe', runId!, 'results.json'))).toBe(true)
    expect(finishedCells('runs-pipe')).toHaveLength(3)
  })
})

describe('a plugin hook that throws before the work begins', () => {
  it("is a broken plugin (exit 2) named with its hook, not an 'unexpected error' stack (exit 70)", async () => {
    const dir = path.join(project.dir, 'load-throws')
    mkdirSync(dir)
    const task = `export default { name: 'rev/t', kind: 'task', meta: { version: '1.0.0' }, rewardVerifier: 'toy-answer', load: async () => { throw new Error('the data server is down') } }\n`
    writeFileSync(path.join(dir, 't.mjs'), task)
    writeFileSync(path.join(dir, 'bench.config.json'), JSON.stringify({ plugins: ['./t.mjs'], matrix: { task: 'rev/t', model: 'tabular', strategies: [] } }))
    for (const args of [
      ['run', '--no-tui'],
      ['run', '--dry-run'],
    ]) {
      const result = await benchUsageError(args, dir)
      expect(result.exitCode, result.stderr).toBe(2)
      expect(result.stderr).toContain("bench: task plugin 'rev/t' load() threw: the data server is down\nFix the plugin or its input")
    }
  })
})
