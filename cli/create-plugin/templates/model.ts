import type { PluginTemplate } from '../template-types.js'

/** A model: seeded uniform sampling over an alphabet (sampling only, not trainable). */
export const modelTemplate: PluginTemplate = {
  kind: 'model',
  summary: "A bonbench model: samples characters of an alphabet uniformly from each request's seed (a baseline; not trainable).",
  option: '`alphabet` (string of 2 or more characters, default `"0123456789"`): the characters it samples.',
  source: ({ pluginName, identifier, bonbenchRange }) => `import { createRng, defineModel, z, type Completion, type SampleRequest } from 'bonbench'

/**
 * ${pluginName}: a baseline model that writes characters of \`alphabet\`, each step uniformly
 * one of them or the end of the text, from the request's seed (the same seed gives the same
 * completions). At temperature 0 it decodes greedily: the first character until \`maxTokens\`.
 * It has no \`update\`, so bonbench evaluates it but cannot train it.
 */
export const ${identifier} = defineModel({
  name: '${pluginName}',
  // version: keep it equal to package.json's; apiVersion: the bonbench versions this plugin needs.
  meta: { version: '0.1.0', apiVersion: '${bonbenchRange}', description: 'Uniform characters of an alphabet' },
  options: z.strictObject({
    alphabet: z.string().min(2).default('0123456789').describe('The characters it samples'),
  }),
  create: ({ alphabet }) => {
    const symbols = [...alphabet]
    // One step's choices: every symbol and the end of the text, equally likely at temperature 1.
    const stepLogProb = -Math.log(symbols.length + 1)

    function complete(request: SampleRequest, draw: () => number): Completion {
      const maxTokens = request.maxTokens ?? 16
      const tokens: number[] = []
      let text = ''
      while (tokens.length < maxTokens) {
        const token = request.temperature === 0 ? 0 : draw()
        if (token === symbols.length) return { text, tokens, logProb: tokens.length * stepLogProb + stepLogProb, finishReason: 'eos' }
        const stop = request.stop?.find((s) => (text + symbols[token]).endsWith(s))
        if (stop !== undefined) {
          // The stop string is kept out of the text (and its earlier characters out of the tokens).
          text = (text + symbols[token]).slice(0, -stop.length)
          tokens.length = [...text].length
          return { text, tokens, logProb: tokens.length * stepLogProb, finishReason: 'stop' }
        }
        tokens.push(token)
        text += symbols[token]
      }
      return { text, tokens, logProb: tokens.length * stepLogProb, finishReason: 'length' }
    }

    return {
      async create() {
        return {
          async sample(requests, opts) {
            opts?.signal?.throwIfAborted()
            return requests.map((request) => {
              const rng = createRng(request.seed)
              const draw = () => rng.int(symbols.length + 1)
              return { promptId: request.promptId, completions: Array.from({ length: request.n }, () => complete(request, draw)) }
            })
          },
          describe: () => ({ parameters: 0, backend: 'js', device: 'cpu' }),
        }
      },
    }
  },
})

export default ${identifier}
`,
  test: ({ pluginName, identifier }) => `import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertContract, checkModelContract } from 'bonbench/testing'
import { ${identifier} } from './index.js'

test('${pluginName} keeps the model contract', async () => {
  assertContract(await checkModelContract(${identifier}(), { prompts: ['first prompt', 'second prompt'] }))
})

test('writes only characters of its alphabet', async () => {
  const model = await ${identifier}({ alphabet: 'ab' }).create({ seed: 1, corpus: '', concurrency: 1 })
  const [result] = await model.sample([{ promptId: 'p', prompt: 'q', n: 8, temperature: 1, seed: 3 }])
  assert.ok(result!.completions.every((c) => /^[ab]*$/.test(c.text)))
})
`,
  usage: ({ packageName, name }) => `export default defineConfig({
  plugins: ['${packageName}'],                // or ['${packageName}', { alphabet: '0123456789+' }]
  matrix: { task: 'math', model: '${name}', strategies: [] },   // evaluation only: it cannot be trained
})`,
}
