/**
 * The contract testers themselves, tested like ESLint's RuleTester: a table of deliberately broken
 * plugins — each a real built-in with one defect planted — and the check id each tester must flag.
 * The built-ins unchanged are the valid rows (test/plugins/contracts.test.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type {
  ModelInstance,
  ModelPlugin,
  Problem,
  ReporterPlugin,
  SampleOptions,
  StrategyPlugin,
  TaskPlugin,
  TokenEvent,
  Verdict,
  VerifierPlugin,
} from '../../core/plugin-api/index.js'
import {
  assertContract,
  checkModelContract,
  checkReporterContract,
  checkStrategyContract,
  checkTaskContract,
  checkVerifierContract,
  formatContractReport,
  type ContractReport,
  type VerifierCase,
} from '../../core/testing/index.js'
import { BenchError } from '../../core/errors.js'
import { builtins } from '../helpers/builtin-factories.js'
import type { TabularInstance } from '../../plugins/models/tabular/index.js'

const scratch: string[] = []
afterAll(() => Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true }))))

interface InvalidRow {
  name: string
  run: () => Promise<ContractReport>
  /** Exactly the check ids the tester must flag: no more (no false alarms), no fewer. */
  flags: string[]
}

function expectFlags(report: ContractReport, flags: string[]): void {
  const found = [...new Set(report.problems.map((p) => p.check))].sort()
  expect(found, formatContractReport(report)).toEqual([...flags].sort())
  for (const p of report.problems) expect(p.message.length).toBeGreaterThan(10)
}

const toyTask = (options: Record<string, unknown> = {}) => builtins.toy!({ prompts: 3, ...options }) as TaskPlugin
const toyProblems = async (): Promise<Problem[]> => (await toyTask().load({ seed: 0 })).test

// ——— models: tabular with one defect ———

const tabular = () => builtins.tabular!() as ModelPlugin
/** The real tabular model with its instances passed through `edit`. */
function brokenModel(edit: (instance: ModelInstance) => ModelInstance, extra: Partial<ModelPlugin> = {}): ModelPlugin {
  const real = tabular()
  const wrap = async (made: Promise<ModelInstance>) => edit(await made)
  return { ...real, create: (ctx) => wrap(real.create(ctx)), load: (dir, ctx) => wrap(real.load!(dir, ctx)), ...extra }
}
/**
 * The model contract on a tiny real tiny-transformer (it honours stop strings and streams, which
 * tabular does not) whose instances take the methods `edit` returns, and cannot train.
 */
function checkBrokenTinyTransformer(edit: (instance: ModelInstance) => Partial<ModelInstance>): Promise<ContractReport> {
  const real = builtins['tiny-transformer']!({ layers: 1, width: 16, heads: 2, context: 24 }) as ModelPlugin
  const plugin: ModelPlugin = { ...real, create: async (ctx) => ((m) => ({ ...m, ...edit(m), update: undefined }))(await real.create(ctx)) }
  return checkModelContract(plugin, { prompts: ['ab=', 'h7+1=', 'c'], corpus: 'abcdefgh0123456789+=. ', backend: 'wasm', n: 3, maxTokens: 12 })
}
const modelRun = (plugin: ModelPlugin) => async () =>
  checkModelContract(plugin, { prompts: (await toyProblems()).map((p) => p.prompt), skip: ['stop-strings'] })

