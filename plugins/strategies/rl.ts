/**
 * `rl` — REINFORCE with a leave-one-out baseline (DESIGN §2.2 baseline, N′ = 1):
 *
 *     w_i = (v_i − b_i) / K,   b_i = mean_{j≠i} v_j,   v = R (default) or r (`reward: 'verifier'`)
 *
 * over the K policy samples. b_i is independent of y_i, so E[Σ w_i ∇log π(y_i)] = ∇E_π[v] exactly
 * (the 1/K makes the update a per-prompt gradient, as for every rule here). N′ is ignored except
 * for the default K = max(2N′, 4). Makes no BoN picks: `selection: 'none'`.
 */
import { z } from 'zod'
import { defineStrategy } from 'bonbench'
import { defaultK, requireSamples } from './shared/strategy-options.js'
import { strategyOutput } from './shared/strategy-output.js'

/** Options of `bonbench:rl`. */
export const rlOptionsSchema = z.strictObject({
  k: z.int().min(2).optional().describe('K, policy samples per prompt (default max(2N′, 4)).'),
  reward: z.enum(['environment', 'verifier']).default('environment').describe('Train on the environment reward R (default) or the verifier score r.'),
})

/** Leave-one-out REINFORCE weights (v_i − mean of the others) / K for the values `v`. */
export function leaveOneOutAdvantages(values: readonly number[]): number[] {
  const k = values.length
  const total = values.reduce((a, b) => a + b, 0)
  return values.map((v) => (v - (total - v) / (k - 1)) / k)
}

/** `bonbench:rl`. Throws BENCH_PLUGIN_OPTIONS for bad options. */
export const rl = defineStrategy({
  name: 'bonbench:rl',
  meta: { version: '0.1.0', description: 'REINFORCE with a leave-one-out baseline (N′ = 1 baseline)' },
  options: rlOptionsSchema,
  create: (o) => ({
    selection: 'none',
    usesNTrain: false,
    needs: ({ nTrain }) => ({ policySamples: defaultK(nTrain, o.k) }),
    weights(group) {
      requireSamples('rl', group.policy.length, 2, 'a leave-one-out baseline')
      const values = group.policy.map((s) => (o.reward === 'verifier' ? s.score : s.reward))
      const w = leaveOneOutAdvantages(values)
      return strategyOutput(group.policy.map((s, i) => ({ prompt: group.problem.prompt, completion: s.completion, weight: w[i]! })))
    },
  }),
})
