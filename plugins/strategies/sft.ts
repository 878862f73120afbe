/**
 * `sft` — supervised fine-tuning on the expert solution (DESIGN §2.2 baseline):
 *
 *     w(y_expert) = 1
 *
 * E[update] = ∇ log π(y_expert | x). Needs the expert and no policy samples. Degrades BoN in the paper.
 * Makes no BoN picks: `selection: 'none'`.
 */
import { z } from 'zod'
import { BenchError, defineStrategy } from 'bonbench'
import { strategyOutput } from './shared/strategy-output.js'

/** Options of `bonbench:sft` (none). */
export const sftOptionsSchema = z.strictObject({})

/** `bonbench:sft`: weight 1 on the expert completion. Throws BENCH_PLUGIN_OPTIONS on any option. */
export const sft = defineStrategy({
  name: 'bonbench:sft',
  meta: { version: '0.1.0', description: 'SFT on expert solutions (baseline)' },
  options: sftOptionsSchema,
  create: () => ({
    selection: 'none',
    usesNTrain: false,
    needs: () => ({ policySamples: 0, expert: true }),
    weights(group) {
      if (group.expert === undefined)
        throw new BenchError(
          'BENCH_RUN_INVALID',
          `bonbench:sft: problem '${group.problem.id}' has no expert solution. Use sft with tasks that provide experts.`,
        )
      return strategyOutput([{ prompt: group.problem.prompt, completion: group.expert, weight: 1 }])
    },
  }),
})
