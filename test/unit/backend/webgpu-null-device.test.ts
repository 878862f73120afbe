import * as tf from '@tensorflow/tfjs'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NULL_DEVICE } from '../../../core/backend/backend-identity.js'
import { createRng } from '../../../core/rng.js'
import { selectBackend } from '../../../core/backend/select-backend.js'
import { registerWebGPU } from '../../../core/backend/webgpu-backend.js'
import { tinyTransformer } from '../../../plugins/models/tiny-transformer/index.js'
import { mathAnswer } from '../../../plugins/verifiers/math-answer/index.js'
import { rewardModel, type RewardModelFacts } from '../../../plugins/verifiers/reward-model/index.js'
import { arithmeticPolicy, arithmeticProblems } from '../../fixtures/arithmetic-policy.js'

// The WebGPU path without a GPU: Dawn's null device (BENCH_DAWN_FLAGS=backend=null) validates every
// command against WebGPU's default limits and computes nothing. So the numbers here are garbage,
// but what the device refuses is real: the engine must run with zero device errors, and an error
// must stop the work as BENCH_BACKEND_FAILED instead of handing back garbage silently.

const saved = process.env.BENCH_DAWN_FLAGS
let before: string

/** A fresh device on Dawn's null backend (a failed device stays failed: each test that breaks one starts another). */
async function freshNullDevice(opts: { freePoolBytes?: number } = {}): Promise<void> {
  await registerWebGPU(tf, ['backend=null'], opts)
  expect(await tf.setBackend('webgpu')).toBe(true)
}

beforeAll(async () => {
  before = (await selectBackend('auto')).name
  process.env.BENCH_DAWN_FLAGS = 'backend=null'
})
afterAll(async () => {
  if (saved === undefined) delete process.env.BENCH_DAWN_FLAGS
  else process.env.BENCH_DAWN_FLAGS = saved
  tf.removeBackend('webgpu')
  await selectBackend(before)
})

describe('the webgpu backend on Dawn’s null device', () => {
  it('starts through selectBackend and trains and samples the tiny transformer with zero device errors', async () => {
    const selected = await selectBackend('webgpu')
    expect(selected.tfName).toBe('webgpu')
    // Its own identity where results are kept apart, and a device line that says what it is: never a real GPU's webgpu.
    expect(selected).toMatchObject({ name: 'webgpu', keyName: 'webgpu-null', device: NULL_DEVICE })
    // One device serves every batch: no sampling threads (each would open a device of its own), whatever the concurrency.
    const model = await tinyTransformer({ layers: 2, width: 32, heads: 2 }).create({ seed: 1, corpus: '0123456789+=. ', concurrency: 4, backend: 'webgpu' })
    expect(model.workers).toBe(0)
    // What provenance records as the device the model ran on.
    expect(model.describe()).toMatchObject({ backend: 'webgpu', device: NULL_DEVICE })
    const batch = Array.from({ length: 8 }, (_, i) => ({ prompt: `${i}+${i}=`, completion: String(2 * i), weight: 1 }))
    // Each update reads the loss and grad norm back once; a device error would make it throw.
    for (let i = 0; i < 2; i++) await model.update(batch, { learningRate: 1e-3 })
    const results = await model.sample(
      Array.from({ length: 16 }, (_, i) => ({ promptId: `p${i}`, prompt: `${i % 10}+1=`, n: 2, temperature: 1, seed: i, maxTokens: 6 })),
    )
    expect(results.flatMap((r) => r.completions)).toHaveLength(32)
    await model.dispose()
  })

  it("keys and reports a reward model trained on it as webgpu-null, never under a real GPU's webgpu", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'bonbench-null-rm-'))
    const plugin = rewardModel({ samplesPerPrompt: 2, maxPrompts: 6, hidden: 4, epochs: 1 })
    try {
      const facts = (await plugin.prepare!({
        task: { train: arithmeticProblems(6, 1, 'train'), test: [] },
        model: arithmeticPolicy(),
        reward: mathAnswer(),
        seed: 7,
        rng: createRng(7),
        cacheDir,
        temperature: 1,
        generation: { maxTokens: 8 },
        log: () => {},
      })) as RewardModelFacts
      expect(facts.backend).toBe('webgpu-null')
      expect(readdirSync(join(cacheDir, 'reward-model'))).toEqual([`${facts.hash}.json`])
    } finally {
      plugin.dispose?.()
      rmSync(cacheDir, { recursive: true, force: true })
    }
  })

  it('bounds the pool of free buffers: over budget, a read destroys the sizes not asked for since the previous read (tfjs alone keeps every size for ever)', async () => {
    const budget = 4 * 2 ** 20 // the default is 64 MB; a small one keeps this test short
    await freshNullDevice({ freePoolBytes: budget })
    const model = await tinyTransformer({ layers: 2, width: 32, heads: 2 }).create({ seed: 2, corpus: '0123456789+=. ', concurrency: 1, backend: 'webgpu' })
    const manager = (tf.backend() as unknown as { bufferManager: { numBytesAllocated: number; numBytesUsed: number } }).bufferManager
    const free = () => manager.numBytesAllocated - manager.numBytesUsed
    // Sampling: new buffer sizes at every decoding step (the sequences grow), all freed by the end.
    await model.sample(Array.from({ length: 64 }, (_, i) => ({ promptId: `p${i}`, prompt: `${i % 10}+1=`, n: 4, temperature: 1, seed: i, maxTokens: 12 })))
    expect(free()).toBeGreaterThan(budget)
    // One more read, after an op whose sizes differ from sampling's: the sampling sizes go.
    const x = tf.fill([200, 200], 1)
    const y = tf.matMul(x, x)
    await y.data()
    expect(free()).toBeLessThan(budget)
    tf.dispose([x, y])
    await model.dispose()
  })

  it('refuses a dispatch over the storage-buffer limit with BENCH_BACKEND_FAILED naming the kernel and its shapes', async () => {
    await freshNullDevice()
    const xs = Array.from({ length: 40 }, (_, i) => tf.fill([4], i))
    expect(() => tf.addN(xs)).toThrow(
      expect.objectContaining({
        code: 'BENCH_BACKEND_FAILED',
        message: expect.stringMatching(
          /^webgpu: limit error in kernel AddNPackedProgram \(40 inputs: 40 × \[4\]\): it binds 41 storage buffers and the device allows 8 per shader stage\./,
        ),
      }),
    )
    // The failure stays: the next op and every read say it again rather than computing on.
    expect(() => tf.add(xs[0]!, xs[1]!)).toThrow(expect.objectContaining({ code: 'BENCH_BACKEND_FAILED' }))
    for (const x of xs) x.dispose()
  })

  it('turns an error the device reports later (here: work on a destroyed device) into BENCH_BACKEND_FAILED at the next read, not a bare AbortError', async () => {
    await freshNullDevice()
    const a = tf.fill([64, 64], 1)
    const b = tf.matMul(a, a)
    await b.data()
    ;(tf.backend() as unknown as { device: { destroy(): void } }).device.destroy()
    const c = tf.matMul(b, a)
    await expect(c.data()).rejects.toMatchObject({
      code: 'BENCH_BACKEND_FAILED',
      message: expect.stringMatching(/^webgpu: (device lost|validation error after kernel \w+|internal error after kernel \w+): /),
    })
  })
})
