import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ModelInstance, ModelPlugin } from '../../../core/plugin-api/model.js'
import type { ReporterPlugin } from '../../../core/plugin-api/reporter.js'
import type { StrategyPlugin } from '../../../core/plugin-api/strategy.js'
import type { TaskPlugin } from '../../../core/plugin-api/task.js'
import type { VerifierPlugin } from '../../../core/plugin-api/verifier.js'
import type { PluginSetupContext } from '../../../core/plugin-api/common.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { tabular } from '../../../plugins/models/tabular/index.js'
import { rl } from '../../../plugins/strategies/rl.js'
import { toy } from '../../../plugins/tasks/toy/index.js'
import { toyAnswer } from '../../../plugins/verifiers/toy-answer/index.js'
import { journalOf, onlyRunDir, tempProject, toyRunSetup } from '../../helpers/toy-run.js'

const projects: Array<{ cleanup(): void }> = []
afterAll(() => projects.forEach((p) => p.cleanup()))
function project() {
  const p = tempProject('bonbench-lifecycle-')
  projects.push(p)
  return p.dir
}

/**
 * One recording plugin of each kind around the real toy task, toy-answer verifier, tabular model
 * and rl strategy. `log` holds every setup, dispose and run:end in the order they happened;
 * `instances` counts dispose() calls per model instance the run created.
 */
function recordingPlugins(
  opts: { strategy?: Partial<StrategyPlugin>; verifier?: Partial<VerifierPlugin>; model?: Partial<ModelPlugin>; onEvent?: ReporterPlugin['onEvent'] } = {},
) {
  const log: string[] = []
  const contexts: PluginSetupContext[] = []
  const hooks = (label: string) => ({
    setup(ctx: PluginSetupContext) {
      contexts.push(ctx)
      log.push(`setup ${label}`)
    },
    dispose() {
      log.push(`dispose ${label}`)
    },
  })
  const instances: number[] = []
  const record = (instance: ModelInstance): ModelInstance => {
    const id = instances.push(0) - 1
    return {
      ...instance,
      clone: async () => record(await instance.clone!()),
      dispose: () => {
        instances[id]!++
        return instance.dispose?.()
      },
    }
  }
  const real = tabular()
  const task: TaskPlugin = { ...toy(), name: 'rec/task', rewardVerifier: 'rec/verifier', ...hooks('task') }
  const verifier: VerifierPlugin = { ...toyAnswer(), name: 'rec/verifier', ...hooks('verifier'), ...opts.verifier }
  const model: ModelPlugin = {
    ...real,
    name: 'rec/model',
    ...hooks('model'),
    create: async (ctx) => record(await real.create(ctx)),
    load: async (dir, ctx) => record(await real.load!(dir, ctx)),
    ...opts.model,
  }
  const strategy: StrategyPlugin = { ...rl(), name: 'rec/rl', ...hooks('strategy'), ...opts.strategy }
  const reporter: ReporterPlugin = {
    name: 'rec/reporter',
    kind: 'reporter',
    meta: { version: '1.0.0' },
    ...hooks('reporter'),
    onEvent(event) {
      if (event.type === 'run:end') log.push('run:end')
      return opts.onEvent?.(event)
    },
  }
  const setup = (dir: string) =>
    toyRunSetup(dir, {
      plugins: [task, verifier, model, strategy, reporter],
      config: { matrix: { task: 'rec/task', model: 'rec/model', strategies: ['rec/rl'] } },
    })
  return { log, contexts, instances, setup, reporter }
}

const setupOrder = ['setup reporter', 'setup task', 'setup model', 'setup verifier', 'setup strategy']
const disposeOrder = ['dispose strategy', 'dispose verifier', 'dispose model', 'dispose task']

