import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ModelInstance, ModelPlugin } from '../../../core/plugin-api/model.js'
import type { StrategyPlugin } from '../../../core/plugin-api/strategy.js'
import type { TaskPlugin } from '../../../core/plugin-api/task.js'
import type { VerifierPlugin } from '../../../core/plugin-api/verifier.js'
import type { ReporterPlugin } from '../../../core/plugin-api/reporter.js'
import type { Plugin } from '../../../core/plugin-api/index.js'
import type { UserConfig } from '../../../core/config/types.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { estimatePlan } from '../../../core/run/estimate-plan.js'
import { checkRunNeeds } from '../../../core/run/dry-run-checks.js'
import { strategyNeeds } from '../../../core/plugin-api-checks/check-weights.js'
import { tabular } from '../../../plugins/models/tabular/index.js'
import { toy } from '../../../plugins/tasks/toy/index.js'
import { toyAnswer } from '../../../plugins/verifiers/toy-answer/index.js'
import { journalOf, onlyRunDir, tempProject, toyRunSetup } from '../../helpers/toy-run.js'
import { benchInProcess } from '../../e2e/cli-help.js'

const projects: Array<{ cleanup(): void }> = []
afterAll(() => projects.forEach((p) => p.cleanup()))
const meta = { version: '1.0.0' }

/** Runs toy × tabular with the given plugins; returns what the run threw (or undefined) and the journal. */
async function run(plugins: Plugin[], config: UserConfig = {}, reporters: ReporterPlugin[] = []) {
  const p = tempProject('bonbench-author-errors-')
  projects.push(p)
  const setup = toyRunSetup(p.dir, { plugins, config })
  const error = await runMatrix({ ...setup, reporters }).then(
    () => undefined,
    (e: unknown) => e as { code?: string; message: string },
  )
  return { error, records: journalOf(onlyRunDir(p.dir)) }
}

describe('a model instance that is not one (create() returned it)', () => {
  const modelMaking = (change: (instance: ModelInstance) => unknown): ModelPlugin => {
    const real = tabular()
    return { ...real, name: 'my-lab/bad-model', create: async (ctx) => change(await real.create(ctx)) as ModelInstance }
  }
  it.each([
    ['without describe()', (i: ModelInstance) => ({ ...i, describe: undefined }), /expected the instance to have a describe\(\) function .*, got undefined/],
    ['without sample()', (i: ModelInstance) => ({ ...i, sample: undefined }), /expected the instance to have a sample\(\) function .*, got undefined/],
    [
      'with a clone that is no function',
      (i: ModelInstance) => ({ ...i, clone: true }),
      /expected the instance's clone, when given, to be a function, got boolean true/,
    ],
    ['undefined', () => undefined, /expected a model instance \{ sample\(\), describe\(\), … \}, got undefined/],
  ])('%s stops the run with BENCH_PLUGIN_CONTRACT naming the plugin and create()', async (_, change, expected) => {
    const { error } = await run([modelMaking(change)], { matrix: { model: 'my-lab/bad-model' } })
    expect(error).toMatchObject({ code: 'BENCH_PLUGIN_CONTRACT' })
    expect(error!.message).toMatch(/^model plugin 'my-lab\/bad-model' broke its contract in create\(\): /)
    expect(error!.message).toMatch(expected)
  })
})

/** A strategy that asks for two samples and weights each 0.5, with `hooks` swapped in. */
const strategyNamed = (name: string, hooks: Partial<StrategyPlugin>): StrategyPlugin => ({
  name,
  kind: 'strategy',
  meta,
  selection: 'none',
  needs: () => ({ policySamples: 2 }),
  weights: (group) => ({ sequences: group.policy.map((s) => ({ prompt: group.problem.prompt, completion: s.completion, weight: 0.5 })) }),
  ...hooks,
})

