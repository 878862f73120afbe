// A strategy: rejection-sampling fine-tuning. Draw K samples per prompt and train on those whose
// environment reward reaches `threshold`, each with weight 1/K. It makes no Best-of-N picks.
import { defineStrategy, z } from 'bonbench'

export const filteredSftStrategy = defineStrategy({
  name: 'my-lab/filtered-sft',
  meta: { version: '1.0.0', apiVersion: '^0.1.0', description: 'SFT on the policy samples that pass' },
  options: z.strictObject({
    threshold: z.number().min(0).max(1).default(1).describe('Smallest reward R a sample needs to be trained on'),
  }),
  create: ({ threshold }) => ({
    selection: 'none',
    // No N′ axis: its cells train at N′ = 1 (so K = 2) whatever matrix.nTrain says.
    usesNTrain: false,
    needs: ({ nTrain }) => ({ policySamples: 2 * nTrain }),
    weights(group) {
      const k = group.policy.length
      const sequences = group.policy.map((sample) => ({
        prompt: group.problem.prompt,
        completion: sample.completion,
        weight: sample.reward >= threshold ? 1 / k : 0,
      }))
      return { sequences }
    },
  }),
})

export default filteredSftStrategy
