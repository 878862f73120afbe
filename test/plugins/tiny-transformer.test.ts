import * as tf from '@tensorflow/tfjs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRng } from '../../core/rng.js'
import { builtins } from '../helpers/builtin-factories.js'
import { tinyTransformer } from '../../plugins/models/tiny-transformer/index.js'
import type { TinyTransformerInstance } from '../../plugins/models/tiny-transformer/index.js'
import { forwardLogits } from '../../plugins/models/tiny-transformer/forward.js'
import { tokenLogProbs, weightedLoss } from '../../plugins/models/tiny-transformer/loss.js'
import { encodePairs } from '../../plugins/models/tiny-transformer/sequences.js'

const corpus = 'abcdefgh0123456789+=. '
const tiny = { layers: 2, width: 16, heads: 2, context: 24 }
const ctx = { seed: 3, corpus, concurrency: 1, backend: 'wasm' }
const requests = (temperature: number, extra: object = {}) =>
  ['ab=', 'h7+1=', 'c'].map((prompt, i) => ({ promptId: `p${i}`, prompt, n: 3, temperature, seed: 100 + i, maxTokens: 12, ...extra }))

describe('tiny-transformer options', () => {
  it.each([
    [{ width: 30, heads: 4 }, /width must be a multiple of heads/],
    [{ layers: 0 }, /layers/],
    [{ positions: 'alibi' }, /positions/],
    [{ dropout: 2 }, /dropout/],
    [{ unknown: 1 }, /unknown/i],
    [{ positions: 'rotary', width: 12, heads: 4 }, /even head size/],
  ])('rejects %j with BENCH_PLUGIN_OPTIONS naming the plugin', (options, message) => {
    expect(() => tinyTransformer(options as never)).toThrow(message)
    expect(() => tinyTransformer(options as never)).toThrow(/bonbench:tiny-transformer/)
    try {
      tinyTransformer(options as never)
    } catch (error) {
      expect((error as { code: string }).code).toBe('BENCH_PLUGIN_OPTIONS')
    }
  })

  it('is registered as a built-in and has the plugin shape', () => {
    const plugin = builtins['tiny-transformer']!({ layers: 3 })
    expect(plugin).toMatchObject({ name: 'bonbench:tiny-transformer', kind: 'model', meta: { version: expect.any(String) } })
    expect(plugin.options).toMatchObject({ layers: 3, width: 128, heads: 4, context: 96, positions: 'learned' })
  })
})

