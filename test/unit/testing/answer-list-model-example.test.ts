import { describe, expect, it } from 'vitest'
import { answerListModel } from '../../../docs/examples/answer-list-model.js'

// docs/examples/answer-list-model.ts (shown whole in docs/plugins.md; test/plugins/docs-examples.test.ts
// keeps the two identical): its finishReason says why each completion ended.
describe('docs example my-lab/answer-list: finishReason', () => {
  it("is 'length' when maxTokens cut the answer, 'stop' at a stop string, 'eos' for a whole answer", async () => {
    const plugin = answerListModel({ answers: ['yes', 'no'] })
    const model = await plugin.create({ seed: 1, corpus: '', concurrency: 1 })
    const sample = async (maxTokens: number, stop?: string[]) =>
      (await model.sample([{ promptId: 'p', prompt: 'q', n: 1, temperature: 0, maxTokens, seed: 1, ...(stop ? { stop } : {}) }]))[0]!.completions[0]!
    expect(await sample(2)).toMatchObject({ text: 'ye', finishReason: 'length' })
    expect(await sample(3)).toMatchObject({ text: 'yes', finishReason: 'eos' })
    expect(await sample(16, ['s'])).toMatchObject({ text: 'ye', finishReason: 'stop' })
    await model.dispose?.()
  })
})
