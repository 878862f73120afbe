import { isDeepStrictEqual } from 'node:util'
import type { Problem, TaskData, TaskLoadContext, TaskPlugin } from '../plugin-api/task.js'
import { isBenchError } from '../errors.js'
import { ContractCollector, describeError, within, type ContractReport, type FailFn } from './contract-report.js'
import { checkPluginShape, pluginLabel } from './plugin-shape.js'
import { LifecycleHarness } from './lifecycle-checks.js'
import { unknownProblemFields } from '../plugin-api/problem-fields.js'

/** Settings of {@link checkTaskContract}. */
export interface TaskContractOptions {
  /** Check ids to leave out (reported as skipped). */
  skip?: readonly string[]
  /** Verifier names the task may refer to (e.g. the registry's names); unchecked when absent. */
  knownVerifiers?: readonly string[]
  /**
   * The task reads a data file (`ctx.dataPath`): also check that loading without one rejects with
   * a BenchError that names the plugin (`missing-data`).
   */
  requiresData?: boolean
  /** Longest one load may take (default 60 000 ms). */
  timeoutMs?: number
  /**
   * What training on the task needs, checked on its train split (`training`): 'experts' — every
   * train problem carries an `expert` solution (pretraining the base model and `sft` need them);
   * 'samples' — a non-empty train split with prompts the verifier can grade (strategies that learn
   * from their own samples: rl, bon-rl, …); false — evaluation data, not checked. Default: 'experts'
   * when any train problem has an expert (so all must), else 'samples'. An evaluation-only task is
   * never checked.
   */
  training?: 'experts' | 'samples' | false
}

/**
 * The task contract (core/plugin-api/task.ts): `load(ctx)` returns `train` and `test` arrays
 * (test non-empty) of problems with non-empty string ids unique within each split, string prompts
 * and well-typed optional fields (answer, expert, level, data), plain JSON data (journals key
 * records by id and store problems), the same problem wherever an id is in both splits, sha256
 * file hashes, and the same data again for the same context (deterministic). The task names its
 * reward verifier (and selector) by a non-empty name, an evaluation-only task has no train split,
 * generation defaults are well-formed, a problem holds no field but id, prompt, answer, expert,
 * level and data, a training task has what training needs (`training`), and (with `requiresData`) a load without a data path fails
 * with a BenchError naming the plugin. Runs in plugin authors' tests; never throws for a
 * broken plugin.
 */
