/**
 * Every built-in plugin through the contract tester of its kind (core/testing, the same testers
 * plugin authors import). A new built-in without a row here fails the coverage tests, so add one.
 * The testers themselves are tested on broken plugins in contract-testers.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import type {
  Plugin,
  PluginKind,
  ModelInstance,
  ModelPlugin,
  Problem,
  TaskPlugin,
  VerifierPlugin,
  StrategyPlugin,
  ReporterPlugin,
} from '../../core/plugin-api/index.js'
import { createRng } from '../../core/rng.js'
import {
  checkModelContract,
  checkReporterContract,
  checkStrategyContract,
  checkTaskContract,
  checkVerifierContract,
  formatContractReport,
  garbageCompletions,
  type ContractReport,
  type ModelContractOptions,
  type VerifierCase,
  type VerifierContractOptions,
} from '../../core/testing/index.js'
import { builtins } from '../helpers/builtin-factories.js'
import { createOpenAiServer, type OpenAiServer } from '../../cli/serve/openai-server.js'

/** The shared data sets beside the repository (read in place, never copied). */
const data = path.resolve(fileURLToPath(new URL('../..', import.meta.url)), '../shared/data')

/** Fails with the tester's own readable report when a built-in breaks its contract. */
function expectKept(report: ContractReport, mustPass: string[] = []): void {
  expect(report.problems, formatContractReport(report)).toEqual([])
  for (const check of mustPass) expect(report.passed, `${report.plugin}: check '${check}' did not run`).toContain(check)
}

const kindOf = (short: string): PluginKind => builtins[short]!().kind
const shortsOf = (kind: PluginKind) => Object.keys(builtins).filter((short) => kindOf(short) === kind)
const toyProblems = async (prompts = 4): Promise<Problem[]> => (await (builtins.toy!({ prompts }) as TaskPlugin).load({ seed: 0 })).test

// ——— models ———

