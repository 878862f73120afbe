import type { PluginTemplate } from '../template-types.js'

/** A task: seeded addition problems, graded by the built-in `math-answer`. */
export const taskTemplate: PluginTemplate = {
  kind: 'task',
  summary: 'A bonbench task: seeded addition problems with worked answers, graded by the built-in math-answer verifier.',
  option: '`count` (integer 4–10 000, default `40`): how many problems; every fourth is a test problem.',
  source: ({ pluginName, identifier, bonbenchRange }) => `import { createRng, defineTask, z, type Problem } from 'bonbench'

/**
 * ${pluginName}: \`count\` addition problems generated from a fixed seed (the same problems in
 * every run), every fourth one in the test split. Each has the answer and an expert solution;
 * the built-in \`math-answer\` verifier grades completions.
 */
export const ${identifier} = defineTask({
  name: '${pluginName}',
  // version: keep it equal to package.json's; apiVersion: the bonbench versions this plugin needs.
  meta: { version: '0.1.0', apiVersion: '${bonbenchRange}', description: 'Seeded addition problems' },
  options: z.strictObject({
    count: z.int().min(4).max(10_000).default(40).describe('How many problems; every fourth is a test problem'),
  }),
  create: ({ count }) => ({
    rewardVerifier: 'math-answer',
    generation: { maxTokens: 8, stop: ['\\n'] },
    async load() {
      const rng = createRng(1)
      const problems: Problem[] = []
      for (let i = 0; i < count; i++) {
        const a = rng.int(50)
        const b = rng.int(50)
        problems.push({ id: \`add-\${i}\`, prompt: \`\${a} + \${b} =\`, answer: String(a + b), expert: \` \${a + b}\` })
      }
      return { train: problems.filter((_, i) => i % 4 !== 0), test: problems.filter((_, i) => i % 4 === 0) }
    },
  }),
})

export default ${identifier}
`,
  test: ({ pluginName, identifier }) => `import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertContract, checkTaskContract } from 'bonbench/testing'
import { ${identifier} } from './index.js'

test('${pluginName} keeps the task contract', async () => {
  assertContract(await checkTaskContract(${identifier}(), { seed: 0 }))
})

test('count sets the number of problems', async () => {
  const { train, test: testSplit } = await ${identifier}({ count: 8 }).load({ seed: 0 })
  assert.equal(train.length + testSplit.length, 8)
  assert.equal(testSplit.length, 2)
})
`,
  usage: ({ packageName, name }) => `export default defineConfig({
  plugins: ['${packageName}'],                // or ['${packageName}', { count: 200 }]
  matrix: { task: '${name}', model: 'tiny-transformer' },
})`,
}