const modelRows: InvalidRow[] = [
  {
    name: 'clone() returns the same instance (shared weights)',
    flags: ['clone-independent'],
    run: modelRun(brokenModel((m) => ({ ...m, clone: async () => m }))),
  },
  {
    name: 'sample() draws from a shared stream instead of the request seed',
    // A clone samples from its own stream too, so it no longer matches the original; a call with
    // onToken draws other completions than the same call without; and a loaded model (its stream
    // at 0) samples unlike the saved one, whose stream has moved (save-load went unflagged before
    // the token-events check added its two calls: the streams then happened to agree there).
    flags: ['seed-reproducible', 'batch-independent', 'clone-independent', 'token-events', 'save-load'],
    run: modelRun(
      brokenModel((m) => {
        let calls = 0
        return {
          ...m,
          sample: (reqs, o) =>
            m.sample(
              reqs.map((r) => ({ ...r, seed: r.seed + calls++ })),
              o,
            ),
        }
      }),
    ),
  },
  {
    name: 'sample() returns results in reverse order',
    flags: ['sample-shape'],
    run: modelRun(brokenModel((m) => ({ ...m, sample: async (reqs, o) => (await m.sample(reqs, o)).reverse() }))),
  },
  {
    name: 'sample() returns one completion too few',
    flags: ['sample-shape'],
    run: modelRun(
      brokenModel((m) => ({ ...m, sample: async (reqs, o) => (await m.sample(reqs, o)).map((r) => ({ ...r, completions: r.completions.slice(1) })) })),
    ),
  },
  { name: 'sample() ignores an aborted signal', flags: ['abort'], run: modelRun(brokenModel((m) => ({ ...m, sample: (reqs) => m.sample(reqs) }))) },
  {
    name: 'logProb() disagrees with the sampled log-probs',
    flags: ['logprob-agrees'],
    run: modelRun(brokenModel((m) => ({ ...m, logProb: async (pairs) => (await m.logProb!(pairs)).map((x) => x - 0.5) }))),
  },
  {
    name: 'update() ascends the loss (sign flipped)',
    flags: ['update-direction'],
    run: modelRun(
      brokenModel((m) => ({
        ...m,
        update: (batch, o) =>
          m.update!(
            batch.map((s) => ({ ...s, weight: -s.weight })),
            o,
          ),
      })),
    ),
  },
  {
    name: 'update() reports a NaN loss',
    flags: ['update-stats'],
    run: modelRun(brokenModel((m) => ({ ...m, update: async (batch, o) => ({ ...(await m.update!(batch, o)), loss: Number.NaN }) }))),
  },
  {
    name: 'load() ignores the checkpoint and builds a fresh model',
    flags: ['save-load'],
    run: async () => {
      const real = tabular()
      return modelRun({ ...real, load: (_dir, ctx) => real.create({ ...ctx, corpus: '' }) })()
    },
  },
  { name: 'trainable but without clone()', flags: ['trainable-hooks'], run: modelRun(brokenModel(({ clone: _clone, ...rest }) => rest)) },
  {
    // Issue 12's bug in miniature: clone() carries the Adam moments along, a checkpoint does not,
    // so a base model fresh from pretraining and the same one loaded from the cache fine-tune apart.
    name: 'clone() keeps optimizer state that a loaded checkpoint lacks',
    flags: ['clone-cache-invariant'],
    run: async () => {
      const real = builtins.tabular!({ optimizer: 'adam', learningRate: 0.1 }) as ModelPlugin
      const prompts = (await toyProblems()).map((p) => p.prompt)
      // The real save/load round trip keeps the Adam moments: a clone made that way keeps them too.
      const carrying = (m: ModelInstance): ModelInstance => ({
        ...m,
        clone: async () => {
          const dir = await mkdtemp(join(tmpdir(), 'bonbench-carry-'))
          scratch.push(dir)
          await m.save!(dir)
          return carrying(await real.load!(dir, { seed: 1, concurrency: 1 }))
        },
      })
      return modelRun({
        ...real,
        create: async (ctx) => carrying(await real.create(ctx)),
        // A load that drops them (setLogits resets a prompt's Adam state), as a weights-only
        // checkpoint does; its describe() reports no hash (tabular's hash covers the Adam state).
        load: async (dir, ctx) => {
          const m = (await real.load!(dir, ctx)) as TabularInstance
          for (const prompt of prompts) m.setLogits(prompt, m.logits(prompt))
          return { ...carrying(m), describe: () => ({ ...m.describe(), hash: undefined }) }
        },
      })()
    },
  },
  {
    name: 'sample() ignores stop strings (tiny-transformer)',
    flags: ['stop-strings'],
    run: () =>
      checkBrokenTinyTransformer((m) => ({
        sample: (reqs, o) =>
          m.sample(
            reqs.map(({ stop: _stop, ...r }) => r),
            o,
          ),
      })),
  },
  {
    name: 'onToken reports text the completion does not have (tiny-transformer)',
    flags: ['token-events'],
    run: () =>
      checkBrokenTinyTransformer((m) => {
        const onToken = (o: SampleOptions | undefined) => o?.onToken && ((e: TokenEvent) => o.onToken!({ ...e, text: `${e.text}!` }))
        return { sample: (reqs, o) => m.sample(reqs, o && { ...o, onToken: onToken(o) }) }
      }),
  },
  {
    name: 'a strategy handed to the model tester',
    flags: ['kind'],
    run: () => checkModelContract(builtins.sft!() as unknown as ModelPlugin, { prompts: ['a', 'b'] }),
  },
]