const tinyCorpus = 'abcdefgh0123456789+=. '
// The smallest sensible tiny-transformer (options.ts): one layer, width 16.
const tinyOptions = { layers: 1, width: 16, heads: 2, context: 24 }
const tinyOpts = { prompts: ['ab=', 'h7+1=', 'c'], corpus: tinyCorpus, backend: 'wasm', n: 3, maxTokens: 12, learningRate: 1e-2 }
// A tabular completion is a whole answer word, one token: it has no place to stop inside (its
// documented design), so the stop-string check is left out for it.
const tabularOpts = async (): Promise<ModelContractOptions> => ({ prompts: (await toyProblems(3)).map((p) => p.prompt), skip: ['stop-strings'] })
// A replayed dump: its problems matched by prompt text (the tester's ids are p0, p1, …), 4 samples each.
const replayDir = mkdtempSync(path.join(tmpdir(), 'bonbench-contract-replay-'))
afterAll(() => rmSync(replayDir, { recursive: true, force: true }))
const replayDump = path.join(replayDir, 'dump.jsonl')
writeFileSync(
  replayDump,
  ['ab=', 'h7+1=', 'c']
    .map((prompt, i) => JSON.stringify({ id: `q${i}`, prompt, samples: ['1', '22', '333', '4'].map((text, j) => ({ text, reward: j % 2 })) }))
    .join('\n'),
)
const modelRows: Array<{ short: string; label: string; row: () => Promise<{ plugin: ModelPlugin; opts: ModelContractOptions }> }> = [
  { short: 'tabular', label: 'toy prompts', row: async () => ({ plugin: builtins.tabular!() as ModelPlugin, opts: await tabularOpts() }) },
  {
    short: 'tabular',
    label: 'Adam optimizer',
    row: async () => ({ plugin: builtins.tabular!({ optimizer: 'adam', learningRate: 0.1 }) as ModelPlugin, opts: await tabularOpts() }),
  },
  {
    short: 'tiny-transformer',
    label: 'in-process sampling',
    row: async () => ({ plugin: builtins['tiny-transformer']!(tinyOptions) as ModelPlugin, opts: tinyOpts }),
  },
  // Two sampling workers: batches are split across threads, so batch independence and weight sync after update matter.
  // Each instance that samples starts its own two threads (about 1.5 s of CPU each from the
  // sources); clone-cache-invariant's two clones would add four more. It compares a clone of the
  // trained model with a clone of the loaded one, both trained on the main thread: nothing it checks
  // depends on where the samples are drawn, so it runs in the in-process row above (weight sync
  // to the workers after updates: tiny-transformer-workers.test.ts).
  {
    short: 'tiny-transformer',
    label: '2 sampling workers',
    row: async () => ({
      plugin: builtins['tiny-transformer']!(tinyOptions) as ModelPlugin,
      opts: { ...tinyOpts, concurrency: 2, skip: ['clone-cache-invariant'] },
    }),
  },
  // The HTTP model against `bench serve`'s server over a tiny-transformer, on loopback: no training hooks.
  {
    short: 'openai-compatible',
    label: 'against bench serve on loopback',
    row: async () => {
      const model = await (builtins['tiny-transformer']!(tinyOptions) as ModelPlugin).create({ seed: 1, corpus: tinyCorpus, concurrency: 1, backend: 'wasm' })
      const server = createOpenAiServer({ model, modelName: 'tiny', maxBodyBytes: 1 << 20 })
      const baseUrl = await server.listen(0, '127.0.0.1')
      servers.push({ server, model })
      return { plugin: builtins['openai-compatible']!({ baseUrl, logprobs: true, cache: false }) as ModelPlugin, opts: tinyOpts }
    },
  },
  // A replay serves the recorded samples: seeds, temperature and stop strings do not change them.
  {
    short: 'replay',
    label: 'a dump matched by prompt text',
    row: async () => ({
      plugin: builtins.replay!({ samples: replayDump }) as ModelPlugin,
      opts: { prompts: ['ab=', 'h7+1=', 'c'], skip: ['greedy', 'stop-strings', 'seed-varies'] },
    }),
  },
]
const servers: Array<{ server: OpenAiServer; model: ModelInstance }> = []
afterAll(async () => {
  for (const { server, model } of servers) {
    await server.close()
    await model.dispose?.()
  }
})
const samplingOnly = ['sample-shape', 'seed-reproducible', 'batch-independent', 'greedy', 'abort', 'stop-strings', 'token-events']

describe('model contract: every built-in model', () => {
  it('has a row for every built-in model', () => {
    expect([...new Set(modelRows.map((r) => r.short))].sort()).toEqual(shortsOf('model').sort())
  })
  for (const { short, label, row } of modelRows) {
    it(`bonbench:${short} (${label}) keeps the model contract (sampling, training, clone, save/load)`, async () => {
      const { plugin, opts } = await row()
      if (short === 'openai-compatible') return expectKept(await checkModelContract(plugin, opts), samplingOnly)
      expectKept(await checkModelContract(plugin, opts), [
        'sample-shape',
        'seed-reproducible',
        'batch-independent',
        'abort',
        'token-events',
        ...(short === 'replay'
          ? []
          : [
              'greedy',
              ...(short === 'tabular' ? [] : ['stop-strings']),
              'update-stats',
              'logprob-agrees',
              'update-direction',
              'clone-independent',
              'save-load',
              ...(opts.skip?.includes('clone-cache-invariant') ? [] : ['clone-cache-invariant']),
            ]),
      ])
    })
  }
})

// ——— verifiers ———

