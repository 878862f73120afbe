import { threadId } from 'node:worker_threads'
import { afterAll, describe, expect, it } from 'vitest'
import type { SampleRequest, TokenEvent } from '../../core/plugin-api/index.js'
import { tinyTransformer, type TinyTransformerInstance } from '../../plugins/models/tiny-transformer/index.js'

describe('tiny-transformer sampling workers', () => {
  // One model with two sampling workers and the same model sampling in process, made on first use
  // and shared (a worker thread costs about 0.7 s of CPU to start from the sources): the onToken
  // test first, on the untrained weights its stop strings were found with; then the test that
  // trains both.
  let made: Promise<{ pooled: TinyTransformerInstance; single: TinyTransformerInstance }> | undefined
  const models = () =>
    (made ??= (async () => {
      const plugin = tinyTransformer({ layers: 1, width: 16, heads: 2, context: 24 })
      const ctx = { seed: 1, corpus: 'abcdefgh0123456789+=. ', backend: 'wasm' }
      return { pooled: await plugin.create({ ...ctx, concurrency: 2 }), single: await plugin.create({ ...ctx, concurrency: 1 }) }
    })())
  afterAll(async () => {
    const m = await made
    await m?.pooled.dispose()
    await m?.single.dispose()
  })

  it('reports the text of each completion through onToken as it is decoded, in process and from the workers, without changing a draw', async () => {
    const { pooled, single } = await models()
    // Stop strings that end some completions (found with this seed): '.', a one-character one, and
    // '12' whose first character is held back until the next one shows it is not the stop.
    const requests: SampleRequest[] = [
      { promptId: 'plain', prompt: 'ab=', n: 2, temperature: 1, seed: 3, maxTokens: 16 },
      { promptId: 'dot', prompt: 'ab=', n: 4, temperature: 1, seed: 3, maxTokens: 20, stop: ['.'] },
      { promptId: 'held', prompt: 'ab=', n: 4, temperature: 1, seed: 3, maxTokens: 20, stop: ['0', '12', 'ab'] },
      { promptId: 'none', prompt: 'ab=', n: 1, temperature: 1, seed: 3, maxTokens: 0 },
    ]
    for (const model of [single, pooled]) {
      const events: TokenEvent[] = []
      const streamed = await model.sample(requests, { onToken: (e) => events.push(e) })
      expect(streamed).toEqual(await model.sample(requests))
      expect(streamed).toEqual(await single.sample(requests))
      const finishes = streamed.flatMap((r) => r.completions.map((c) => c.finishReason))
      expect(finishes).toContain('stop')
      expect(finishes).toContain('length')
      for (const [i, result] of streamed.entries())
        for (const [j, completion] of result.completions.entries()) {
          const pieces = events.filter((e) => e.requestIndex === i && e.sampleIndex === j).map((e) => e.text)
          expect(pieces.join('')).toBe(completion.text)
          expect(pieces.every((p) => p.length > 0)).toBe(true)
          // One event per decoded character, except where a possible stop string was held back.
          if (i === 0) expect(pieces).toEqual([...completion.text])
        }
      expect(events.filter((e) => e.requestIndex === 2).some((e) => e.text.length > 1)).toBe(true)
      expect(events.some((e) => e.requestIndex === 3)).toBe(false)
    }
    expect(pooled.lastSampleThreadIds()).toHaveLength(2)
  }, 120_000)
  it('samples on distinct worker threads with the same results as in-process sampling, and syncs weights after updates', async () => {
    const { pooled, single } = await models()
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
  }, 120_000)
})