// ——— verifiers: toy-answer with one defect ———

function brokenVerifier(edit: (verdicts: Verdict[], completions: string[]) => Verdict[] | never): VerifierPlugin {
  const real = builtins['toy-answer']!() as VerifierPlugin
  return {
    ...real,
    score: async (batch, ctx) =>
      edit(
        await real.score(batch, ctx),
        batch.map((b) => b.completion),
      ),
  }
}
async function toyCases(): Promise<VerifierCase[]> {
  return (await toyProblems()).flatMap((p) => [
    { item: { problem: p, completion: String((p.data?.correct as string[])[0]) }, expect: { pass: true } },
    { item: { problem: p, completion: 'wrong' }, expect: { pass: false } },
  ])
}
const verifierRun = (plugin: VerifierPlugin) => async () => checkVerifierContract(plugin, await toyCases())

const verifierRows: InvalidRow[] = [
  { name: 'score() returns one verdict too few', flags: ['score-shape', 'garbage'], run: verifierRun(brokenVerifier((v) => v.slice(0, -1))) },
  {
    name: 'score() throws on a very long candidate',
    flags: ['garbage'],
    run: verifierRun(
      brokenVerifier((v, completions) => {
        if (completions.some((c) => c.length > 10_000)) throw new Error('candidate too long')
        return v
      }),
    ),
  },
  {
    name: 'score() gives NaN for an empty candidate',
    flags: ['garbage'],
    run: verifierRun(brokenVerifier((v, completions) => v.map((x, i) => (completions[i] === '' ? { ...x, score: Number.NaN } : x)))),
  },
  { name: 'score() returns verdicts in reverse order', flags: ['score-order', 'expectations'], run: verifierRun(brokenVerifier((v) => [...v].reverse())) },
  {
    name: 'a verdict depends on its place in the batch',
    flags: ['score-order'],
    run: verifierRun(brokenVerifier((v) => v.map((x, i) => ({ ...x, score: x.score + i })))),
  },
  { name: 'verdicts without a reason', flags: ['score-shape', 'garbage'], run: verifierRun(brokenVerifier((v) => v.map((x) => ({ ...x, reason: '' })))) },
  {
    name: 'passes everything (the case table disagrees; pass contradicts reward)',
    flags: ['expectations', 'verdict-consistent'],
    run: verifierRun(brokenVerifier((v) => v.map((x) => ({ ...x, pass: true })))),
  },
]

// ——— tasks: toy with one defect ———

function brokenTask(
  edit: (data: Awaited<ReturnType<TaskPlugin['load']>>) => Awaited<ReturnType<TaskPlugin['load']>>,
  extra: Partial<TaskPlugin> = {},
  prompts = 12,
): TaskPlugin {
  const real = toyTask({ split: 'disjoint', prompts })
  return { ...real, load: async (ctx) => edit(await real.load(ctx)), ...extra }
}
const taskRun = (plugin: TaskPlugin) => () => checkTaskContract(plugin, { seed: 0 }, { knownVerifiers: ['toy-answer', 'math-answer'] })
let counter = 0