const mathProblem: Problem = { id: 'm1', prompt: 'What is 3 + 4?', answer: '7' }
const verifierRows: Record<string, () => Promise<{ plugin: VerifierPlugin; cases: VerifierCase[]; opts?: VerifierContractOptions }>> = {
  'toy-answer': async () => {
    const problems = await toyProblems(3)
    const correct = (p: Problem) => String((p.data?.correct as string[] | undefined)?.[0] ?? p.answer)
    return {
      plugin: builtins['toy-answer']!() as VerifierPlugin,
      cases: problems.flatMap((p) => [
        { item: { problem: p, completion: correct(p) }, expect: { pass: true, reward: 1, reason: 'passed', minScore: 1 } },
        { item: { problem: p, completion: 'definitely-not-an-answer' }, expect: { pass: false, reward: 0, reason: 'failed', maxScore: 0 } },
        { item: { problem: p, completion: '' }, expect: { pass: false, reason: 'no-answer' } },
      ]),
    }
  },
  'math-answer': async () => {
    const math500 = (await (builtins.math500!({ limit: 2 }) as TaskPlugin).load({ seed: 0, dataPath: path.join(data, 'math') })).test
    return {
      plugin: builtins['math-answer']!() as VerifierPlugin,
      cases: [
        { item: { problem: mathProblem, completion: '3 + 4 = 7, so the answer is \\boxed{7}.' }, expect: { pass: true, reward: 1, answer: '7' } },
        { item: { problem: mathProblem, completion: 'The answer is \\boxed{8}.' }, expect: { pass: false, reward: 0 } },
        ...math500.map((p) => ({
          name: `math500 ${p.id}`,
          item: { problem: p, completion: `Therefore the answer is $\\boxed{${p.answer}}$.` },
          expect: { pass: true },
        })),
      ],
    }
  },
  'js-sandbox': async () => {
    const problems = (await (builtins['humaneval-js']!({ limit: 2 }) as TaskPlugin).load({ seed: 0, dataPath: path.join(data, 'humaneval_js') })).test
    return {
      // A looping candidate runs until the limit, six times here (batch, reversed, alone) and twice
      // more as garbage: 250 ms is far above the references' few milliseconds.
      plugin: builtins['js-sandbox']!({ timeoutMs: 250, calibrate: false }) as VerifierPlugin,
      cases: problems.flatMap((p) => [
        { name: `${p.id} reference`, item: { problem: p, completion: p.expert! }, expect: { pass: true, reason: 'passed' } },
        { name: `${p.id} wrong`, item: { problem: p, completion: '  return 0\n}\n' }, expect: { pass: false, reason: 'assertion' } },
        { name: `${p.id} loops`, item: { problem: p, completion: '  while (true) {}\n}\n' }, expect: { pass: false, reason: 'timeout' } },
      ]),
    }
  },
  command: async () => {
    const problems = (await (builtins.humaneval!({ limit: 1 }) as TaskPlugin).load({ seed: 0, dataPath: path.join(data, 'humaneval') })).test
    return {
      plugin: builtins.command!({ timeoutMs: 3000 }) as VerifierPlugin,
      cases: problems.flatMap((p) => [
        { name: `${p.id} reference`, item: { problem: p, completion: p.expert! }, expect: { pass: true, reason: 'passed' } },
        { name: `${p.id} wrong`, item: { problem: p, completion: '    return None\n' }, expect: { pass: false } },
      ]),
      // Each candidate is a python3 process: a few of the worst garbage candidates are enough here.
      opts: { garbageProblems: 1, concurrency: 2, garbage: garbageCompletions.filter((_, i) => i % 4 === 0) },
    }
  },
  'python-sandbox': async () => {
    const problems = (await (builtins.humaneval!({ limit: 2 }) as TaskPlugin).load({ seed: 0, dataPath: path.join(data, 'humaneval') })).test
    return {
      // A looping candidate burns a core until the limit, six times here (batch, reversed, alone):
      // 300 ms is far above the references' few milliseconds in a forked child.
      plugin: builtins['python-sandbox']!({ timeoutMs: 300 }) as VerifierPlugin,
      cases: problems.flatMap((p) => [
        { name: `${p.id} reference`, item: { problem: p, completion: p.expert! }, expect: { pass: true, reason: 'passed' } },
        { name: `${p.id} wrong`, item: { problem: p, completion: '    return None\n' }, expect: { pass: false } },
        { name: `${p.id} loops`, item: { problem: p, completion: '    while True:\n        pass\n' }, expect: { pass: false, reason: 'timeout' } },
      ]),
      opts: { concurrency: 2 },
    }
  },
}

