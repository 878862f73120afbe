import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import type { ModelCreateContext, ModelInstance, ModelPlugin, SampleRequest, SampleResult, TokenEvent } from '../plugin-api/model.js'
import { ContractCollector, LIFECYCLE_CHECKS, SHAPE_CHECKS, within, type ContractReport, type FailFn } from './contract-report.js'
import { checkTrainable, type ModelHarness } from './model-training-checks.js'
import { sameSamples } from './same-samples.js'
import { checkPluginShape, pluginLabel } from './plugin-shape.js'
import { LifecycleHarness } from './lifecycle-checks.js'

/** The check ids of {@link checkModelContract} (those of a trainable model included): what `skip` may name. */
export const MODEL_CHECKS = [
  ...SHAPE_CHECKS,
  ...LIFECYCLE_CHECKS,
  'create',
  'describe',
  'sample-shape',
  'sample-empty',
  'seed-reproducible',
  'seed-varies',
  'batch-independent',
  'stop-strings',
  'greedy',
  'abort',
  'token-events',
  'dispose',
  'trainable',
  'trainable-hooks',
  'trainable-sample',
  'update-stats',
  'update-direction',
  'logprob-shape',
  'logprob-agrees',
  'clone-independent',
  'clone-cache-invariant',
  'save-load',
] as const

/** Settings of {@link checkModelContract}. Only `prompts` (two or more) is required. */
export interface ModelContractOptions {
  /** Prompts the checks sample from (two or more; a tabular-style model needs its own prompt format). */
  prompts: string[]
  /** Corpus handed to `create` (default: the prompts joined by newlines). */
  corpus?: string
  /** Seed of `create` (default 1). */
  seed?: number
  /** `ctx.backend` of create/load. */
  backend?: string
  /** `ctx.concurrency` of create/load (default 1). */
  concurrency?: number
  /** Completions per request (default 4). */
  n?: number
  /** `maxTokens` of every request (default 16). */
  maxTokens?: number
  /** Learning rate of the training checks (default: the model's own). */
  learningRate?: number
  /** |logProb() − sample().logProb| allowed (default 1e-3). */
  logProbTolerance?: number
  /** Folder for the save/load check (default: a fresh temporary folder, removed afterwards). */
  dir?: string
  /**
   * Check ids to leave out (reported as skipped), e.g. `['greedy']` for a model without
   * temperature-0 decoding or `['stop-strings']` for one whose completions are whole answers.
   */
  skip?: readonly string[]
  /** Longest any single hook call may take (default 60 000 ms). */
  timeoutMs?: number
}

/**
 * The model contract (core/plugin-api/model.ts), checked on real instances: `create` with a small
 * corpus; `describe`; `sample` returns one result per request in order with `n` completions of
 * the right types, is reproducible for a seed (also alone vs. in a batch), varies with the seed,
 * ends at stop strings (kept out of the text), is greedy at temperature 0 and honours an aborted
 * signal. A trainable model (one with `update`)
 * is also checked for finite update stats, `logProb` agreeing with sampled log-probs, a positive
 * weight raising log π, an independent `clone`, and `save`/`load` round-trips (same samples, same
 * hash). Runs when a plugin author's test calls it; never throws for a broken plugin (each
 * problem is in the report) and disposes every instance it made.
 */
export async function checkModelContract(plugin: ModelPlugin, opts: ModelContractOptions): Promise<ContractReport> {
  const skip = new Set(opts.skip ?? [])
  const collector = new ContractCollector(pluginLabel(plugin), 'model', skip)
  collector.checkLeaveOut(MODEL_CHECKS)
  if (!(await checkPluginShape(plugin, 'model', collector))) return collector.report()
  // A misuse of the tester, not a problem of the plugin (docs/plugins.md says so): it throws.
  if (!Array.isArray(opts.prompts) || opts.prompts.length < 2)
    throw new Error(
      'checkModelContract: give at least two prompts (opts.prompts): the batch, seed and independence checks compare samples of different prompts',
    )
  const timeoutMs = opts.timeoutMs ?? 60_000
  const ctx: ModelCreateContext = {
    seed: opts.seed ?? 1,
    corpus: opts.corpus ?? opts.prompts.join('\n'),
    concurrency: opts.concurrency ?? 1,
    ...(opts.backend ? { backend: opts.backend } : {}),
  }
  const n = opts.n ?? 4
  const maxTokens = opts.maxTokens ?? 16
  const requests = (temperature: number, seedOffset = 0): SampleRequest[] =>
    opts.prompts.map((prompt, i) => ({ promptId: `p${i}`, prompt, n, temperature, maxTokens, seed: 1000 + 17 * i + seedOffset }))
  const instances: ModelInstance[] = []
  const ownDir = opts.dir ? undefined : await mkdtemp(path.join(tmpdir(), 'bonbench-model-contract-'))
  const harness: ModelHarness = {
    plugin,
    ctx,
    requests,
    collector,
    timeoutMs,
    dir: opts.dir ?? ownDir!,
    learningRate: opts.learningRate,
    tolerance: opts.logProbTolerance ?? 1e-3,
    track: (instance) => {
      instances.push(instance)
      return instance
    },
  }

  const life = new LifecycleHarness(plugin, collector, timeoutMs)
  if (!(await life.start())) {
    await life.end()
    if (ownDir) await rm(ownDir, { recursive: true, force: true })
    return collector.report()
  }
  try {
    let model: ModelInstance | undefined
    await collector.run('create', async (fail) => {
      const made = await within(timeoutMs, 'create()', plugin.create(ctx))
      if (!made || typeof made.sample !== 'function' || typeof made.describe !== 'function') {
        fail('create() must resolve to an instance with sample() and describe()')
        return
      }
      model = harness.track(made)
    })
    if (!model) return collector.report()
    const samples = await checkSampling(harness, model, { n, maxTokens })
    if (typeof model.update === 'function') {
      if (samples) await checkTrainable(harness, model)
      else collector.skip('trainable', 'sample() is broken, so the training checks cannot run')
    } else
      for (const check of ['update-stats', 'logprob-agrees', 'clone-independent', 'save-load', 'clone-cache-invariant'])
        collector.skip(check, 'the model has no update(): not trainable')
  } finally {
    await collector.run('dispose', async () => {
      // Twice on purpose: dispose must be safe to call again.
      for (const instance of instances) {
        await within(timeoutMs, 'dispose()', instance.dispose?.())
        await within(timeoutMs, 'dispose() (second call)', instance.dispose?.())
      }
    })
    if (ownDir) await rm(ownDir, { recursive: true, force: true })
    await life.end(async () => {
      const again = await within(timeoutMs, 'create() after a new setup()', plugin.create(ctx))
      await again.dispose?.()
    })
  }
  return collector.report()
}