describe('plugin lifecycle in runMatrix', () => {
  it('on success: each plugin set up once before use and disposed once in reverse order; reporters last, after run:end; every model instance disposed once', async () => {
    const rec = recordingPlugins()
    const dir = project()
    const outcome = await runMatrix({ ...rec.setup(dir), reporters: [rec.reporter] })
    expect(outcome.interrupted).toBe(false)
    expect(outcome.results.map((r) => r.key.strategy)).toEqual(['base', 'rec/rl'])
    expect(rec.log).toEqual([...setupOrder, ...disposeOrder, 'run:end', 'dispose reporter'])
    // The base model and the rl cell's clone.
    expect(rec.instances).toEqual([1, 1])
    expect(rec.contexts[0]!.cacheDir).toBe(`${dir}/cache`)
    expect(outcome.disposeErrors).toBeUndefined()
  })

  it('when a cell throws, the run goes on and everything is still disposed exactly once', async () => {
    const rec = recordingPlugins({
      strategy: {
        weights: () => {
          throw new Error('weights exploded')
        },
      },
    })
    const dir = project()
    const outcome = await runMatrix({ ...rec.setup(dir), reporters: [rec.reporter] })
    expect(outcome.results.map((r) => r.key.strategy)).toEqual(['base'])
    expect(journalOf(outcome.runDir).filter((r) => r.type === 'error')).toEqual([
      expect.objectContaining({ message: "strategy plugin 'rec/rl' weights() threw: weights exploded" }),
    ])
    expect(rec.log).toEqual([...setupOrder, ...disposeOrder, 'run:end', 'dispose reporter'])
    expect(rec.instances).toEqual([1, 1])
  })

  it('when the run stops with an error, every plugin set up is disposed once, in reverse order, and no run:end fires', async () => {
    const rec = recordingPlugins({
      strategy: { weights: (group) => ({ sequences: [{ prompt: group.problem.prompt, completion: 'not a sample', weight: 1 }] }) },
    })
    const dir = project()
    await expect(runMatrix({ ...rec.setup(dir), reporters: [rec.reporter] })).rejects.toMatchObject({ code: 'BENCH_PLUGIN_CONTRACT' })
    expect(rec.log).toEqual([...setupOrder, ...disposeOrder, 'dispose reporter'])
    expect(rec.instances).toEqual([1, 1])
    expect(journalOf(onlyRunDir(dir)).map((r) => r.type)).toContain('cell')
  })

  it('on abort (mid-training): interrupted, and everything disposed exactly once', async () => {
    const controller = new AbortController()
    const rec = recordingPlugins({
      onEvent: (e) => {
        if (e.type === 'train:step') controller.abort()
      },
    })
    const dir = project()
    const outcome = await runMatrix({ ...rec.setup(dir), reporters: [rec.reporter], signal: controller.signal })
    expect(outcome.interrupted).toBe(true)
    expect(outcome.results.map((r) => r.key.strategy)).toEqual(['base'])
    expect(rec.log).toEqual([...setupOrder, ...disposeOrder, 'run:end', 'dispose reporter'])
    expect(rec.instances).toEqual([1, 1])
    expect(rec.contexts.every((c) => c.signal === controller.signal)).toBe(true)
  })

  it('a dispose that throws is reported by name and the other disposals still run', async () => {
    const rec = recordingPlugins({
      verifier: {
        dispose: () => {
          throw new Error('pool stuck')
        },
      },
    })
    const logs: string[] = []
    const dir = project()
    const outcome = await runMatrix({
      ...rec.setup(dir),
      reporters: [rec.reporter],
      listeners: [
        (e) => {
          if (e.type === 'log' && e.level === 'error') logs.push(e.message)
        },
      ],
    })
    expect(outcome.disposeErrors).toEqual(["verifier plugin 'rec/verifier': dispose() threw: pool stuck"])
    expect(logs).toEqual(outcome.disposeErrors)
    expect(rec.log).toEqual([...setupOrder, 'dispose strategy', 'dispose model', 'dispose task', 'run:end', 'dispose reporter'])
    expect(rec.instances).toEqual([1, 1])
  })

  it('a dispose that never settles is reported after its deadline, and the run still reaches run:end, its reports and the other disposals', async () => {
    const rec = recordingPlugins({ verifier: { dispose: () => new Promise<void>(() => {}) } })
    const before = process.env.BONBENCH_DISPOSE_TIMEOUT
    process.env.BONBENCH_DISPOSE_TIMEOUT = '0.2'
    try {
      const outcome = await runMatrix({ ...rec.setup(project()), reporters: [rec.reporter] })
      expect(outcome.interrupted).toBe(false)
      expect(outcome.disposeErrors).toEqual(["verifier plugin 'rec/verifier': dispose() did not settle within 0.2 s; the run went on without it"])
      expect(rec.log).toEqual([...setupOrder, 'dispose strategy', 'dispose model', 'dispose task', 'run:end', 'dispose reporter'])
    } finally {
      if (before === undefined) delete process.env.BONBENCH_DISPOSE_TIMEOUT
      else process.env.BONBENCH_DISPOSE_TIMEOUT = before
    }
  })

  it('bench eval (a checkpoint as the base, no strategies): the loaded instance is disposed once', async () => {
    const first = recordingPlugins()
    const dir = project()
    const trained = await runMatrix({ ...first.setup(dir), reporters: [first.reporter] })
    const checkpoint = join(trained.runDir, 'checkpoints', trained.results[1]!.cellId)
    const rec = recordingPlugins()
    const { config, registry } = rec.setup(project())
    const outcome = await runMatrix({ config: { ...config, strategies: [] }, registry, reporters: [rec.reporter], checkpoint })
    expect(outcome.results.map((r) => r.key.strategy)).toEqual(['base'])
    // No strategy in the matrix: it is neither set up nor disposed.
    expect(rec.log).toEqual([
      'setup reporter',
      'setup task',
      'setup model',
      'setup verifier',
      'dispose verifier',
      'dispose model',
      'dispose task',
      'run:end',
      'dispose reporter',
    ])
    expect(rec.instances).toEqual([1])
  })

  it('a setup that throws stops the run before any work, naming the plugin; what was set up is disposed', async () => {
    const rec = recordingPlugins({
      model: {
        setup: () => {
          throw new Error('no GPU here')
        },
      },
    })
    const dir = project()
    await expect(runMatrix({ ...rec.setup(dir), reporters: [rec.reporter] })).rejects.toMatchObject({
      code: 'BENCH_RUN_INVALID',
      message: expect.stringMatching(/model plugin 'rec\/model' failed in setup\(\): no GPU here/),
    })
    expect(rec.log).toEqual(['setup reporter', 'setup task', 'dispose model', 'dispose task', 'dispose reporter'])
    expect(rec.instances).toEqual([])
  })
})