const taskRows: InvalidRow[] = [
  {
    name: 'two test problems share an id',
    flags: ['unique-ids'],
    run: taskRun(brokenTask((d) => ({ ...d, test: [...d.test, { ...d.test[0]!, prompt: 'another prompt' }] }))),
  },
  {
    name: 'an id names different problems in train and test',
    flags: ['unique-ids'],
    run: taskRun(brokenTask((d) => ({ ...d, test: d.test.map((p, i) => (i === 0 ? { ...p, id: d.train[0]!.id } : p)) }))),
  },
  {
    name: 'a problem with an empty id',
    flags: ['problems'],
    run: taskRun(brokenTask((d) => ({ ...d, train: d.train.map((p, i) => (i === 1 ? { ...p, id: '' } : p)) }))),
  },
  {
    name: 'load() is not deterministic',
    flags: ['deterministic'],
    run: taskRun(brokenTask((d) => ({ ...d, test: d.test.map((p) => ({ ...p, prompt: `${p.prompt} #${counter++}` })) }))),
  },
  { name: 'rewardVerifier names no known verifier', flags: ['verifier-names'], run: taskRun(brokenTask((d) => d, { rewardVerifier: 'toy-answr' })) },
  { name: 'evaluation-only data with a train split', flags: ['evaluation-only'], run: taskRun(brokenTask((d) => d, { evaluationOnly: true })) },
  {
    // The core would ignore the field: sft and pretraining would find no expert solutions.
    name: 'every problem carries its expert solution under a misspelled field',
    flags: ['problems'],
    run: taskRun(brokenTask((d) => ({ ...d, train: d.train.map(({ expert, ...p }) => ({ ...p, expert_solution: expert })) }))),
  },
  {
    name: 'one train problem misspells expert (the others have it): the rest of training is checked too',
    flags: ['problems', 'training'],
    run: taskRun(brokenTask((d) => ({ ...d, train: d.train.map(({ expert, ...p }, i) => (i === 0 ? { ...p, solution: expert } : { ...p, expert })) }))),
  },
  {
    name: 'a task with a train split of no expert solutions, checked as one that pretraining and sft train on',
    flags: ['training'],
    run: () =>
      checkTaskContract(
        brokenTask((d) => ({ ...d, train: d.train.map(({ expert: _expert, ...p }) => p) })),
        { seed: 0 },
        { knownVerifiers: ['toy-answer'], training: 'experts' },
      ),
  },
  {
    name: 'a training task with no train problems (not marked evaluationOnly)',
    flags: ['training'],
    run: taskRun(brokenTask((d) => ({ ...d, train: [] }))),
  },
  {
    name: 'problem data that is not plain JSON',
    flags: ['serializable'],
    run: taskRun(brokenTask((d) => ({ ...d, test: d.test.map((p) => ({ ...p, data: { ...p.data, when: new Date(0) } })) }))),
  },
  { name: 'a data file without a sha256', flags: ['data-files'], run: taskRun(brokenTask((d) => ({ ...d, files: [{ path: 'x.jsonl', sha256: 'abc' }] }))) },
  { name: 'an empty test split', flags: ['load'], run: taskRun(brokenTask((d) => ({ ...d, test: [] }))) },
  {
    name: 'a dataset task that loads nothing useful without --data (plain Error, plugin not named)',
    flags: ['missing-data'],
    run: () => {
      const real = toyTask()
      const plugin: TaskPlugin = { ...real, load: (ctx) => (ctx.dataPath ? real.load(ctx) : Promise.reject(new Error('ENOENT: undefined'))) }
      return checkTaskContract(plugin, { seed: 0, dataPath: '/dev/null' }, { requiresData: true })
    },
  },
]

// ——— strategies: bon-rl with one defect ———

const bonRl = () => builtins['bon-rl']!() as StrategyPlugin
const strategyRun = (plugin: StrategyPlugin) => () => checkStrategyContract(plugin, { nTrain: [1, 2] })
let calls = 0

