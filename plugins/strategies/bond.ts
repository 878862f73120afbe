/**
 * `bond` — BoN distillation (Sessa et al. 2024, J-BOND style), beyond the paper: a mix of
 *
 *     forward  KL(π_bon‖π): SFT on BoN picks of the reference policy — the M reference samples
 *              cut into B_ref = ⌊M/N′⌋ disjoint random N′-subsets, each pick (highest r, ties at
 *              random) weighted (1 − mix)/B_ref;
 *     backward KL(π‖π_bon): vbon's RL on u(y) = (N′−1)·log F̂_ref(r(y)) over the K policy samples,
 *              w_i = mix·(u_i − mean_{j≠i} u_j)/K, plus β·KL(π‖π_ref) by the model's update
 *              (β = `kl-beta`, default = mix).
 *
 * E[update] = (1−mix)·E_{ỹ~BoN(π_ref)}[∇log π(ỹ)] + mix·Σ_y π(y)·E_ref[u(y)]·∇log π(y).
 * Output: the K policy samples in order, then the B_ref reference picks. `selection: 'verifier'`:
 * the forward part distils BoN by r, the selector used at inference. With mix < 1 it needs M ≥ N′
 * (at least one reference subset, else the forward part would vanish): needs() and weights() refuse
 * a smaller M, naming the option 'reference-samples'.
 */
import { z } from 'zod'
import { defineStrategy } from 'bonbench'
import { leaveOneOutAdvantages } from './rl.js'
import { bonPicks } from './shared/bon-picks.js'
import { judgeValues } from './shared/judge-values.js'
import { defaultK, requireReferenceSamples, requireSamples } from './shared/strategy-options.js'
import { strategyOutput } from './shared/strategy-output.js'
import { defaultReferenceSamples, logCdfRewards } from './vbon.js'

/** Options of `bonbench:bond`. */
export const bondOptionsSchema = z.strictObject({
  k: z.int().min(2).optional().describe('K, policy samples per prompt (default max(2N′, 4)).'),
  'reference-samples': z.int().min(1).optional().describe('M, reference samples per prompt (default max(2N′, 8)).'),
  mix: z.number().min(0).max(1).default(0.5).describe('Weight of the backward (RL) part; 1 − mix goes to the forward (SFT on BoN picks) part.'),
  'kl-beta': z.number().min(0).optional().describe("β of KL(π‖π_ref) (default: mix, the backward part's own KL)."),
})

/** The judge of bond's reference BoN picks: r, the selector whose BoN policy it distils. */
const selection = 'verifier'

/**
 * Refuses M < N′ where the forward part has weight (mix < 1): its picks come from N′-subsets of the
 * M reference samples, and with none it would vanish silently. With mix = 1 no pick counts.
 */
function checkReferenceSamples(mix: number, m: number, nTrain: number): void {
  if (mix < 1) requireReferenceSamples('bond', m, nTrain, 'one N′-subset of the reference for the forward part, weight 1 − mix > 0')
}

/**
 * `bonbench:bond`. Throws BENCH_PLUGIN_OPTIONS for bad options; needs() and weights() throw
 * BENCH_RUN_INVALID for M < N′ with mix < 1 (the dry run reports it before any work).
 */
export const bond = defineStrategy({
  name: 'bonbench:bond',
  meta: { version: '0.1.0', description: 'BoN distillation: SFT on reference BoN picks (by the verifier r) + RL on (N−1)·log F_ref(r)' },
  options: bondOptionsSchema,
  create: (o) => ({
    selection,
    usesNTrain: true,
    needs: ({ nTrain }) => {
      const referenceSamples = defaultReferenceSamples(nTrain, o['reference-samples'])
      checkReferenceSamples(o.mix, referenceSamples, nTrain)
      return { policySamples: defaultK(nTrain, o.k), referenceSamples, klBeta: o['kl-beta'] ?? o.mix }
    },
    weights(group, { nTrain, rng }) {
      requireSamples('bond', group.policy.length, 2, 'a leave-one-out baseline')
      const backward = leaveOneOutAdvantages(logCdfRewards('bond', group, nTrain))
      const reference = group.reference!
      checkReferenceSamples(o.mix, reference.length, nTrain)
      const picks = bonPicks(judgeValues(reference, selection), nTrain, rng)
      const prompt = group.problem.prompt
      return strategyOutput(
        [
          ...group.policy.map((s, i) => ({ prompt, completion: s.completion, weight: o.mix * backward[i]! })),
          ...picks.map(({ pick }) => ({ prompt, completion: reference[pick]!.completion, weight: (1 - o.mix) / picks.length })),
        ],
        { picks: picks.length },
      )
    },
  }),
})
