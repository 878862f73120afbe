import type { PluginTemplate } from '../template-types.js'

/** A verifier: the first line of a completion against the problem's answer. */
export const verifierTemplate: PluginTemplate = {
  kind: 'verifier',
  summary: "A bonbench verifier: passes a completion whose first line is the problem's answer.",
  option: '`ignoreCase` (boolean, default `false`): compare without regard to letter case.',
  source: ({ pluginName, identifier, bonbenchRange }) => `import { defineVerifier, z } from 'bonbench'

/**
 * ${pluginName}: passes a completion whose first line, trimmed, is the problem's \`answer\`. Its
 * score is the reward (1 or 0), so Best-of-N ranks by it as an oracle would. Never throws for a
 * bad completion: an empty one is \`no-answer\`.
 */
export const ${identifier} = defineVerifier({
  name: '${pluginName}',
  // version: keep it equal to package.json's; apiVersion: the bonbench versions this plugin needs.
  meta: { version: '0.1.0', apiVersion: '${bonbenchRange}', description: 'Exact match of the first line against the answer' },
  options: z.strictObject({
    ignoreCase: z.boolean().default(false).describe('Compare without regard to letter case'),
  }),
  create: ({ ignoreCase }) => {
    const normalize = (text: string) => (ignoreCase ? text.trim().toLowerCase() : text.trim())
    return {
      async score(batch) {
        return batch.map(({ problem, completion }) => {
          const answer = normalize(completion.split('\\n')[0] ?? '')
          if (answer === '') return { score: 0, reward: 0, pass: false, reason: 'no-answer' }
          const pass = problem.answer !== undefined && answer === normalize(problem.answer)
          return { score: pass ? 1 : 0, reward: pass ? 1 : 0, pass, reason: pass ? 'passed' : 'failed', answer }
        })
      },
    }
  },
})

export default ${identifier}
`,
  test: ({ pluginName, identifier }) => `import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertContract, checkVerifierContract } from 'bonbench/testing'
import { ${identifier} } from './index.js'

const problem = { id: 'p1', prompt: '2 + 2 =', answer: '4' }

test('${pluginName} keeps the verifier contract', async () => {
  const report = await checkVerifierContract(${identifier}(), [
    { name: 'right', item: { problem, completion: ' 4\\nbecause 2 + 2 = 4' }, expect: { pass: true, reward: 1, answer: '4' } },
    { name: 'wrong', item: { problem, completion: '5' }, expect: { pass: false, reward: 0 } },
    { name: 'empty', item: { problem, completion: '' }, expect: { pass: false, reason: 'no-answer' } },
  ])
  assertContract(report)
})

test('ignoreCase compares without letter case', async () => {
  const item = { problem: { id: 'p2', prompt: 'The capital of France:', answer: 'Paris' }, completion: 'PARIS' }
  const [strict] = await ${identifier}().score([item], { concurrency: 1 })
  const [relaxed] = await ${identifier}({ ignoreCase: true }).score([item], { concurrency: 1 })
  assert.equal(strict?.pass, false)
  assert.equal(relaxed?.pass, true)
})
`,
  usage: ({ packageName, name }) => `export default defineConfig({
  plugins: ['${packageName}'],                // or ['${packageName}', { ignoreCase: true }]
  matrix: { task: 'toy', model: 'tabular', verifier: '${name}' },   // the selector Best-of-N ranks by
})`,
}
