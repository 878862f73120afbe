import type { PluginTemplate } from '../template-types.js'

/** A strategy: credits the reward-best sample of each N′-subset (a pure weight rule). */
export const strategyTemplate: PluginTemplate = {
  kind: 'strategy',
  summary: 'A bonbench strategy: trains on the reward-best sample of each N′-subset of the policy samples.',
  option: "`baseline` (number in [0, 1], default `0`): subtracted from each pick's reward, so a failed pick is pushed down.",
  source: ({ pluginName, identifier, bonbenchRange }) => `import { defineStrategy, z } from 'bonbench'

/**
 * ${pluginName}: draws 2·N′ samples per prompt, splits them into N′-subsets and credits the
 * sample with the highest environment reward R in each (ties to the first) with its reward minus
 * \`baseline\`. It picks by R, so it declares \`selection: 'reward'\`; its weights depend on N′,
 * so it declares \`usesNTrain: true\` (the matrix's N′ axis applies to it). A pure function of the group.
 */
export const ${identifier} = defineStrategy({
  name: '${pluginName}',
  // version: keep it equal to package.json's; apiVersion: the bonbench versions this plugin needs.
  meta: { version: '0.1.0', apiVersion: '${bonbenchRange}', description: 'Credit the reward-best sample of each N′-subset' },
  options: z.strictObject({
    baseline: z.number().min(0).max(1).default(0).describe("Subtracted from each pick's reward: above 0, a failed pick is pushed down"),
  }),
  create: ({ baseline }) => ({
    selection: 'reward',
    // The weights depend on N′: one cell per N′ of matrix.nTrain (false or absent: N′ = 1 only).
    usesNTrain: true,
    needs: ({ nTrain }) => ({ policySamples: 2 * nTrain }),
    weights(group, { nTrain }) {
      const { policy } = group
      const weights = policy.map(() => 0)
      let picks = 0
      for (let start = 0; start + nTrain <= policy.length; start += nTrain) {
        let best = start
        for (let i = start + 1; i < start + nTrain; i++) if (policy[i]!.reward > policy[best]!.reward) best = i
        weights[best]! += policy[best]!.reward - baseline
        picks++
      }
      const sequences = policy.map((sample, i) => ({ prompt: group.problem.prompt, completion: sample.completion, weight: weights[i]! }))
      return { sequences, stats: { picks } }
    },
  }),
})

export default ${identifier}
`,
  test: ({ pluginName, identifier }) => `import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRng } from 'bonbench'
import { assertContract, checkStrategyContract } from 'bonbench/testing'
import { ${identifier} } from './index.js'

test('${pluginName} keeps the strategy contract', async () => {
  assertContract(await checkStrategyContract(${identifier}(), { nTrain: [1, 2, 4] }))
})

test('credits the reward-best sample of each subset, less the baseline', () => {
  const policy = [0, 1, 0, 0].map((reward, i) => ({ completion: \`c\${i}\`, reward, score: reward }))
  const group = { problem: { id: 'p', prompt: 'q' }, policy }
  const params = { nTrain: 2, lambda: 0, rng: createRng(1) }
  const { sequences } = ${identifier}({ baseline: 0.5 }).weights(group, params)
  // Subsets {c0, c1} and {c2, c3}: c1 wins the first (reward 1), c2 the tie of the second.
  assert.deepEqual(sequences.map((s) => s.weight), [0, 0.5, -0.5, 0])
})
`,
  usage: ({ packageName, name }) => `export default defineConfig({
  plugins: ['${packageName}'],                // or ['${packageName}', { baseline: 0.5 }]
  matrix: { task: 'toy', model: 'tabular', strategies: ['${name}', 'rl'], nTrain: [4] },
})`,
}
