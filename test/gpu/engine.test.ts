import * as tf from '@tensorflow/tfjs'
import { readFileSync } from 'node:fs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../core/backend/select-backend.js'
import { createRng } from '../../core/rng.js'
import { ADD_N_MAX_INPUTS, globalNorm } from '../../plugins/models/tiny-transformer/global-norm.js'
import { tinyTransformer } from '../../plugins/models/tiny-transformer/index.js'
import type { SparseFeatures } from '../../plugins/verifiers/reward-model/features.js'
import { createScorerNet } from '../../plugins/verifiers/reward-model/scorer-net.js'
import { tinyTransformerTrace } from '../fixtures/tiny-transformer-trace.js'
import { gpuBackend, watchGpuErrors } from './gpu-backend.js'
import type { GpuError } from './gpu-backend.js'

// The engine on a real GPU (issue #18): it trains and samples, its numbers stay within float32
// tolerance of the wasm backend's with the same seeds, many-input ops stay within the device's
// limits, and the device reports no error on the way (Dawn only logs errors and returns garbage,
// so every test ends by checking the uncaptured-error list is empty).

const GPU = gpuBackend()
let errors: GpuError[] = []

beforeAll(async () => {
  await selectBackend(GPU)
  errors = watchGpuErrors()
})
afterEach(() => {
  expect(errors).toEqual([])
})

/** Back on the GPU backend after a test switched to a CPU one for its reference numbers. */
async function onGpu(): Promise<void> {
  await selectBackend(GPU)
  expect(tf.getBackend()).toBe(GPU === 'webgpu' ? 'webgpu' : 'tensorflow')
}

const rel = (x: number, y: number) => Math.abs(x - y) / Math.max(1e-6, Math.abs(y))

describe(`the engine on ${GPU}`, () => {
  it('trains a 2×128 model (loss goes down) and samples 256 rows, leaking no tensors', async () => {
    await onGpu()
    const model = await tinyTransformer({ layers: 2, width: 128, heads: 4 }).create({
      seed: 1,
      corpus: 'abcdefghij0123456789+=. ',
      concurrency: 1,
      backend: GPU,
    })
    const batch = Array.from({ length: 32 }, (_, i) => ({ prompt: `${i % 10}+${(i * 3) % 10}=`, completion: String((i % 10) + ((i * 3) % 10)), weight: 1 }))
    const first = await model.update(batch, { learningRate: 3e-3 })
    const before = tf.memory().numTensors
    let last = first
    for (let i = 0; i < 30; i++) last = await model.update(batch, { learningRate: 3e-3 })
    expect(tf.memory().numTensors).toBe(before)
    expect(Number.isFinite(last.gradNorm) && last.gradNorm > 0).toBe(true)
    expect(last.loss).toBeLessThan(first.loss * 0.5)
    const requests = Array.from({ length: 256 }, (_, i) => ({
      promptId: `p${i}`,
      prompt: `${i % 10}+${(i * 7) % 10}=`,
      n: 1,
      temperature: 1,
      seed: i,
      maxTokens: 8,
    }))
    const results = await model.sample(requests)
    expect(results).toHaveLength(256)
    const completions = results.flatMap((r) => r.completions)
    for (const c of completions) {
      expect(Number.isFinite(c.logProb) && c.logProb <= 0).toBe(true)
      expect(['eos', 'stop', 'length']).toContain(c.finishReason)
    }
    // Trained on sums: most greedy-ish samples are digits.
    expect(completions.filter((c) => /^\d+$/.test(c.text)).length).toBeGreaterThan(128)
    await model.dispose()
  })

  it('reproduces the recorded wasm trace within float32 tolerance (same seeds)', async () => {
    const recorded = JSON.parse(readFileSync(new URL('../fixtures/tiny-transformer-trace.json', import.meta.url), 'utf8')).wasm
    type Trace = Record<
      string,
      { steps: Array<{ loss: number; gradNorm: number; tokens: number }>; logProbs: number[]; samples: Array<Array<{ completions: Array<{ text: string }> }>> }
    >
    const trace = (await tinyTransformerTrace(GPU)) as Trace
    for (const [cfg, want] of Object.entries(recorded as Trace)) {
      const got = trace[cfg]!
      got.steps.forEach((s, i) => {
        expect(s.tokens).toBe(want.steps[i]!.tokens)
        expect(rel(s.loss, want.steps[i]!.loss), `${cfg} step ${i} loss`).toBeLessThan(1e-2)
        expect(rel(s.gradNorm, want.steps[i]!.gradNorm), `${cfg} step ${i} grad norm`).toBeLessThan(1e-2)
      })
      got.logProbs.forEach((x, i) => expect(rel(x, want.logProbs[i]!), `${cfg} logProb ${i}`).toBeLessThan(1e-2))
      // Greedy decoding (T = 0) picks the same tokens unless two logits tie within float32 noise.
      const texts = (t: Trace[string]) => t.samples[0]!.flatMap((r) => r.completions.map((c) => c.text))
      const same = texts(got).filter((text, i) => text === texts(want)[i]).length
      expect(same, `${cfg} greedy completions equal to wasm's`).toBeGreaterThanOrEqual(texts(want).length - 2)
    }
  })

  it('computes the grad norm over 151 gradients in addN calls within the storage-buffer limit, matching cpu', async () => {
    const rng = createRng(5)
    const values = Array.from({ length: 151 }, (_, i) => Float32Array.from({ length: 1 + (i % 7) * 50 }, () => rng.next() - 0.5))
    await selectBackend('cpu')
    const cpu = (await globalNorm(values.map((v) => tf.tensor1d(v))).data())[0]!
    await onGpu()
    const grads = values.map((v) => tf.tensor1d(v))
    const profile = await tf.profile(async () => {
      const norm = globalNorm(grads)
      expect(rel((await norm.data())[0]!, cpu)).toBeLessThan(1e-5)
      norm.dispose()
    })
    const addN = profile.kernels.filter((k) => k.name === 'AddN')
    expect(addN.length).toBeGreaterThan(1)
    for (const k of addN) expect(k.inputShapes.length).toBeLessThanOrEqual(ADD_N_MAX_INPUTS)
    for (const g of grads) g.dispose()
  })

  it('trains and scores the reward model, within tolerance of cpu', async () => {
    const rng = createRng(9)
    const xs: SparseFeatures[] = Array.from({ length: 400 }, () => {
      const idx = Int32Array.from(new Set(Array.from({ length: 12 }, () => rng.int(4096))))
      return { indices: idx, values: Float32Array.from(idx, () => 1) }
    })
    const ys = xs.map((x) => (x.indices.filter((k) => k % 2 === 0).length * 2 > x.indices.length ? 1 : 0))
    const run = async (backend: string) => {
      await selectBackend(backend)
      const net = createScorerNet({ dim: 4096, hidden: 16 }, createRng(1))
      await net.train(xs, ys, { epochs: 4, batchSize: 64, learningRate: 0.02, l2: 1e-3, rng: createRng(2) })
      const scores = await net.predict(xs)
      net.dispose()
      return scores
    }
    const cpu = await run('cpu')
    await onGpu()
    const gpu = await run(GPU)
    let worst = 0
    for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(gpu[i]! - cpu[i]!))
    expect(worst).toBeLessThan(1e-3)
  })
})
