import { threadId } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { tinyTransformer } from '../../plugins/models/tiny-transformer/index.js'

describe('tiny-transformer sampling workers', () => {
  it('samples on distinct worker threads with the same results as in-process sampling, and syncs weights after updates', async () => {
    const plugin = tinyTransformer({ layers: 1, width: 32, heads: 2, context: 32 })
    const ctx = { seed: 5, corpus: '0123456789+=', backend: 'wasm' }
    const pooled = await plugin.create({ ...ctx, concurrency: 2 })
    const single = await plugin.create({ ...ctx, concurrency: 1 })
    expect(pooled.workers).toBe(2)
    expect(single.workers).toBe(0)
    const requests = Array.from({ length: 5 }, (_, i) => ({ promptId: `p${i}`, prompt: `${i}+${i}=`, n: 3, temperature: 1, seed: 40 + i, maxTokens: 10 }))

    const a = await pooled.sample(requests)
    const threads = pooled.lastSampleThreadIds()
    expect(threads).toHaveLength(2)
    expect(new Set(threads).size).toBe(2)
    expect(threads).not.toContain(threadId)
    expect(await single.sample(requests)).toEqual(a)

    const batch = [
      { prompt: '1+1=', completion: '2', weight: 1 },
      { prompt: '2+2=', completion: '4', weight: 1 },
    ]
    for (let i = 0; i < 3; i++) {
      await pooled.update(batch, { learningRate: 0.05 })
      await single.update(batch, { learningRate: 0.05 })
    }
    expect(await pooled.contentHash()).toBe(await single.contentHash())
    const b = await pooled.sample(requests)
    expect(b).not.toEqual(a)
    expect(await single.sample(requests)).toEqual(b)
    await pooled.dispose()
    await single.dispose()
  }, 120_000)
})