export async function checkTaskContract(plugin: TaskPlugin, ctx: TaskLoadContext, opts: TaskContractOptions = {}): Promise<ContractReport> {
  const collector = new ContractCollector(pluginLabel(plugin), 'task', new Set(opts.skip))
  if (!(await checkPluginShape(plugin, 'task', collector))) return collector.report()
  const timeoutMs = opts.timeoutMs ?? 60_000
  const life = new LifecycleHarness(plugin, collector, opts.timeoutMs ?? 60_000)
  if (!(await life.start())) {
    await life.end()
    return collector.report()
  }
  try {
    await collector.run('verifier-names', (fail) => {
      if (typeof plugin.rewardVerifier !== 'string' || plugin.rewardVerifier.trim() === '')
        fail("rewardVerifier must name a verifier plugin (e.g. 'math-answer')")
      else if (opts.knownVerifiers && !opts.knownVerifiers.includes(plugin.rewardVerifier))
        fail(`rewardVerifier '${plugin.rewardVerifier}' is not a known verifier (${opts.knownVerifiers.join(', ')})`)
      if (plugin.selector !== undefined) {
        if (typeof plugin.selector !== 'string' || plugin.selector.trim() === '') fail('selector, when given, must name a verifier plugin')
        else if (opts.knownVerifiers && !opts.knownVerifiers.includes(plugin.selector)) fail(`selector '${plugin.selector}' is not a known verifier`)
      }
    })
    await collector.run('generation', (fail) => {
      const g = plugin.generation
      if (g === undefined) return
      if (g.maxTokens !== undefined && (!Number.isInteger(g.maxTokens) || g.maxTokens < 1))
        fail(`generation.maxTokens must be a positive integer, got ${String(g.maxTokens)}`)
      if (g.stop !== undefined && (!Array.isArray(g.stop) || g.stop.some((s) => typeof s !== 'string' || s === '')))
        fail('generation.stop must be an array of non-empty strings')
    })

    let data: TaskData | undefined
    await collector.run('load', async (fail) => {
      const out = await within(timeoutMs, 'load()', plugin.load(ctx))
      if (!out || !Array.isArray(out.train) || !Array.isArray(out.test)) return fail('load() must resolve to { train: Problem[], test: Problem[] }')
      if (out.test.length === 0) fail('the test split is empty: there is nothing to evaluate')
      data = out
    })
    if (!data) return collector.report()
    const loaded = data

    await collector.run('problems', (fail) => {
      for (const split of ['train', 'test'] as const) loaded[split].forEach((p, i) => checkProblem(p, `${split}[${i}]`, fail))
    })
    await collector.run('unique-ids', (fail) => {
      // A missing or empty id is the `problems` check's finding: comparing such ids would only
      // repeat it ("id 'undefined' appears twice").
      const withId = (split: 'train' | 'test') => loaded[split].filter((p): p is Problem => typeof p?.id === 'string' && p.id.trim() !== '')
      for (const split of ['train', 'test'] as const) {
        const seen = new Set<string>()
        for (const p of withId(split)) {
          if (seen.has(p.id)) fail(`id '${p.id}' appears twice in ${split}: ids key the journal records and must be unique within a split`)
          seen.add(p.id)
        }
      }
      const train = new Map(withId('train').map((p) => [p.id, p]))
      for (const p of withId('test')) {
        const twin = train.get(p.id)
        if (twin && !isDeepStrictEqual(twin, p)) fail(`id '${p.id}' names different problems in train and test: one id must mean one problem`)
      }
    })
    await collector.run('serializable', (fail) => {
      for (const split of ['train', 'test'] as const) {
        loaded[split].forEach((p, i) => {
          if (!isDeepStrictEqual(JSON.parse(JSON.stringify(p)), p))
            fail(`${split}[${i}] ('${p?.id}') does not survive JSON: problems (and their data) must be plain JSON values`)
        })
      }
    })
    await collector.run('data-files', (fail) => {
      if (loaded.corpus !== undefined && typeof loaded.corpus !== 'string') fail('corpus, when given, must be a string')
      if (loaded.files === undefined) return
      if (!Array.isArray(loaded.files)) return fail('files, when given, must be an array of { path, sha256 }')
      for (const f of loaded.files) {
        if (typeof f?.path !== 'string' || f.path === '') fail('files[].path must be a non-empty string')
        if (typeof f?.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256))
          fail(`files[].sha256 must be 64 lowercase hex digits, got ${JSON.stringify(f?.sha256)}`)
      }
    })
    await collector.run('evaluation-only', (fail) => {
      if (plugin.evaluationOnly !== undefined && typeof plugin.evaluationOnly !== 'boolean') fail('evaluationOnly, when given, must be a boolean')
      if (plugin.evaluationOnly === true && loaded.train.length > 0)
        fail(`the task is evaluation-only but load() gave ${loaded.train.length} train problems: its licence forbids training on them`)
    })
    await collector.run('training', (fail) => {
      if (plugin.evaluationOnly === true || opts.training === false) return
      const train = loaded.train
      if (train.length === 0)
        return fail(
          'the train split is empty, so no strategy can train on the task and the base model cannot be pretrained: give load() train problems, set evaluationOnly: true when the licence forbids training, or pass { training: false } for evaluation data',
        )
      const lacking = train.filter((p) => p?.expert === undefined)
      const needsExperts = opts.training === 'experts' || (opts.training === undefined && lacking.length < train.length)
      if (needsExperts && lacking.length > 0)
        fail(
          `${lacking.length} of ${train.length} train problems have no expert solution (first: '${lacking[0]!.id}'): pretraining and sft train on problem.expert, so every train problem needs one${opts.training === undefined ? ' (or none, for a task trained only from samples)' : ''}`,
        )
    })
    if (opts.requiresData) {
      await collector.run('missing-data', async (fail) => {
        const { dataPath: _dataPath, ...withoutData } = ctx
        const outcome = await within(timeoutMs, 'load() without dataPath', plugin.load(withoutData)).then(
          () => undefined,
          (error: unknown) => error,
        )
        if (outcome === undefined) return fail('load() without ctx.dataPath resolved: a dataset task must say that --data is needed')
        if (!isBenchError(outcome))
          fail(`load() without ctx.dataPath threw ${describeError(outcome)}: throw a BenchError (BENCH_DATA_MISSING) that says to pass --data`)
        else if (!outcome.message.includes(plugin.name)) fail(`the error for a missing --data does not name the plugin: "${outcome.message.slice(0, 120)}"`)
      })
    }
    await collector.run('deterministic', async (fail) => {
      const again = await within(timeoutMs, 'load() (second call)', plugin.load(ctx))
      if (!isDeepStrictEqual(again, loaded))
        fail('a second load() with the same context gave different data: loading must be deterministic in the seed and options')
    })
  } finally {
    await life.end(async () => {
      await plugin.load(ctx)
    })
  }
  return collector.report()
}

function checkProblem(p: Problem, where: string, fail: FailFn): void {
  if (!p || typeof p !== 'object') return fail(`${where} is not a problem object`)
  if (typeof p.id !== 'string' || p.id.trim() === '') fail(`${where}: id must be a non-empty string, got ${JSON.stringify(p.id)}`)
  if (typeof p.prompt !== 'string' || p.prompt === '') fail(`${where} ('${p.id}'): prompt must be a non-empty string`)
  if (p.answer !== undefined && typeof p.answer !== 'string') fail(`${where} ('${p.id}'): answer, when given, must be a string`)
  if (p.expert !== undefined && typeof p.expert !== 'string') fail(`${where} ('${p.id}'): expert, when given, must be a string`)
  if (p.level !== undefined && (typeof p.level !== 'number' || !Number.isFinite(p.level)))
    fail(`${where} ('${p.id}'): level, when given, must be a finite number`)
  if (p.data !== undefined && (p.data === null || typeof p.data !== 'object' || Array.isArray(p.data)))
    fail(`${where} ('${p.id}'): data, when given, must be an object`)
  for (const { field, hint } of unknownProblemFields(p)) fail(`${where} ('${p.id}'): unknown field '${field}': ${hint}`)
}