describe("a strategy's weights() and needs() that return the wrong shape", () => {
  const strategy = (hooks: Partial<StrategyPlugin>) => strategyNamed('my-lab/bad-strategy', hooks)
  const sequences = (group: Parameters<StrategyPlugin['weights']>[0]) =>
    group.policy.map((s) => ({ prompt: group.problem.prompt, completion: s.completion, weight: 0.5 }))
  it.each([
    ['a Promise', strategy({ weights: (g) => Promise.resolve({ sequences: sequences(g) }) as never }), 'got a Promise (weights() must be synchronous)'],
    ['a bare array', strategy({ weights: (g) => sequences(g) as never }), /got an array of \d+ sequences \(return \{ sequences \}\)/],
    ['a rejected Promise', strategy({ weights: () => Promise.reject(new Error('later')) as never }), 'got a Promise (weights() must be synchronous)'],
  ])('weights() returning %s is named as such', async (_, plugin, expected) => {
    const { error } = await run([plugin], { matrix: { strategies: ['my-lab/bad-strategy'] } })
    expect(error).toMatchObject({ code: 'BENCH_PLUGIN_CONTRACT' })
    expect(error!.message).toMatch(
      /^strategy plugin 'my-lab\/bad-strategy' broke its contract in weights\(\) at training step 0 for prompt '[^']+': expected an object \{ sequences, stats\? \}, /,
    )
    if (typeof expected === 'string') expect(error!.message).toContain(expected)
    else expect(error!.message).toMatch(expected)
  })

  it('needs() returning a Promise is named as such', async () => {
    const { error } = await run([strategy({ needs: () => Promise.resolve({ policySamples: 2 }) as never })], {
      matrix: { strategies: ['my-lab/bad-strategy'] },
    })
    expect(error).toMatchObject({ code: 'BENCH_PLUGIN_CONTRACT' })
    expect(error!.message).toContain(
      "strategy plugin 'my-lab/bad-strategy' broke its contract in needs({ nTrain: 1 }): expected an object { policySamples, referenceSamples?, expert?, klBeta? }, got a Promise (needs() must be synchronous)",
    )
  })

  it('the message claims no journal where nothing is journaled (needs() asked at load time: dry run, contract tester)', () => {
    const plugin = strategy({ needs: () => ({}) as never })
    expect(() => strategyNeeds(plugin, 1)).toThrow(
      /^strategy plugin 'my-lab\/bad-strategy' broke its contract in needs\(\{ nTrain: 1 \}\): expected policySamples to be an integer ≥ 0, got undefined\. This is a bug in the plugin: fix it or report it to its author\.$/,
    )
  })
})

