import type { ModelCreateContext, ModelInstance, ModelPlugin, SampleRequest, SampleResult, WeightedSequence } from '../plugin-api/model.js'
import { modelHash } from '../plugin-api/index.js'
import { within, type ContractCollector } from './contract-report.js'
import { sameSamples } from './same-samples.js'

/** What the model checks share while one contract test runs. */
export interface ModelHarness {
  plugin: ModelPlugin
  ctx: ModelCreateContext
  requests: (temperature: number, seedOffset?: number) => SampleRequest[]
  collector: ContractCollector
  timeoutMs: number
  dir: string
  learningRate: number | undefined
  tolerance: number
  /** Registers an instance for disposal at the end; returns it. */
  track: (instance: ModelInstance) => ModelInstance
}

/**
 * The trainable half of the model contract, on the instance `model` (which it trains): hooks
 * present together (`trainable-hooks`), `logProb` shape and agreement with sampled log-probs,
 * finite `update` stats, a positive weight raising log π (`update-direction`), `clone`
 * independence both ways, `save`/`load` round-trips of the trained weights, and the fine-tuning
 * rule: a clone of the trained model trains as a clone of its loaded checkpoint does
 * (`clone-cache-invariant`).
 */
export async function checkTrainable(h: ModelHarness, model: ModelInstance): Promise<void> {
  const { collector, timeoutMs } = h
  const sample = (m: ModelInstance, reqs = h.requests(1)) => within(timeoutMs, 'sample()', m.sample(reqs))
  const update = (m: ModelInstance, batch: WeightedSequence[]) =>
    within(timeoutMs, 'update()', m.update!(batch, h.learningRate === undefined ? {} : { learningRate: h.learningRate }))
  const logProb = (m: ModelInstance, pairs: Array<{ prompt: string; completion: string }>) => within(timeoutMs, 'logProb()', m.logProb!(pairs))

  await collector.run('trainable-hooks', (fail) => {
    if (typeof model.clone !== 'function') fail('a trainable model (it has update()) must implement clone(): strategies train a copy of the base model')
    if (typeof model.save === 'function' && typeof h.plugin.load !== 'function')
      fail('the instance has save() but the plugin has no load(): a saved checkpoint could never be restored')
  })

  let base: SampleResult[] = []
  const sampled = await collector.run('trainable-sample', async () => {
    base = await sample(model)
  })
  if (!sampled) return
  const reqs = h.requests(1)
  const pairs = base.flatMap((r, i) =>
    r.completions.map((c) => ({ prompt: reqs[i]!.prompt, completion: c.text, finishReason: c.finishReason, logProb: c.logProb })),
  )
  const batch: WeightedSequence[] = pairs.map((p, i) => ({ prompt: p.prompt, completion: p.completion, weight: i % 3 === 2 ? -0.25 : 1 }))

  if (typeof model.logProb !== 'function') {
    collector.skip('logprob-shape', 'the model has no logProb()')
    collector.skip('logprob-agrees', 'the model has no logProb()')
  } else {
    await collector.run('logprob-shape', async (fail) => {
      const out = await logProb(model, pairs)
      if (!Array.isArray(out) || out.length !== pairs.length)
        return fail(`logProb() returned ${Array.isArray(out) ? out.length : 'no'} values for ${pairs.length} pairs`)
      out.forEach((v, i) => {
        if (typeof v !== 'number' || Number.isNaN(v) || v > 1e-6 || v === Infinity)
          fail(`logProb()[${i}] must be a number ≤ 0 (−Infinity allowed), got ${String(v)}`)
      })
      const empty = await logProb(model, [])
      if (!Array.isArray(empty) || empty.length !== 0) fail('logProb([]) must resolve to []')
    })
    // Only completions that ended naturally (no stop string, no length cut) are scored as whole sequences.
    const natural = pairs.filter((p) => p.finishReason === 'eos' || p.finishReason === 'stop')
    if (natural.length === 0) collector.skip('logprob-agrees', 'no sampled completion ended naturally (raise maxTokens)')
    else {
      await collector.run('logprob-agrees', async (fail) => {
        const scored = await logProb(model, natural)
        natural.forEach((p, i) => {
          if (!(Math.abs(scored[i]! - p.logProb) <= h.tolerance)) {
            fail(
              `logProb('${short(p.prompt)}', '${short(p.completion)}') = ${scored[i]} but sample() reported ${p.logProb} (tolerance ${h.tolerance}); both are Σ log π at T = 1`,
            )
          }
        })
      })
    }
  }

  await collector.run('update-stats', async (fail) => {
    const stats = await update(model, batch)
    if (!stats || typeof stats !== 'object') return fail('update() must resolve to { loss, gradNorm, tokens }')
    if (typeof stats.loss !== 'number' || !Number.isFinite(stats.loss)) fail(`update().loss must be finite, got ${String(stats.loss)}`)
    if (typeof stats.gradNorm !== 'number' || !Number.isFinite(stats.gradNorm) || stats.gradNorm < 0)
      fail(`update().gradNorm must be finite and ≥ 0, got ${String(stats.gradNorm)}`)
    if (!Number.isInteger(stats.tokens) || stats.tokens < 0) fail(`update().tokens must be an integer ≥ 0, got ${String(stats.tokens)}`)
  })

  if (typeof model.logProb === 'function') {
    await collector.run('update-direction', async (fail) => {
      const pair = { prompt: pairs[0]!.prompt, completion: pairs[0]!.completion }
      const before = (await logProb(model, [pair]))[0]!
      await update(model, [{ ...pair, weight: 1 }])
      const after = (await logProb(model, [pair]))[0]!
      if (!(after > before))
        fail(`one update with weight +1 on a completion moved its log π from ${before} to ${after}: the loss is L = −Σ w log π, so it must rise`)
    })
  } else collector.skip('update-direction', 'the model has no logProb()')

  if (typeof model.clone === 'function') await checkClone(h, model, batch, sample, update)
  else collector.skip('clone-independent', 'the model has no clone()')

  if (typeof model.save === 'function' && typeof h.plugin.load === 'function') {
    const roundTrips = await checkSaveLoad(h, model, sample)
    if (typeof model.clone !== 'function') collector.skip('clone-cache-invariant', 'the model has no clone()')
    else if (!roundTrips) collector.skip('clone-cache-invariant', 'save()/load() do not round-trip, so a cached model cannot be compared')
    else await checkCloneCacheInvariant(h, model, batch, sample, update)
  } else {
    collector.skip('save-load', 'the model has no save() or the plugin no load()')
    collector.skip('clone-cache-invariant', 'the model has no save() or the plugin no load()')
  }
}