const strategyRows: InvalidRow[] = [
  {
    name: 'weights() sorts the policy samples in place',
    flags: ['no-mutation'],
    run: strategyRun({ ...bonRl(), weights: (group, params) => bonRl().weights({ ...group, policy: group.policy.sort((a, b) => b.score - a.score) }, params) }),
  },
  {
    name: 'weights() uses its own random stream',
    flags: ['weights-pure'],
    run: strategyRun({
      ...bonRl(),
      weights: (group, params) => {
        const out = bonRl().weights(group, params)
        return { ...out, sequences: out.sequences.map((s) => ({ ...s, weight: s.weight + (calls++ % 7) / 100 })) }
      },
    }),
  },
  {
    name: 'weights() divides by the number of correct samples (NaN when none is correct)',
    flags: ['weights'],
    run: strategyRun({
      ...bonRl(),
      weights: (group) => {
        const correct = group.policy.filter((s) => s.reward === 1).length
        return { sequences: group.policy.map((s) => ({ prompt: group.problem.prompt, completion: s.completion, weight: s.reward / correct })) }
      },
    }),
  },
  {
    name: 'weights() trains on a completion that is not in the group',
    flags: ['known-completions'],
    run: strategyRun({
      ...bonRl(),
      weights: (group, params) => {
        const out = bonRl().weights(group, params)
        return { ...out, sequences: out.sequences.map((s) => ({ ...s, completion: `${s.completion.trim()} (edited)` })) }
      },
    }),
  },
  { name: "declares selection 'none' but makes BoN picks", flags: ['selection'], run: strategyRun({ ...bonRl(), selection: 'none' }) },
  { name: 'has no selection (the loader rejects it)', flags: ['shape'], run: strategyRun({ ...bonRl(), selection: undefined as never }) },
  { name: "declares usesNTrain 'yes', not a boolean (the loader rejects it)", flags: ['shape'], run: strategyRun({ ...bonRl(), usesNTrain: 'yes' as never }) },
  {
    name: 'leaves out usesNTrain while its needs and weights depend on N′ (a run would train it at N′ = 1 only)',
    flags: ['uses-n-train'],
    run: strategyRun({ ...bonRl(), usesNTrain: undefined }),
  },
  {
    name: 'needs() asks for a fractional, negative sample count',
    flags: ['needs'],
    run: strategyRun({ ...bonRl(), needs: ({ nTrain }) => ({ policySamples: -nTrain / 3 }) }),
  },
  {
    name: 'weights() refuses a binary reward with BENCH_DATA_INVALID (only a graded reward may be refused so)',
    flags: ['weights'],
    run: strategyRun({
      ...bonRl(),
      weights: () => {
        throw new BenchError('BENCH_DATA_INVALID', 'needs graded rewards')
      },
    }),
  },
  {
    name: 'weights() throws when every sample is correct',
    flags: ['weights'],
    run: strategyRun({
      ...bonRl(),
      weights: (group, params) => {
        if (group.policy.every((s) => s.reward === 1)) throw new Error('no negative sample')
        return bonRl().weights(group, params)
      },
    }),
  },
]

// ——— reporters: the line reporter with one defect ———

const quietLine = () => builtins.line!({ stream: { write: () => true } }) as ReporterPlugin
const reporterRows: InvalidRow[] = [
  {
    name: 'onEvent throws on a skipped cell',
    flags: ['on-event'],
    run: () => {
      const real = quietLine()
      return checkReporterContract({ ...real, onEvent: (e) => (e.type === 'cell:skip' ? Promise.reject(new Error('no result')) : real.onEvent!(e)) })
    },
  },
  {
    name: 'onRunEnd reads the first result without checking there is one',
    flags: ['run-end-empty'],
    run: () => checkReporterContract({ ...quietLine(), onRunEnd: ({ results }) => void results[0]!.metrics }),
  },
  {
    name: 'onEvent sorts the results of run:end in place',
    flags: ['events-untouched'],
    run: () => {
      const real = quietLine()
      return checkReporterContract({ ...real, onEvent: (e) => (e.type === 'run:end' ? void e.results.reverse() : real.onEvent!(e)) })
    },
  },
]

describe.each([
  ['model', modelRows],
  ['verifier', verifierRows],
  ['task', taskRows],
  ['strategy', strategyRows],
  ['reporter', reporterRows],
] as const)('the %s contract tester flags broken plugins', (_kind, rows) => {
  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    expectFlags(await row.run(), row.flags)
  })
})

describe('reports', () => {
  it('assertContract throws a plain Error listing each problem, and returns a clean report', async () => {
    const broken = await verifierRows[0]!.run()
    expect(() => assertContract(broken)).toThrow(/score-shape: score\(\) returned 5 verdicts for 6 items/)
    const clean = await checkVerifierContract(builtins['toy-answer']!() as VerifierPlugin, await toyCases())
    expect(assertContract(clean)).toBe(clean)
  })

  it('caps the problems of one check so a broken hook stays readable', async () => {
    const report = await checkTaskContract(
      brokenTask((d) => ({ ...d, train: d.train.map((p) => ({ ...p, id: '' })) }), {}, 60),
      { seed: 0 },
    )
    const problems = report.problems.filter((p) => p.check === 'problems')
    expect(problems).toHaveLength(13)
    expect(problems.at(-1)!.message).toMatch(/^… and \d+ more problem/)
  })
})
