import { threadId } from 'node:worker_threads'
import { afterAll, describe, expect, it } from 'vitest'
import type { SampleRequest, TokenEvent } from '../../core/plugin-api/index.js'
import { tinyTransformer, type TinyTransformerInstance } from '../../plugins/models/tiny-transformer/index.js'
import { acquirePool } from '../../plugins/models/tiny-transformer/sampler-pool.js'

describe('tiny-transformer sampling workers', () => {
  // One model with two sampling workers and the same model sampling in process, made on first use
  // and shared (a worker thread costs about 0.7 s of CPU to start from the sources): the onToken
  // test first, on the untrained weights its stop strings were found with; then the test that
  // trains both; last the test of instances sharing the workers, which disposes the pooled one at its end
  // (afterAll disposes the rest).
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
  it('a model and its clone share the two sampling threads, each sampling with its own weights, interleaved, concurrently and when one aborts', async () => {
    const { pooled, single } = await models()
    // The clone on two workers and its in-process twin, trained alike and away from the originals.
    const [clone, cloneSingle] = [await pooled.clone(), await single.clone()]
    const batch = [{ prompt: '3+3=', completion: '6', weight: 1 }]
    for (let i = 0; i < 2; i++) {
      await clone.update(batch, { learningRate: 0.05 })
      await cloneSingle.update(batch, { learningRate: 0.05 })
    }
    expect(await clone.contentHash()).toBe(await cloneSingle.contentHash())
    expect(await clone.contentHash()).not.toBe(await pooled.contentHash())
    expect(await pooled.contentHash()).toBe(await single.contentHash())

    // One pool of two threads in all (not two per instance), found again by an equal init.
    const threads = await pooled.workerThreadIds()
    expect(threads).toHaveLength(2)
    expect(await clone.workerThreadIds()).toEqual(threads)
    const e = pooled.engine
    const lease = acquirePool(2, { options: e.options, tokenizer: e.tokenizer.toJSON(), seed: e.seed, backend: e.backend.name })
    expect(await lease.pool.threadIds()).toEqual(threads)
    await lease.release()

    const requests = (seed: number) =>
      Array.from({ length: 3 }, (_, i) => ({ promptId: `p${i}`, prompt: `${i}+3=`, n: 2, temperature: 1, seed: seed + i, maxTokens: 8 }))
    const [want, wantClone] = [await single.sample(requests(7)), await cloneSingle.sample(requests(7))]
    expect(wantClone).not.toEqual(want)
    // Interleaved: every call finds the workers holding the other instance's weights.
    expect(await pooled.sample(requests(7))).toEqual(want)
    expect(await clone.sample(requests(7))).toEqual(wantClone)
    expect(await pooled.sample(requests(7))).toEqual(want)
    expect(new Set([...pooled.lastSampleThreadIds(), ...clone.lastSampleThreadIds()])).toEqual(new Set(threads))
    // Concurrently: the clone's calls wait for its weights to be read while the original's go out,
    // and the clone is trained while the original's calls are in flight.
    const [want9, wantClone9] = [await single.sample(requests(9)), await cloneSingle.sample(requests(9))]
    const first = [pooled.sample(requests(7)), clone.sample(requests(7)), pooled.sample(requests(9)), clone.sample(requests(9))]
    expect(await Promise.all(first)).toEqual([want, wantClone, want9, wantClone9])
    const second = [pooled.sample(requests(7)), pooled.sample(requests(9))]
    await clone.update(batch, { learningRate: 0.05 })
    await cloneSingle.update(batch, { learningRate: 0.05 })
    second.push(clone.sample(requests(7)), pooled.sample(requests(9)), clone.sample(requests(9)))
    const [trained, trained9] = [await cloneSingle.sample(requests(7)), await cloneSingle.sample(requests(9))]
    expect(trained).not.toEqual(wantClone)
    expect(await Promise.all(second)).toEqual([want, want9, trained, want9, trained9])
    // An aborted call fails alone: the clone's call queued before it in the same workers completes.
    const controller = new AbortController()
    const cloneCall = clone.sample(requests(7))
    const aborted = pooled.sample(requests(7), { signal: controller.signal })
    controller.abort()
    await expect(aborted).rejects.toMatchObject({ code: 'BENCH_ABORTED' })
    expect(await cloneCall).toEqual(trained)
    expect(await pooled.sample(requests(7))).toEqual(want)

    // The threads end with the last instance using them: a clone's dispose leaves them running.
    await Promise.all([clone.dispose(), cloneSingle.dispose()])
    expect(await pooled.workerThreadIds()).toEqual(threads)
    expect(await pooled.sample(requests(7))).toEqual(want)
    await pooled.dispose()
    const after = acquirePool(2, { options: e.options, tokenizer: e.tokenizer.toJSON(), seed: e.seed, backend: e.backend.name })
    expect(after.pool).not.toBe(lease.pool)
    await after.release()
  }, 120_000)
})