describe.each(['learned', 'rotary'] as const)('tiny-transformer with %s positions', (positions) => {
  let model: TinyTransformerInstance
  beforeAll(async () => {
    model = await tinyTransformer({ ...tiny, positions }).create(ctx)
    // A few steps so the policy is not uniform: makes greedy and sampling differ meaningfully.
    const batch = ['ab', 'cd', 'h7', '12'].map((w) => ({ prompt: w + '=', completion: w + w, weight: 1 }))
    for (let i = 0; i < 5; i++) await model.update(batch, { learningRate: 1e-2 })
  })
  afterAll(() => model.dispose())

  it('returns n completions per request with the log-probs logProb gives for the same sequences', async () => {
    const results = await model.sample(requests(1))
    expect(results.map((r) => r.promptId)).toEqual(['p0', 'p1', 'p2'])
    const flat = results.flatMap((r, i) => r.completions.map((c) => ({ c, prompt: requests(1)[i]!.prompt })))
    expect(flat).toHaveLength(9)
    const eos = flat.filter(({ c }) => c.finishReason === 'eos')
    expect(eos.length).toBeGreaterThan(0)
    const scored = await model.logProb(eos.map(({ c, prompt }) => ({ prompt, completion: c.text })))
    eos.forEach(({ c }, i) => expect(scored[i]!).toBeCloseTo(c.logProb, 3))
    for (const { c } of flat) expect(c.tokens.length).toBeLessThanOrEqual(12)
  })

  it('is greedy at temperature 0 and as temperature → 0', async () => {
    const greedy = await model.sample(requests(0))
    const cold = await model.sample(requests(1e-4, { seed: 999 }))
    expect(cold.map((r) => r.completions.map((c) => c.text))).toEqual(greedy.map((r) => r.completions.map((c) => c.text)))
    // Greedy means every completion of a prompt is the same and each token is the argmax.
    for (const r of greedy) expect(new Set(r.completions.map((c) => c.text)).size).toBe(1)
    const c = greedy[0]!.completions[0]!
    const prefix = await model.sample([{ promptId: 'x', prompt: 'ab=' + c.text.slice(0, 1), n: 1, temperature: 0, seed: 1, maxTokens: 11 }])
    expect(prefix[0]!.completions[0]!.text).toBe(c.text.slice(1))
  })

  it('reproduces samples for a fixed seed, whatever else is in the batch', async () => {
    const a = await model.sample(requests(1))
    const b = await model.sample(requests(1))
    expect(b).toEqual(a)
    const alone = await model.sample([requests(1)[1]!])
    expect(alone[0]).toEqual(a[1])
    const other = await model.sample(requests(1, { seed: 5 }))
    expect(other).not.toEqual(a)
  })

  it('honours stop strings (excluded from the text) and maxTokens', async () => {
    const free = await model.sample([{ promptId: 's', prompt: 'ab=', n: 8, temperature: 1.5, seed: 4, maxTokens: 20 }])
    const withStop = free[0]!.completions.find((c) => c.text.length >= 2)!
    const stop = withStop.text.slice(1, 2)
    const cut = await model.sample([{ promptId: 's', prompt: 'ab=', n: 8, temperature: 1.5, seed: 4, maxTokens: 20, stop: [stop] }])
    for (const c of cut[0]!.completions) {
      expect(c.text.includes(stop)).toBe(false)
      if (c.finishReason === 'stop') expect(c.tokens.length).toBe(c.text.length)
    }
    expect(cut[0]!.completions.some((c) => c.finishReason === 'stop')).toBe(true)
    const short = await model.sample([{ promptId: 's', prompt: 'ab=', n: 4, temperature: 1.5, seed: 4, maxTokens: 2 }])
    for (const c of short[0]!.completions) expect(c.tokens.length).toBeLessThanOrEqual(2)
  })

  it('rejects with BENCH_ABORTED when the signal is aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(model.sample(requests(1), { signal: controller.signal })).rejects.toMatchObject({ code: 'BENCH_ABORTED' })
  })

  it('cuts prompts longer than the context on the left and still samples', async () => {
    const long = 'abcdefgh'.repeat(10) + '='
    const [r] = await model.sample([{ promptId: 'l', prompt: long, n: 2, temperature: 1, seed: 1 }])
    expect(r!.completions).toHaveLength(2)
    for (const c of r!.completions) expect(c.tokens.length).toBeGreaterThan(0)
  })
})