type Sample = (m: ModelInstance, reqs?: SampleRequest[]) => Promise<SampleResult[]>
type Update = (m: ModelInstance, batch: WeightedSequence[]) => Promise<unknown>

async function checkClone(h: ModelHarness, model: ModelInstance, batch: WeightedSequence[], sample: Sample, update: Update): Promise<void> {
  await h.collector.run('clone-independent', async (fail) => {
    const before = await sample(model)
    const copy = h.track(await within(h.timeoutMs, 'clone()', model.clone!()))
    if (!sameSamples(await sample(copy), before, h.tolerance))
      fail('a fresh clone samples differently from the original at the same seeds: clone() must copy the weights')
    for (let i = 0; i < 3; i++) await update(copy, batch)
    const copyTrained = await sample(copy)
    if (!sameSamples(await sample(model), before, h.tolerance))
      fail("training the clone changed the original's samples: clone() must not share weights or optimizer state")
    for (let i = 0; i < 3; i++)
      await update(
        model,
        batch.map((s) => ({ ...s, weight: -s.weight })),
      )
    if (!sameSamples(await sample(copy), copyTrained, h.tolerance))
      fail("training the original changed the clone's samples: clone() must not share weights or optimizer state")
  })
}

/**
 * The fine-tuning rule (core/plugin-api/model.ts, `clone`): a clone of the trained model and a
 * clone of the same model loaded from its checkpoint must train identically — what a run gets
 * from a cold cache (the freshly pretrained base) and from a warm one (the base loaded back).
 */
async function checkCloneCacheInvariant(h: ModelHarness, model: ModelInstance, batch: WeightedSequence[], sample: Sample, update: Update): Promise<void> {
  await h.collector.run('clone-cache-invariant', async (fail) => {
    await within(h.timeoutMs, 'save()', model.save!(h.dir))
    const { corpus: _corpus, ...loadCtx } = h.ctx
    const loaded = h.track(await within(h.timeoutMs, 'load()', h.plugin.load!(h.dir, loadCtx)))
    const fromTrained = h.track(await within(h.timeoutMs, 'clone()', model.clone!()))
    const fromLoaded = h.track(await within(h.timeoutMs, 'clone()', loaded.clone!()))
    for (let i = 0; i < 3; i++) {
      await update(fromTrained, batch)
      await update(fromLoaded, batch)
    }
    if (!sameSamples(await sample(fromTrained), await sample(fromLoaded), h.tolerance)) {
      fail(
        'a clone of the trained model and a clone of the same model loaded from its checkpoint trained to different weights: clone() must start fine-tuning from state the checkpoint fixes (a fresh optimizer: weights only), or a cached base model changes results',
      )
    }
  })
}

async function checkSaveLoad(h: ModelHarness, model: ModelInstance, sample: Sample): Promise<boolean> {
  return h.collector.run('save-load', async (fail) => {
    const saved = await within(h.timeoutMs, 'save()', model.save!(h.dir))
    if (!saved || typeof saved.hash !== 'string' || saved.hash === '') return fail('save() must resolve to { hash } with a non-empty content hash')
    const again = await within(h.timeoutMs, 'save() (second call)', model.save!(h.dir))
    if (again?.hash !== saved.hash) fail(`saving the same weights twice gave hashes ${saved.hash} and ${again?.hash}: the hash must depend on the content only`)
    const described = model.describe().hash
    if (described !== undefined && described !== saved.hash) fail(`describe().hash (${described}) differs from the hash save() returned (${saved.hash})`)
    const current = await within(h.timeoutMs, 'contentHash()', modelHash(model))
    if (current !== undefined && current !== saved.hash) fail(`contentHash() (${current}) differs from the hash save() returned (${saved.hash})`)
    const { corpus: _corpus, ...loadCtx } = h.ctx
    // A different seed: a load that re-creates from the seed instead of reading the files shows.
    const loaded = h.track(await within(h.timeoutMs, 'load()', h.plugin.load!(h.dir, { ...loadCtx, seed: h.ctx.seed + 1 })))
    if (!sameSamples(await sample(loaded), await sample(model), h.tolerance))
      fail('the loaded model samples differently from the saved one at the same seeds: save()/load() must round-trip the weights')
    const loadedHash = await within(h.timeoutMs, 'contentHash()', modelHash(loaded))
    if (loadedHash !== undefined && loadedHash !== saved.hash) fail(`the loaded model's hash (${loadedHash}) differs from the saved hash (${saved.hash})`)
  })
}

function short(text: string): string {
  const flat = text.replace(/\n/g, '⏎')
  return flat.length > 24 ? `${flat.slice(0, 24)}…` : flat
}