/** The sampling checks; true when sample() works well enough for the training checks. */
async function checkSampling(h: ModelHarness, model: ModelInstance, { n, maxTokens }: { n: number; maxTokens: number }): Promise<boolean> {
  const { collector, requests, timeoutMs } = h
  const sample = (reqs: SampleRequest[], signal?: AbortSignal) => within(timeoutMs, 'sample()', model.sample(reqs, signal ? { signal } : undefined))

  await collector.run('describe', (fail) => {
    const d = model.describe()
    if (!d || typeof d !== 'object') return fail('describe() must return an object')
    if (typeof d.parameters !== 'number' || !Number.isFinite(d.parameters) || d.parameters < 0)
      fail(`describe().parameters must be a finite number ≥ 0, got ${String(d.parameters)}`)
    if (typeof d.backend !== 'string' || d.backend === '') fail('describe().backend must be a non-empty string')
    if (typeof d.device !== 'string' || d.device === '') fail('describe().device must be a non-empty string')
    if (d.hash !== undefined && (typeof d.hash !== 'string' || d.hash === '')) fail('describe().hash, when given, must be a non-empty string')
  })

  let first: SampleResult[] | undefined
  await collector.run('sample-shape', async (fail) => {
    const reqs = requests(1)
    first = await sample(reqs)
    checkResults(first, reqs, n, maxTokens, fail)
  })
  await collector.run('sample-empty', async (fail) => {
    const out = await sample([])
    if (!Array.isArray(out) || out.length !== 0) fail(`sample([]) must resolve to [], got ${JSON.stringify(out)?.slice(0, 80)}`)
  })
  if (!first || !collector.report().passed.includes('sample-shape')) return false

  await collector.run('seed-reproducible', async (fail) => {
    const again = await sample(requests(1))
    if (!sameSamples(again, first!, h.tolerance)) fail('the same requests (same seeds) gave different completions on a second call')
  })
  await collector.run('batch-independent', async (fail) => {
    const reqs = requests(1)
    for (let i = 0; i < reqs.length; i++) {
      const [alone] = await sample([reqs[i]!])
      if (!alone || !sameSamples([alone], [first![i]!], h.tolerance))
        fail(`request ${i} sampled alone differs from the same request in a batch: a request's completions must depend only on its own seed`)
    }
  })
  await collector.run('seed-varies', async (fail) => {
    const other = await sample(requests(1, 7))
    const texts = (rs: SampleResult[]) => rs.map((r) => r.completions.map((c) => c.text))
    if (isDeepStrictEqual(texts(other), texts(first!))) fail('different seeds gave exactly the same completions at temperature 1: is the request seed used?')
  })
  // A stop string the model is known to produce: the second character of a sampled text.
  const long = first.flatMap((r) => r.completions.map((c) => c.text)).find((t) => t.length >= 2 && t[1]!.trim() !== '')
  if (long === undefined) collector.skip('stop-strings', 'no sampled completion has two characters to pick a stop string from (raise maxTokens)')
  else {
    await collector.run('stop-strings', async (fail) => {
      const stop = long.slice(1, 2)
      const cut = await sample(requests(1).map((r) => ({ ...r, stop: [stop] })))
      checkResults(cut, requests(1), n, maxTokens, fail)
      const completions = cut.flatMap((r) => r.completions)
      const leaked = completions.find((c) => c.text.includes(stop))
      if (leaked)
        fail(
          `with stop: [${JSON.stringify(stop)}] a completion still contains it (${JSON.stringify(leaked.text.slice(0, 40))}): generation must end at the stop string, which is kept out of the text`,
        )
      if (!completions.some((c) => c.finishReason === 'stop'))
        fail(`with stop: [${JSON.stringify(stop)}], which the same seeds produced before, no completion has finishReason 'stop'`)
    })
  }
  await collector.run('token-events', async (fail) => {
    // With a stop string the model produces where one is known, so a model that reports text
    // must hold back what may begin it. A model that ignores onToken passes (no events).
    const reqs = requests(1).map((r) => (long === undefined ? r : { ...r, stop: [long.slice(1, 2)] }))
    const plain = await sample(reqs)
    const events: unknown[] = []
    let resolved = false
    let late = 0
    const streamed = await within(
      timeoutMs,
      'sample() with onToken',
      model.sample(reqs, {
        onToken: (e) => {
          if (resolved) late++
          events.push(e)
        },
      }),
    )
    resolved = true
    checkResults(streamed, reqs, n, maxTokens, fail)
    if (!sameSamples(streamed, plain, h.tolerance)) fail('sample() with onToken gave other completions than without it: reporting text must not change a draw')
    const pieces = reqs.map((r) => Array.from({ length: r.n }, () => ''))
    const bad = events.find((e) => {
      const { requestIndex: i, sampleIndex: j, text } = (e ?? {}) as Partial<TokenEvent>
      if (!Number.isInteger(i) || !Number.isInteger(j) || i! < 0 || j! < 0 || i! >= reqs.length || j! >= reqs[i!]!.n) return true
      if (typeof text !== 'string' || text === '') return true
      pieces[i!]![j!] += text
      return false
    })
    if (bad !== undefined)
      fail(`onToken got ${JSON.stringify(bad)?.slice(0, 80)}: an event needs a requestIndex and sampleIndex of this call and non-empty text`)
    streamed.forEach((r, i) =>
      r.completions.forEach((c, j) => {
        const said = pieces[i]?.[j] ?? ''
        if (!c.text.startsWith(said))
          fail(
            `request ${i} completion ${j}: its onToken pieces spell ${JSON.stringify(said.slice(0, 40))}, which does not begin its text ${JSON.stringify(c.text.slice(0, 40))}: never report text a stop string may still cut`,
          )
      }),
    )
    await new Promise((r) => setImmediate(r))
    if (late > 0) fail(`onToken was called ${late} times after sample() resolved: every event must come before`)
  })
  await collector.run('greedy', async (fail) => {
    const a = await sample(requests(0))
    const b = await sample(requests(0, 7))
    checkResults(a, requests(0), n, maxTokens, fail)
    a.forEach((r, i) => {
      if (new Set(r.completions.map((c) => c.text)).size > 1) fail(`temperature 0 gave different completions for request ${i}: it must decode greedily`)
    })
    if (!sameSamples(a, b, h.tolerance)) fail('temperature 0 gave different completions for different seeds: greedy decoding must not use the seed')
  })
  await collector.run('abort', async (fail) => {
    const controller = new AbortController()
    controller.abort()
    const outcome = await sample(requests(1), controller.signal).then(
      () => 'resolved',
      () => 'rejected',
    )
    if (outcome !== 'rejected') fail('sample() with an already-aborted signal resolved: it must honour the signal and reject')
  })
  return true
}