describe("a strategy's needs() or weights() that throws", () => {
  const strategy = strategyNamed
  const throwing = (thrown: unknown) => () => {
    throw thrown
  }
  const matrix = (name: string) => ({ matrix: { strategies: [name.split('/')[1]!], nGrid: [1] } })
  const thrownCases: Array<[string, unknown, string]> = [
    ['an Error', new Error('boom in needs'), 'needs() threw: boom in needs (asked with { nTrain: 1 })'],
    ['42', 42, 'needs() threw 42, not an Error: the plugin should throw an Error whose message says what went wrong (asked with { nTrain: 1 })'],
  ]

  // It was asked outside any hook or cell handling (estimateWork): exit 70 with a stack, or the bare `42`.
  it.each(thrownCases)('needs() throwing %s stops the run before any work: BENCH_PLUGIN_CONTRACT naming the strategy and needs()', async (_, thrown, said) => {
    const { error, records } = await run([strategy('my-lab/needs-throws', { needs: throwing(thrown) })], matrix('my-lab/needs-throws'))
    expect(error).toMatchObject({
      code: 'BENCH_PLUGIN_CONTRACT',
      message: `strategy plugin 'my-lab/needs-throws' ${said}. This is a bug in the plugin: fix it or report it to its author.`,
    })
    expect(records.filter((r) => r.type === 'cell' || r.type === 'error')).toEqual([])
  })

  it.each(thrownCases)('--dry-run: needs() throwing %s is a problem line naming the cell, the strategy and needs()', async (_, thrown, said) => {
    const p = tempProject('bonbench-author-errors-')
    projects.push(p)
    const { config, registry } = toyRunSetup(p.dir, {
      plugins: [strategy('my-lab/needs-throws', { needs: throwing(thrown) })],
      config: matrix('my-lab/needs-throws'),
    })
    await expect(estimatePlan(config, registry, { check: checkRunNeeds })).rejects.toMatchObject({
      code: 'BENCH_RUN_INVALID',
      message: `The plan cannot run as configured:\n  cell needs-throws-n1-t1-s1: strategy plugin 'my-lab/needs-throws' ${said}. This is a bug in the plugin: fix it or report it to its author.`,
    })
  })

  it('bench run and bench run --dry-run exit 2 with that message (was: exit 70, "unexpected error")', async () => {
    const p = tempProject('bonbench-author-errors-')
    projects.push(p)
    writeFileSync(
      join(p.dir, 'c.mjs'),
      `export default { plugins: [{ name: 'my-lab/needs42', kind: 'strategy', meta: { version: '1.0.0' }, selection: 'none', usesNTrain: false,
  needs() { throw 42 }, weights: () => ({ sequences: [] }) }] }\n`,
    )
    const args = [
      'run',
      'toy',
      '--config',
      'c.mjs',
      '--model',
      'tabular',
      '--strategies',
      'needs42',
      '--steps',
      '1',
      '--test-prompts',
      '4',
      '--n',
      '1',
      '--no-tui',
    ]
    for (const dry of [[], ['--dry-run']]) {
      const result = await benchInProcess([...args, ...dry], { cwd: p.dir })
      expect(result.exitCode, result.stderr).toBe(2)
      expect(result.stderr).toContain("strategy plugin 'my-lab/needs42' needs() threw 42, not an Error")
      expect(result.stderr).not.toContain('unexpected error')
    }
  })

  it.each([
    ['an Error', new Error('boom in weights'), "strategy plugin 'my-lab/weights-throws' weights() threw: boom in weights"],
    ['42', 42, "strategy plugin 'my-lab/weights-throws' weights() threw 42, not an Error: the plugin should throw an Error whose message says what went wrong"],
  ])('weights() throwing %s fails its cell naming the plugin and weights(), as score() is named; the run goes on', async (_, thrown, message) => {
    const { error, records } = await run([strategy('my-lab/weights-throws', { weights: throwing(thrown) })], matrix('my-lab/weights-throws'))
    expect(error).toBeUndefined()
    expect(records.filter((r) => r.type === 'error')).toEqual([expect.objectContaining({ cellId: 'weights-throws-n1-t1-s1', message })])
    expect(records.filter((r) => r.type === 'cell').map((r) => r.cellId)).toEqual(['base-n1-t1-s1'])
  })
})

describe('a hook that throws something that is not an Error', () => {
  const verifierThrowing = (thrown: unknown): VerifierPlugin => ({
    ...toyAnswer(),
    name: 'my-lab/bad-verifier',
    score: async () => {
      throw thrown
    },
  })
  const task: TaskPlugin = { ...toy(), name: 'my-lab/task', rewardVerifier: 'my-lab/bad-verifier' }
  it.each([
    ['the string "boom-string"', 'boom-string'],
    ['42', 42],
    ['an object with keys [reason]', { reason: 'x' }],
  ])('%s: the cell fails naming the plugin and the hook; the run goes on', async (shown, thrown) => {
    const { error, records } = await run([verifierThrowing(thrown), task], { matrix: { task: 'my-lab/task' } })
    expect(error).toBeUndefined()
    const errors = records.filter((r) => r.type === 'error')
    expect(errors.length).toBeGreaterThan(0)
    for (const record of errors) {
      expect(record).toMatchObject({
        message: `verifier plugin 'my-lab/bad-verifier' score() threw ${shown}, not an Error: the plugin should throw an Error whose message says what went wrong`,
      })
    }
  })

  it('in setup(): the run stops naming the plugin, once', async () => {
    const reporter: ReporterPlugin = {
      name: 'my-lab/bad-reporter',
      kind: 'reporter',
      meta,
      onEvent() {},
      setup() {
        throw 'cannot open db'
      },
    }
    const p = tempProject('bonbench-author-errors-')
    projects.push(p)
    await expect(runMatrix({ ...toyRunSetup(p.dir), reporters: [reporter] })).rejects.toMatchObject({
      code: 'BENCH_RUN_INVALID',
      message:
        "reporter plugin 'my-lab/bad-reporter' failed in setup(): it threw the string \"cannot open db\", not an Error (a plugin should throw an Error whose message says what went wrong). Check the plugin's options and what it needs (files, executables, services).",
    })
  })
})