describe('verifier contract: every built-in verifier', () => {
  it('has a row for every built-in verifier that needs no preparation (reward-model is checked below; recorded never judges)', () => {
    expect([...Object.keys(verifierRows), 'reward-model', 'recorded'].sort()).toEqual(shortsOf('verifier').sort())
  })
  for (const [short, row] of Object.entries(verifierRows)) {
    it(`bonbench:${short} keeps the verifier contract (order, garbage, expectations)`, async () => {
      const { plugin, cases, opts } = await row()
      try {
        expectKept(await checkVerifierContract(plugin, cases, opts), ['score-shape', 'score-order', 'expectations', 'garbage'])
      } finally {
        await plugin.dispose?.()
      }
    })
  }

  it('bonbench:reward-model has the verifier shape, refuses to score before prepare, and keeps the contract once prepared on toy data', async () => {
    const plugin = builtins['reward-model']!({ samplesPerPrompt: 4, epochs: 3, featureDim: 256, cache: false }) as VerifierPlugin
    const toy = await (builtins.toy!({ prompts: 12 }) as TaskPlugin).load({ seed: 0 })
    await expect(plugin.score([{ problem: toy.test[0]!, completion: 'x' }], { concurrency: 1 })).rejects.toMatchObject({ code: 'BENCH_USAGE' })
    const model = await (builtins.tabular!() as ModelPlugin).create({ seed: 0, corpus: '', concurrency: 1 })
    const reward = builtins['toy-answer']!() as VerifierPlugin
    await plugin.prepare!({ task: toy, model, reward, seed: 0, rng: createRng(0), cacheDir: '', temperature: 1, generation: { maxTokens: 8 }, log: () => {} })
    try {
      const cases = toy.test
        .slice(0, 3)
        .map((problem) => ({ item: { problem, completion: String((problem.data?.correct as string[])[0]) }, expect: { minScore: 0, maxScore: 1 } }))
      expectKept(await checkVerifierContract(plugin, cases), ['score-shape', 'score-order', 'garbage'])
    } finally {
      await plugin.dispose?.()
    }
  })
})

// ——— tasks ———

// `training: false`: test-only evaluation data (MATH500, HumanEval ship no train split).
const taskRows: Record<string, Array<{ label: string; options?: Record<string, unknown>; dataPath?: string; training?: false }>> = {
  toy: [{ label: 'shared split' }, { label: 'disjoint split', options: { split: 'disjoint', prompts: 12 } }],
  math: [{ label: 'small', options: { trainSize: 60, testSize: 20 } }],
  math500: [{ label: 'MATH500', options: { limit: 40 }, dataPath: path.join(data, 'math'), training: false }],
  gsm8k: [{ label: 'GSM8K test', options: { limit: 40, trainFraction: 0.5 }, dataPath: path.join(data, 'gsm8k') }],
  humaneval: [{ label: 'HumanEval', dataPath: path.join(data, 'humaneval'), training: false }],
  'sample-dump': [{ label: 'Qwen2.5-Math output', options: { samples: path.join(data, 'samples/qwen25math_math_cot_100.jsonl.gz') }, training: false }],
  mbpp: [{ label: 'MBPP', options: { limit: 20, fewShot: 3 }, dataPath: path.join(data, 'mbpp') }],
  'humaneval-js': [
    { label: 'HumanEval-X', options: { trainFraction: 0.3 }, dataPath: path.join(data, 'humaneval_js') },
    { label: 'MultiPL-E (evaluation only)', dataPath: path.join(data, 'humaneval_js/humaneval-js.multiple-e.jsonl') },
  ],
}