/** Type and order checks of one sample() answer. */
export function checkResults(results: unknown, reqs: SampleRequest[], n: number, maxTokens: number, fail: FailFn): void {
  if (!Array.isArray(results)) return fail('sample() must resolve to an array')
  if (results.length !== reqs.length) return fail(`sample() returned ${results.length} results for ${reqs.length} requests: one per request`)
  results.forEach((r: SampleResult, i) => {
    if (r?.promptId !== reqs[i]!.promptId)
      fail(`result ${i} has promptId ${JSON.stringify(r?.promptId)}, expected '${reqs[i]!.promptId}': results must be in request order`)
    if (!Array.isArray(r?.completions) || r.completions.length !== n)
      return fail(`result ${i} has ${Array.isArray(r?.completions) ? r.completions.length : 'no'} completions, expected n = ${n}`)
    r.completions.forEach((c, j) => {
      const where = `result ${i} completion ${j}`
      if (typeof c.text !== 'string') fail(`${where}: text must be a string`)
      if (!Array.isArray(c.tokens) || c.tokens.some((t) => !Number.isInteger(t))) fail(`${where}: tokens must be an array of integers`)
      else if (c.tokens.length > maxTokens) fail(`${where}: ${c.tokens.length} tokens exceed maxTokens = ${maxTokens}`)
      if (typeof c.logProb !== 'number' || !Number.isFinite(c.logProb) || c.logProb > 1e-6)
        fail(`${where}: logProb must be a finite number ≤ 0, got ${String(c.logProb)}`)
      if (!['stop', 'length', 'eos'].includes(c.finishReason))
        fail(`${where}: finishReason must be 'stop', 'length' or 'eos', got ${JSON.stringify(c.finishReason)}`)
    })
  })
}