describe('tiny-transformer training', () => {
  it('computes the weighted-loss gradient that finite differences give (with the KL term)', async () => {
    const model = await tinyTransformer({ layers: 1, width: 8, heads: 2, context: 12, positions: 'rotary' }).create(ctx)
    const engine = model.engine
    const batch = encodePairs(
      engine.tokenizer,
      [
        { prompt: 'ab=', completion: 'ba' },
        { prompt: 'h7+1=', completion: '8' },
        { prompt: 'c', completion: 'ccc' },
      ],
      engine.cfg.context,
    )
    const weights = [1.5, -0.5, 2]
    // Spread the weights so the gradient is not tiny, then take a different reference.
    const rng = createRng(11)
    engine.setWeights((await engine.getWeights()).map((w) => w.map((x) => x * 20 + (rng.next() - 0.5) * 0.2)))
    const refTensors = (await engine.getWeights()).map((w, i) =>
      tf.tensor(
        w.map((x) => x + (rng.next() - 0.5) * 0.5),
        engine.specs[i]!.shape,
      ),
    )
    const refW = Object.fromEntries(engine.specs.map((spec, i) => [spec.name, refTensors[i]!]))
    const refLogp = tf.tidy(() => tokenLogProbs(refW, engine.consts, batch).logp)
    const loss = () => weightedLoss(engine.W, engine.consts, batch, weights, { klBeta: 0.7, refLogp })
    const { grads } = tf.variableGrads(loss, engine.vars)
    const g = engine.vars.map((v) => grads[v.name]!.dataSync() as Float32Array)
    const base = await engine.getWeights()
    const dir = base.map((w) => w.map(() => rng.next() - 0.5))
    const norm = Math.sqrt(dir.reduce((s, d) => s + d.reduce((a, x) => a + x * x, 0), 0))
    const analytic = dir.reduce((s, d, i) => s + d.reduce((a, x, j) => a + (x / norm) * g[i]![j]!, 0), 0)
    const eps = 1e-2
    const at = (sign: number) => {
      engine.setWeights(base.map((w, i) => w.map((x, j) => x + (sign * eps * dir[i]![j]!) / norm)))
      const l = tf.tidy(() => loss().dataSync()[0]!)
      return l
    }
    const numeric = (at(1) - at(-1)) / (2 * eps)
    expect(Math.abs(analytic)).toBeGreaterThan(0.1)
    expect(Math.abs(numeric - analytic) / Math.abs(analytic)).toBeLessThan(0.02)
    for (const t of [...Object.values(grads), ...refTensors, refLogp]) t.dispose()
    await model.dispose()
  })

  it("steps on log π_τ = log softmax(logits/τ) at the update's temperature τ, the KL term at T = 1", async () => {
    const model = await tinyTransformer({ layers: 1, width: 8, heads: 2, context: 12 }).create(ctx)
    const engine = model.engine
    const pairs = [
      { prompt: 'ab=', completion: 'ba', weight: 1.5 },
      { prompt: 'h7+1=', completion: '8', weight: -0.5 },
    ]
    const batch = encodePairs(engine.tokenizer, pairs, engine.cfg.context)
    const weights = pairs.map((p) => p.weight)
    const rng = createRng(5)
    engine.setWeights((await engine.getWeights()).map((w) => w.map((x) => x * 10 + (rng.next() - 0.5) * 0.2)))
    // −Σᵢ wᵢ Σ_t log softmax(z_t/τ)[y_t], written out in plain arithmetic from the logits.
    const logits = tf.tidy(() => forwardLogits(engine.W, engine.consts, tf.tensor1d(batch.inputs, 'int32'), batch.B, batch.T).dataSync() as Float32Array)
    const V = engine.cfg.vocab
    const expected = (tau: number) => {
      let loss = 0
      for (let row = 0; row < batch.B * batch.T; row++) {
        if (batch.response[row] === 0) continue
        const z = Array.from(logits.subarray(row * V, (row + 1) * V), (x) => x / tau)
        const max = Math.max(...z)
        const logTotal = Math.log(z.reduce((a, x) => a + Math.exp(x - max), 0)) + max
        loss -= weights[Math.floor(row / batch.T)]! * (z[batch.targets[row]!]! - logTotal)
      }
      return loss
    }
    const lossAt = (tau: number, klBeta = 0, refLogp?: tf.Tensor2D) =>
      tf.tidy(() => weightedLoss(engine.W, engine.consts, batch, weights, { klBeta, refLogp, temperature: tau }).dataSync()[0]!)
    for (const tau of [0.5, 1, 2]) expect(lossAt(tau)).toBeCloseTo(expected(tau), 3)
    expect(Math.abs(expected(0.5) - expected(1))).toBeGreaterThan(0.1)
    // The KL term does not depend on τ.
    const refLogp = tf.tidy(() => tokenLogProbs(engine.W, engine.consts, batch).logp)
    engine.setWeights((await engine.getWeights()).map((w) => w.map((x) => x + (rng.next() - 0.5) * 0.5)))
    const klAt = (tau: number) => lossAt(tau, 0.7, refLogp) - lossAt(tau, 0)
    expect(klAt(1)).toBeGreaterThan(1e-3)
    expect(klAt(0.5)).toBeCloseTo(klAt(1), 4)
    refLogp.dispose()
    // update() takes its loss at opts.temperature (the loss it reports is the one before the step).
    const before = lossAt(0.5)
    const stats = await model.update(pairs, { learningRate: 1e-3, temperature: 0.5 })
    expect(stats.loss).toBeCloseTo(before, 4)
    await expect(model.update(pairs, { temperature: 0 })).rejects.toMatchObject({ code: 'BENCH_USAGE' })
    await model.dispose()
  })

  it('moves toward the reference with klBeta > 0 and zero weights (with β = 0 the gradient is zero)', async () => {
    const model = await tinyTransformer(tiny).create(ctx)
    const pairs = [
      { prompt: 'ab=', completion: 'ab' },
      { prompt: '12=', completion: '3' },
    ]
    await model.setReference()
    const ref = await model.logProb(pairs)
    for (let i = 0; i < 5; i++)
      await model.update(
        pairs.map((p) => ({ ...p, weight: 1 })),
        { learningRate: 1e-2 },
      )
    const drifted = await model.logProb(pairs)
    const distance = (lp: number[]) => lp.reduce((s, x, i) => s + Math.abs(x - ref[i]!), 0)
    expect(distance(drifted)).toBeGreaterThan(0.5)
    const zero = pairs.map((p) => ({ ...p, weight: 0 }))
    const still = await model.update(zero, { klBeta: 0 })
    expect(still.gradNorm).toBe(0)
    const stats = await model.update(zero, { klBeta: 1, learningRate: 1e-2 })
    expect(stats.loss).toBeGreaterThan(0)
    expect(stats.gradNorm).toBeGreaterThan(0)
    for (let i = 0; i < 10; i++) await model.update(zero, { klBeta: 1, learningRate: 1e-2 })
    expect(distance(await model.logProb(pairs))).toBeLessThan(distance(drifted) * 0.7)
    await model.dispose()
  })

  it('trains response tokens only: a weighted step raises log π(y|x) and reports the response token count', async () => {
    const model = await tinyTransformer(tiny).create(ctx)
    const pair = { prompt: 'abc=', completion: 'cab' }
    const before = (await model.logProb([pair]))[0]!
    const stats = await model.update([{ ...pair, weight: 1 }], { learningRate: 1e-2 })
    expect(stats.tokens).toBe(4) // 3 characters + EOS
    expect(stats.loss).toBeCloseTo(-before, 3)
    expect((await model.logProb([pair]))[0]!).toBeGreaterThan(before)
    const neg = await model.clone()
    await neg.update([{ ...pair, weight: -1 }], { learningRate: 1e-2 })
    expect((await neg.logProb([pair]))[0]!).toBeLessThan((await model.logProb([pair]))[0]!)
    await neg.dispose()
    await model.dispose()
  })
})

