/**
 * The lifecycle checks every contract tester runs (core/testing/lifecycle-checks.ts): a table of
 * plugins with a planted lifecycle defect and the check each must flag, plus plugins that keep it.
 */
import { describe, expect, it } from 'vitest'
import type { ModelPlugin, ReporterPlugin, StrategyPlugin, TaskPlugin, VerifierPlugin } from '../../core/plugin-api/index.js'
import {
  checkModelContract,
  checkReporterContract,
  checkStrategyContract,
  checkTaskContract,
  checkVerifierContract,
  formatContractReport,
  type ContractReport,
} from '../../core/testing/index.js'
import { validatePlugin } from '../../core/registry/validate-plugin.js'
import { builtins } from '../helpers/builtin-factories.js'
import { jsSandbox } from '../../plugins/verifiers/js-sandbox/index.js'
import { addProblem, CORRECT_ADD } from './code-fixtures.js'

const LIFECYCLE = ['lifecycle-setup', 'lifecycle-dispose', 'lifecycle-reuse']
const lifecycleProblems = (report: ContractReport) => [...new Set(report.problems.map((p) => p.check).filter((c) => LIFECYCLE.includes(c)))].sort()

const toyTask = () => builtins.toy!({ prompts: 3 }) as TaskPlugin
const toyAnswer = () => builtins['toy-answer']!() as VerifierPlugin
const bonRl = () => builtins['bon-rl']!() as StrategyPlugin
const quietLine = () => builtins.line!({ stream: { write: () => true } }) as ReporterPlugin
const tabular = () => builtins.tabular!() as ModelPlugin

async function toyCases() {
  const [problem] = (await toyTask().load({ seed: 0 })).test
  return [{ item: { problem: problem!, completion: problem!.expert! } }]
}
const taskRun = (plugin: TaskPlugin) => checkTaskContract(plugin, { seed: 0 }, { knownVerifiers: ['toy-answer'] })
const modelRun = (plugin: ModelPlugin) => checkModelContract(plugin, { prompts: ['choices: a | b | c', 'choices: x | y'], skip: ['stop-strings'] })

/** A plugin whose setup opens a "resource" and whose dispose closes it; `use` fails when it is closed. */
function resource() {
  let open = false
  return {
    hooks: { setup: () => void (open = true), dispose: () => void (open = false) },
    use: () => {
      if (!open) throw new Error('used before setup or after dispose')
    },
  }
}

describe('lifecycle checks of the contract testers', () => {
  it('plugins that keep the lifecycle pass all three checks (js-sandbox, and one recording plugin of every kind)', async () => {
    const sandbox = await checkVerifierContract(jsSandbox({ timeoutMs: 5000 }), [
      { item: { problem: addProblem, completion: CORRECT_ADD }, expect: { pass: true } },
    ])
    expect(sandbox.problems, formatContractReport(sandbox)).toEqual([])
    expect(sandbox.passed).toEqual(expect.arrayContaining(['lifecycle-dispose', 'lifecycle-reuse']))
    const r = resource()
    const verifier: VerifierPlugin = { ...toyAnswer(), ...r.hooks, score: async (batch, ctx) => (r.use(), toyAnswer().score(batch, ctx)) }
    const task: TaskPlugin = { ...toyTask(), ...r.hooks, load: async (ctx) => (r.use(), toyTask().load(ctx)) }
    const strategy: StrategyPlugin = { ...bonRl(), ...r.hooks }
    const reporter: ReporterPlugin = { ...quietLine(), ...r.hooks }
    const model: ModelPlugin = { ...tabular(), ...r.hooks, create: async (ctx) => (r.use(), tabular().create(ctx)) }
    for (const report of [
      await checkVerifierContract(verifier, await toyCases()),
      await taskRun(task),
      await checkStrategyContract(strategy, { nTrain: [1] }),
      await checkReporterContract(reporter),
      await modelRun(model),
    ]) {
      expect(report.problems, formatContractReport(report)).toEqual([])
      expect(report.passed).toEqual(expect.arrayContaining(LIFECYCLE))
    }
  })

  it('a plugin without lifecycle hooks has the checks skipped, not failed', async () => {
    const report = await checkStrategyContract(bonRl(), { nTrain: [1] })
    expect(report.skipped.map((s) => s.check)).toEqual(expect.arrayContaining(LIFECYCLE))
  })

  const rows: Array<[string, () => Promise<ContractReport>, string[]]> = [
    [
      'a verifier whose second dispose() throws',
      async () => {
        let disposed = false
        return checkVerifierContract(
          {
            ...toyAnswer(),
            dispose: () => {
              if (disposed) throw new Error('already closed')
              disposed = true
            },
          },
          await toyCases(),
        )
      },
      ['lifecycle-dispose'],
    ],
    [
      'a strategy whose setup() throws',
      () =>
        checkStrategyContract(
          {
            ...bonRl(),
            setup: () => {
              throw new Error('no config')
            },
          },
          { nTrain: [1] },
        ),
      ['lifecycle-setup'],
    ],
    [
      'a task that cannot load again after dispose() and a new setup()',
      () => {
        let disposed = false
        return taskRun({
          ...toyTask(),
          setup: () => {},
          dispose: () => void (disposed = true),
          load: async (ctx) => {
            if (disposed) throw new Error('closed for good')
            return toyTask().load(ctx)
          },
        })
      },
      ['lifecycle-reuse'],
    ],
    [
      'a reporter whose dispose() rejects',
      () => checkReporterContract({ ...quietLine(), dispose: () => Promise.reject(new Error('flush failed')) }),
      ['lifecycle-dispose'],
    ],
    [
      'a model whose setup() never settles within the limit',
      () => checkModelContract({ ...tabular(), setup: () => new Promise(() => {}) }, { prompts: ['choices: a | b', 'choices: x | y'], timeoutMs: 50 }),
      ['lifecycle-setup'],
    ],
  ]
  it.each(rows)('flags %s', async (_name, run, flags) => {
    const report = await run()
    expect(lifecycleProblems(report), formatContractReport(report)).toEqual(flags)
  })

  it('the loader rejects a lifecycle hook that is not a function, naming the plugin and the hook', () => {
    expect(() => validatePlugin({ ...bonRl(), name: 'acme/s', dispose: 'yes' }, 'inline')).toThrow(
      /Plugin 'acme\/s' \(inline\): the lifecycle hook 'dispose' is a string, not a function/,
    )
  })
})
