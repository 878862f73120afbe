/**
 * `vbon` — variational BoN (Amini et al. 2024), beyond the paper: RL on the reward
 *
 *     u(y) = (N′−1)·log F̂_ref(r(y)),   F̂_ref(s) = (#{reference scores ≤ s} + 1)/(M + 1)
 *
 * from M reference samples, with a leave-one-out baseline over the K policy samples,
 *
 *     w_i = (u_i − mean_{j≠i} u_j) / K,
 *
 * and β·KL(π‖π_ref) applied by the model's update (needs().klBeta, default 1: the vBoN objective
 * (N−1)·E_π[log F_ref(r)] − KL). E[update] = Σ_y π(y)·E_ref[u(y)]·∇log π(y). It ranks by r through
 * F̂_ref but makes no BoN picks: `selection: 'none'`.
 */
import { z } from 'zod'
import type { ScoredGroup } from 'bonbench'
import { BenchError, defineStrategy } from 'bonbench'
import { leaveOneOutAdvantages } from './rl.js'
import { referenceCdf } from './shared/reference-cdf.js'
import { defaultK, requireSamples } from './shared/strategy-options.js'
import { strategyOutput } from './shared/strategy-output.js'

/** Options of `bonbench:vbon`. */
export const vbonOptionsSchema = z.strictObject({
  k: z.int().min(2).optional().describe('K, policy samples per prompt (default max(2N′, 4)).'),
  'reference-samples': z.int().min(1).optional().describe('M, reference samples per prompt (default max(2N′, 8)).'),
  'kl-beta': z.number().min(0).default(1).describe('β of KL(π‖π_ref) (default 1).'),
})

/** M, the reference samples per prompt of vbon and bond: the option, else max(2N′, 8). */
export function defaultReferenceSamples(nTrain: number, m: number | undefined): number {
  return m ?? Math.max(2 * nTrain, 8)
}

/** u(y) = (N′−1)·log F̂_ref(r(y)) for each policy sample, F̂_ref from the group's reference samples. */
export function logCdfRewards(name: string, group: ScoredGroup, nTrain: number): number[] {
  if (!group.reference || group.reference.length === 0) {
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `bonbench:${name}: the group of '${group.problem.id}' has no reference samples. The trainer must draw needs().referenceSamples from the frozen reference model.`,
    )
  }
  const cdf = referenceCdf(group.reference.map((s) => s.score))
  return group.policy.map((s) => (nTrain - 1) * Math.log(cdf(s.score)))
}

/** `bonbench:vbon`. Throws BENCH_PLUGIN_OPTIONS for bad options. */
export const vbon = defineStrategy({
  name: 'bonbench:vbon',
  meta: { version: '0.1.0', description: 'Variational BoN: RL on (N−1)·log F_ref(r) with KL to the reference' },
  options: vbonOptionsSchema,
  create: (o) => ({
    selection: 'none',
    usesNTrain: true,
    needs: ({ nTrain }) => ({
      policySamples: defaultK(nTrain, o.k),
      referenceSamples: defaultReferenceSamples(nTrain, o['reference-samples']),
      klBeta: o['kl-beta'],
    }),
    weights(group, { nTrain }) {
      requireSamples('vbon', group.policy.length, 2, 'a leave-one-out baseline')
      const w = leaveOneOutAdvantages(logCdfRewards('vbon', group, nTrain))
      return strategyOutput(group.policy.map((s, i) => ({ prompt: group.problem.prompt, completion: s.completion, weight: w[i]! })))
    },
  }),
})
