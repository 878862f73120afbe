import { afterAll, describe, expect, it } from 'vitest'
import type { UserConfig } from '../../../core/config/types.js'
import type { ModelInstance, ModelPlugin, Plugin } from '../../../core/plugin-api/index.js'
import type { TaskPlugin } from '../../../core/plugin-api/task.js'
import type { ReporterPlugin } from '../../../core/plugin-api/reporter.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { command } from '../../../plugins/verifiers/command/index.js'
import { tinyTransformer } from '../../../plugins/models/tiny-transformer/index.js'
import { jsSandbox } from '../../../plugins/verifiers/js-sandbox/index.js'
import { tempProject, toyRunSetup } from '../../helpers/toy-run.js'

const projects: Array<{ cleanup(): void }> = []
afterAll(() => projects.forEach((p) => p.cleanup()))
const meta = { version: '1.0.0' }

/** Active libuv handles and requests by type (timers, child processes, pipes, workers, …). */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1)
  return counts
}

/** The resource types of which more are active now than in `before`, with the surplus. */
function leftOver(before: Map<string, number>): Record<string, number> {
  const extra: Record<string, number> = {}
  for (const [type, n] of activeResources()) if (n > (before.get(type) ?? 0)) extra[type] = n - (before.get(type) ?? 0)
  return extra
}

/**
 * A code task for the tabular model: every prompt offers the answers 1, 2, 3 and problem i is solved
 * by `const x = <i + 1>`; graded by a JavaScript code verifier.
 */
function codeTask(verifier: string): TaskPlugin {
  const problems = [0, 1, 2].map((i) => ({
    id: `code-${i}`,
    prompt: 'choices: 1 | 2 | 3',
    data: { language: 'javascript', prefix: 'const x = ', test: `if (x !== ${i + 1}) throw new Error('wrong')` },
  }))
  return { name: 'acme/code', kind: 'task', meta, rewardVerifier: verifier, load: async () => ({ train: problems, test: problems }) }
}

async function runAndCompare(plugins: Plugin[], config: UserConfig, reporters: ReporterPlugin[] = []) {
  const p = tempProject('bonbench-handles-')
  projects.push(p)
  const setup = toyRunSetup(p.dir, { plugins, config })
  const before = activeResources()
  const outcome = await runMatrix({ ...setup, reporters })
  // One event-loop turn: an fs request whose promise already resolved (the last `await rm(…)`)
  // is still listed until its callback returns; nothing here waits on wall-clock time.
  await new Promise((resolve) => setImmediate(resolve))
  return { outcome, extra: leftOver(before) }
}

describe('after a programmatic run returns, no handle of the run remains', () => {
  it('toy task × tiny-transformer with two sampling worker threads: every instance (and its worker pool) disposed once', async () => {
    // Idle sampling workers are unref'd, so getActiveResourcesInfo cannot see them: count disposals too.
    const real = tinyTransformer({ layers: 1, width: 16, heads: 2, context: 96 })
    const disposals: number[] = []
    const counted = (instance: ModelInstance): ModelInstance => {
      const id = disposals.push(0) - 1
      return {
        ...instance,
        clone: async () => counted(await instance.clone!()),
        dispose: async () => {
          disposals[id]!++
          await instance.dispose?.()
        },
      }
    }
    const model: ModelPlugin = {
      ...real,
      create: async (ctx) => counted(await real.create(ctx)),
      load: async (dir, ctx) => counted(await real.load!(dir, ctx)),
    }
    const { outcome, extra } = await runAndCompare([model], {
      matrix: { model: 'bonbench:tiny-transformer', strategies: ['sft'] },
      train: { steps: 1, pretrainSteps: 1 },
      eval: { testPrompts: 2 },
      backend: 'wasm',
      concurrency: 2,
    })
    expect(outcome.results).toHaveLength(2)
    expect(disposals).toEqual([1, 1])
    expect(extra).toEqual({})
  })

  it('toy task × tabular model, base and two trained strategies', async () => {
    const { outcome, extra } = await runAndCompare([], { matrix: { strategies: ['sft', 'rl'] } })
    expect(outcome.results).toHaveLength(3)
    expect(extra).toEqual({})
  })

  it('a code task graded by js-sandbox: its isolate pool is disposed', async () => {
    const verifier = jsSandbox({ timeoutMs: 5000 })
    let isolatesDuringRun = 0
    const probe: ReporterPlugin = {
      name: 'test/probe',
      kind: 'reporter',
      meta,
      onEvent: (e) => void (e.type === 'cell:end' && (isolatesDuringRun = verifier.isolatesCreated)),
    }
    const { outcome, extra } = await runAndCompare([verifier, codeTask('bonbench:js-sandbox')], { matrix: { task: 'acme/code', strategies: ['rl'] } }, [probe])
    expect(outcome.results).toHaveLength(2)
    expect(outcome.results[0]!.metrics.passAtN[0]).toBeGreaterThan(0)
    expect(isolatesDuringRun).toBeGreaterThan(0)
    // dispose() dropped the pool (a later run starts a fresh one).
    expect(verifier.isolatesCreated).toBe(0)
    expect(extra).toEqual({})
  })

  it('a code task graded by the command verifier: no child process or pipe outlives the run', async () => {
    const verifier = command({ timeoutMs: 20_000 })
    const { outcome, extra } = await runAndCompare([verifier, codeTask('bonbench:command')], { matrix: { task: 'acme/code' } })
    expect(outcome.results).toHaveLength(1)
    // The candidates really ran: some pass, some fail.
    expect(outcome.results[0]!.metrics.passAtN[1]).toBeGreaterThan(0)
    expect(outcome.results[0]!.metrics.pass1).toBeLessThan(1)
    expect(extra).toEqual({})
  })
})