describe('task contract: every built-in task', () => {
  it('has a row for every built-in task', () => {
    expect(Object.keys(taskRows).sort()).toEqual(shortsOf('task').sort())
  })
  const knownVerifiers = Object.keys(builtins).filter((short) => kindOf(short) === 'verifier')
  for (const [short, rows] of Object.entries(taskRows)) {
    for (const { label, options, dataPath, training } of rows) {
      it(`bonbench:${short} (${label}) keeps the task contract`, async () => {
        const plugin = builtins[short]!(options) as TaskPlugin
        const report = await checkTaskContract(
          plugin,
          { seed: 3, ...(dataPath ? { dataPath } : {}) },
          {
            knownVerifiers,
            requiresData: dataPath !== undefined,
            ...(training === false ? { training } : {}),
          },
        )
        expectKept(report, ['load', 'problems', 'unique-ids', 'deterministic', 'training', ...(dataPath ? ['missing-data'] : [])])
      })
    }
  }
})

// ——— strategies and reporters: every built-in, no setup needed ———

describe('strategy contract: every built-in strategy', () => {
  for (const short of shortsOf('strategy')) {
    it(`bonbench:${short} keeps the strategy contract for N′ ∈ {1, 2, 4, 8}`, async () => {
      expectKept(await checkStrategyContract(builtins[short]!() as StrategyPlugin, { nTrain: [1, 2, 4, 8] }), [
        'needs',
        'selection',
        'weights',
        'known-completions',
        'weights-pure',
        'no-mutation',
      ])
    })
  }
})

describe('reporter contract: every built-in reporter', () => {
  const lines: string[] = []
  const optionsOf: Record<string, Record<string, unknown>> = { line: { stream: { write: (text: string) => lines.push(text) } } }
  for (const short of shortsOf('reporter')) {
    it(`bonbench:${short} keeps the reporter contract (every event type; a run with no finished cell)`, async () => {
      const plugin = builtins[short]!(optionsOf[short]) as ReporterPlugin
      const report = await checkReporterContract(plugin)
      expectKept(report)
      expect(report.passed.some((c) => c === 'on-event' || c === 'run-end-empty')).toBe(true)
    })
  }
  it('the line reporter really printed while being checked', () => {
    expect(lines.join('')).toMatch(/run contract: 3 cells/)
  })
})

describe('coverage', () => {
  it('every built-in is checked by a contract tester of its kind', () => {
    const covered = new Set([
      ...modelRows.map((r) => r.short),
      ...Object.keys(verifierRows),
      'reward-model',
      // recorded never judges: the evaluator uses a replayed dump's own verdicts (test/plugins/replay.test.ts).
      'recorded',
      ...Object.keys(taskRows),
      ...shortsOf('strategy'),
      ...shortsOf('reporter'),
    ])
    expect(Object.keys(builtins).filter((short) => !covered.has(short))).toEqual([])
  })
})

describe('a third-party plugin package, checked as its author would', () => {
  it('bonbench-plugin-dice (test/fixtures): task, verifier and model keep their contracts', async () => {
    const { default: dice } = (await import(new URL('../fixtures/bonbench-plugin-dice/index.js', import.meta.url).href)) as { default: () => Plugin[] }
    const [task, verifier, model] = dice() as [TaskPlugin, VerifierPlugin, ModelPlugin]
    expectKept(await checkTaskContract(task, { seed: 0 }, { knownVerifiers: [verifier.name] }))
    const problems = (await task.load({ seed: 0 })).test
    expectKept(
      await checkVerifierContract(
        verifier,
        problems.map((problem) => ({ item: { problem, completion: problem.answer! }, expect: { pass: true } })),
      ),
    )
    // A dice roller has no temperature, rolls whole numbers and finishes at once: greedy decoding,
    // stop strings and abort do not apply.
    const report = await checkModelContract(model, { prompts: problems.map((p) => p.prompt), skip: ['greedy', 'stop-strings', 'abort'] })
    expectKept(report, ['sample-shape', 'seed-reproducible', 'batch-independent'])
    expect(report.skipped.map((s) => s.check)).toEqual(expect.arrayContaining(['greedy', 'abort', 'update-stats']))
  })
})
