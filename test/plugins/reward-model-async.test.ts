import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../core/backend/select-backend.js'
import { createRng } from '../../core/rng.js'
import type { SparseFeatures } from '../../plugins/verifiers/reward-model/features.js'
import { createScorerNet } from '../../plugins/verifiers/reward-model/scorer-net.js'
import { tf } from '../../plugins/verifiers/reward-model/tf-backend.js'
import { keepBackend } from '../helpers/keep-backend.js'

keepBackend()

// The reward model's training used to read the device synchronously (a custom op calling
// dataSync), which WebGPU in Node cannot do. The async training must give the very same bits
// as that implementation on the CPU backends: its losses, and digests of its weights and
// predictions, recorded by it in test/fixtures/reward-model-sync-digests.json (which says how).
const recorded = JSON.parse(readFileSync(path.join(import.meta.dirname, '../fixtures/reward-model-sync-digests.json'), 'utf8')) as {
  digests: Record<string, { losses: number[]; weights: string; predictions: string }>
}
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')

const DIM = 257

/** Seeded sparse rows: distinct indices, mixed magnitudes, some rows wider than others. */
function examples(n: number, seed: number): { xs: SparseFeatures[]; ys: number[] } {
  const rng = createRng(seed)
  const xs: SparseFeatures[] = []
  const ys: number[] = []
  for (let i = 0; i < n; i++) {
    const width = 3 + rng.int(12)
    const indices = new Set<number>()
    while (indices.size < width) indices.add(rng.int(DIM))
    const idx = Int32Array.from(indices)
    xs.push({ indices: idx, values: Float32Array.from(idx, () => (rng.next() - 0.4) * 3) })
    // A label that depends on the features, plus noise, so the loss moves.
    ys.push(idx.reduce((s, k) => s + (k % 3 === 0 ? 1 : 0), 0) > width / 3 !== rng.next() < 0.1 ? 1 : 0)
  }
  return { xs, ys }
}

const CASES = [
  { name: 'logistic, no L2', hidden: 0, l2: 0 },
  { name: 'logistic, L2', hidden: 0, l2: 1e-3 },
  { name: 'MLP, no L2', hidden: 5, l2: 0 },
  { name: 'MLP, L2', hidden: 5, l2: 2e-3 },
]

describe.each(['cpu', 'wasm'] as const)('reward-model scorer training on %s', (backend) => {
  afterAll(() => tf.disposeVariables())

  it.each(CASES)('$name: async training gives the bits of the synchronous one, and never reads synchronously', async ({ name, hidden, l2 }) => {
    await selectBackend(backend)
    const { xs, ys } = examples(150, 11 + hidden)
    const opts = (losses: number[]) => ({
      epochs: 3,
      batchSize: 32,
      learningRate: 0.05,
      l2,
      rng: createRng(5),
      onEpoch: (_: number, loss: number) => losses.push(loss),
    })

    const old = recorded.digests[`${backend} · ${name}`]!
    const newLosses: number[] = []
    const net = createScorerNet({ dim: DIM, hidden }, createRng(3))
    const proto = tf.Tensor.prototype as unknown as Record<'dataSync' | 'arraySync' | 'bufferSync', unknown>
    const saved = { dataSync: proto.dataSync, arraySync: proto.arraySync, bufferSync: proto.bufferSync }
    const forbidden = () => {
      throw new Error('synchronous readback while training')
    }
    proto.dataSync = proto.arraySync = proto.bufferSync = forbidden
    try {
      await net.train(xs, ys, opts(newLosses))
    } finally {
      Object.assign(proto, saved)
    }

    expect(newLosses).toHaveLength(3)
    // The training moved something: the last epoch's loss is below the first's.
    expect(newLosses[2]!).toBeLessThan(newLosses[0]!)
    expect(newLosses).toEqual(old.losses)
    expect(sha256(JSON.stringify(await net.exportWeights()))).toBe(old.weights)
    const a = await net.predict(xs)
    expect(sha256(Buffer.from(a.buffer, a.byteOffset, a.byteLength))).toBe(old.predictions)
    // No tensor is left behind by a training step beyond the net's own weights.
    const before = tf.memory().numTensors
    await net.train(xs.slice(0, 40), ys.slice(0, 40), { ...opts([]), epochs: 1 })
    expect(tf.memory().numTensors).toBe(before)
    net.dispose()
  })
})

describe('no synchronous device reads in the engine', () => {
  const root = path.join(import.meta.dirname, '../..')
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name)
      return statSync(full).isDirectory() ? files(full) : /\.(ts|mjs)$/.test(name) ? [full] : []
    })

  it('the tiny-transformer, the reward model and core call no dataSync, arraySync or bufferSync', () => {
    const sources = ['plugins/models/tiny-transformer', 'plugins/verifiers/reward-model', 'core'].flatMap((d) => files(path.join(root, d)))
    expect(sources.length).toBeGreaterThan(40)
    const offenders = sources.filter((f) => /\.(dataSync|arraySync|bufferSync)\s*\(/.test(readFileSync(f, 'utf8')))
    expect(offenders.map((f) => path.relative(root, f))).toEqual([])
  })
})
