import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ModelInstance, ModelPlugin, UpdateStats, WeightedSequence } from '../../../core/plugin-api/model.js'
import { tinyTransformer } from '../../../plugins/models/tiny-transformer/index.js'
import { tabular } from '../../../plugins/models/tabular/index.js'

// saveResumable/loadResumable (core/plugin-api/model.ts): a model saved after k updates and loaded
// back continues with exactly the updates the saved one would have taken — the Adam moments and
// step count, the KL reference and (tiny-transformer) the dropout stream, seeded by the step count.
// A plain save/load (fresh optimizer state, by the fine-tuning rule) does not: the control.

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})
const tempDir = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'bonbench-resumable-'))
  dirs.push(dir)
  return dir
}

interface Case {
  name: string
  plugin: ModelPlugin
  create(): Promise<ModelInstance>
  batch(step: number): WeightedSequence[]
  klBeta: number
  /** A plain `load` restores a fresh optimizer (tiny-transformer); tabular's checkpoint holds its state either way. */
  plainLoadResets: boolean
}

const words = ['ab', 'cd', 'h7', '12', 'ba', 'dc']
const cases: Case[] = [
  {
    name: 'tiny-transformer (dropout, KL penalty)',
    plugin: tinyTransformer({ layers: 1, width: 16, heads: 2, context: 24, dropout: 0.2 }),
    create() {
      return this.plugin.create({ seed: 5, corpus: 'abcdh0127=', concurrency: 1, backend: 'wasm' })
    },
    batch: (step) => [0, 1, 2].map((i) => ({ prompt: words[(step + i) % 6]! + '=', completion: words[(step + 2 * i) % 6]!, weight: 0.3 + 0.1 * i })),
    klBeta: 0.1,
    plainLoadResets: true,
  },
  {
    name: 'tabular (Adam, KL penalty)',
    plugin: tabular({ optimizer: 'adam', learningRate: 0.5 }),
    create() {
      return this.plugin.create({ seed: 5, corpus: '', concurrency: 1 })
    },
    batch: (step) =>
      [0, 1, 2].map((i) => ({ prompt: `q${(step + i) % 4}\nchoices: a | b | c`, completion: 'abc'[(step * 2 + i) % 3]!, weight: 0.5 - 0.2 * i })),
    klBeta: 0.1,
    plainLoadResets: false,
  },
]

async function train(model: ModelInstance, c: Case, from: number, to: number): Promise<UpdateStats[]> {
  const out: UpdateStats[] = []
  for (let step = from; step < to; step++) out.push(await model.update!(c.batch(step), { learningRate: 0.01, klBeta: c.klBeta }))
  return out
}

const hashOf = async (m: ModelInstance) => (m.contentHash ? m.contentHash() : m.describe().hash)

describe.each(cases)('$name: saveResumable → loadResumable continues training exactly', (c) => {
  it('gives the uninterrupted losses, grad norms and weights after the resume; a plain load does not', async () => {
    const uninterrupted = await c.create()
    const stats = await train(uninterrupted, c, 0, 7)
    const finalHash = await hashOf(uninterrupted)

    const interrupted = await c.create()
    expect(await train(interrupted, c, 0, 4)).toEqual(stats.slice(0, 4))
    const dir = await tempDir()
    const { hash } = await interrupted.saveResumable!(dir)
    expect(hash).toBe(await hashOf(interrupted))
    const ctx = { seed: 5, concurrency: 1, backend: 'wasm' }
    const resumed = await c.plugin.loadResumable!(dir, ctx)
    expect(await hashOf(resumed)).toBe(hash)
    // clone() of a resumed model still starts a fine-tuning afresh, as a clone of a plain load does.
    const [a, b] = [await resumed.clone!(), await (await c.plugin.load!(dir, ctx)).clone!()]
    expect(await train(a, c, 0, 2)).toEqual(await train(b, c, 0, 2))
    expect(await train(resumed, c, 4, 7)).toEqual(stats.slice(4))
    expect(await hashOf(resumed)).toBe(finalHash)

    // The control: a fresh optimizer (plain load) takes other steps, so the resumable state is what makes them equal.
    const plain = await c.plugin.load!(dir, ctx)
    if (c.plainLoadResets) expect(await train(plain, c, 4, 7)).not.toEqual(stats.slice(4))
    for (const m of [uninterrupted, interrupted, resumed, plain, a, b]) await m.dispose?.()
  })
})

describe('tiny-transformer: a damaged training state is refused by name', () => {
  it('throws BENCH_DATA_INVALID naming the folder when training-state.bin was altered', async () => {
    const plugin = tinyTransformer({ layers: 1, width: 16, heads: 2, context: 24 })
    const model = await plugin.create({ seed: 1, corpus: 'ab=', concurrency: 1, backend: 'wasm' })
    await model.update([{ prompt: 'a=', completion: 'b', weight: 1 }])
    const dir = await tempDir()
    await model.saveResumable(dir)
    await writeFile(path.join(dir, 'training-state.bin'), Buffer.alloc(8))
    await expect(plugin.loadResumable(dir, { seed: 1, concurrency: 1, backend: 'wasm' })).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
      message: expect.stringContaining(dir),
    })
    await model.dispose()
  })
})
