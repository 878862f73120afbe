import { describe, expect, it } from 'vitest'
import { createRng } from '../../core/rng.js'
import { tinyTransformer } from '../../plugins/models/tiny-transformer/index.js'

describe('tiny-transformer learns a toy language', () => {
  it('reaches ≥ 95% exact-match greedy accuracy on held-out strings after 100 copy steps', async () => {
    const rng = createRng(7)
    const alphabet = 'abcdefgh'
    const word = () => Array.from({ length: 2 + rng.int(3) }, () => alphabet[rng.int(alphabet.length)]).join('')
    const heldOut = [...new Set(Array.from({ length: 120 }, word))].slice(0, 100)
    const seen = new Set(heldOut)
    const model = await tinyTransformer({ layers: 2, width: 64, heads: 4, context: 16, learningRate: 3e-3 }).create({
      seed: 1,
      corpus: alphabet + '=',
      concurrency: 1,
      backend: 'wasm',
    })
    // 100 steps: 100 of 100 held-out strings right (measured: 99 at step 75, 84 at step 50).
    for (let step = 0; step < 100; step++) {
      const batch = []
      while (batch.length < 32) {
        const w = word()
        if (!seen.has(w)) batch.push({ prompt: w + '=', completion: w, weight: 1 })
      }
      await model.update(batch)
    }
    const results = await model.sample(heldOut.map((w, i) => ({ promptId: String(i), prompt: w + '=', n: 1, temperature: 0, seed: 0, maxTokens: 8 })))
    const correct = results.filter((r, i) => r.completions[0]!.text === heldOut[i] && r.completions[0]!.finishReason === 'eos').length
    expect(correct / heldOut.length).toBeGreaterThanOrEqual(0.95)
    await model.dispose()
  }, 180_000)
})