describe('tiny-transformer checkpoints', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bonbench-tt-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('save → load gives identical outputs and the same hash; clone is independent', async () => {
    const plugin = tinyTransformer(tiny)
    const model = await plugin.create(ctx)
    await model.update([{ prompt: 'ab=', completion: 'ba', weight: 1 }], { learningRate: 1e-2 })
    const { hash } = await model.save(dir)
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    expect(model.describe()).toMatchObject({ hash, backend: 'wasm', parameters: expect.any(Number) })
    const loaded = await plugin.load(dir, { seed: 0, concurrency: 1, backend: 'wasm' })
    expect(loaded.describe().hash).toBe(hash)
    expect(await loaded.sample(requests(1))).toEqual(await model.sample(requests(1)))
    expect(await loaded.logProb([{ prompt: 'ab=', completion: 'ba' }])).toEqual(await model.logProb([{ prompt: 'ab=', completion: 'ba' }]))
    const copy = await model.clone()
    expect(copy.describe().hash).toBe(hash)
    // The fine-tuning rule: a clone starts with a fresh optimizer, so it steps exactly as a model
    // loaded from the checkpoint (which holds no optimizer state) and unlike the original, whose
    // Adam moments remember its first step.
    const step = { prompt: 'ab=', completion: 'ba', weight: 1 }
    const [a, b, c] = [await copy.update([step]), await loaded.update([step]), await model.update([step])]
    // After a step the hash is known only by reading the weights (describe() never reads the device).
    expect(copy.describe().hash).toBeUndefined()
    const copyHash = await copy.contentHash()
    expect(copy.describe().hash).toBe(copyHash)
    expect(copyHash).toBe(await loaded.contentHash())
    expect(a).toEqual(b)
    expect(c.loss).toBe(a.loss) // same weights before the step, so the same loss…
    expect(await model.contentHash()).not.toBe(copyHash) // …but a different step
    // Nor does a clone take a KL reference along: `copy` freezes one now (its current weights),
    // takes a step away from it, and a clone of it must step as a load of its checkpoint does.
    await copy.update([step], { klBeta: 0.5 })
    await copy.save(path.join(dir, 'copy'))
    const child = await copy.clone()
    const again = await plugin.load(path.join(dir, 'copy'), { seed: 0, concurrency: 1, backend: 'wasm' })
    await child.update([step], { klBeta: 0.5 })
    await again.update([step], { klBeta: 0.5 })
    expect(await child.contentHash()).toBe(await again.contentHash())
    for (const m of [model, loaded, copy, child, again]) await m.dispose()
    await model.dispose() // a second dispose is safe
  })

  it('refuses a checkpoint whose files were altered', async () => {
    await writeFile(path.join(dir, 'tokenizer.json'), '{"kind":"char","specials":[],"chars":["x"]}\n')
    await expect(tinyTransformer().load(dir, { seed: 0, concurrency: 1 })).rejects.toMatchObject({ code: 'BENCH_DATA_INVALID' })
  })
})
