/**
 * `pass-at-k` — the exact group estimator of the BoN objective (beyond the paper; the unbiased
 * pass@k / max@k transforms of Walder & Karkhanis 2025 and Bagirov et al. 2025). BoN over N′
 * samples returns f(S) = R(y*) with y* the verifier's pick of the group S (ties split evenly), so
 * ∇J = E[(f(S) − b)·Σ_{i∈S} ∇log π(y_i)] credits every member. Averaging over all N′-subsets of
 * the K samples, in closed form:
 *
 *     w_i = (N′/K)·( mean_{S∋i} f(S) − mean_{S⊆[K]∖i} f(S) )
 *
 * — the second mean is a baseline independent of y_i. E[update] = ∇J = ∇E[R(y*)] exactly (pass@N
 * with an oracle verifier, Bo-N accuracy with a learned one). Needs K ≥ N′ + 1.
 * `selection: 'verifier'`: y* is r's pick, as at inference; f is R of that pick.
 */
import { z } from 'zod'
import { defineStrategy } from 'bonbench'
import { defaultK, requireSamples } from './shared/strategy-options.js'
import { judgeValues } from './shared/judge-values.js'
import { strategyOutput } from './shared/strategy-output.js'
import { subsetCredit } from './shared/subset-credit.js'

/** Options of `bonbench:pass-at-k`. */
export const passAtKOptionsSchema = z.strictObject({
  k: z.int().min(2).optional().describe('K, policy samples per prompt (default max(2N′, 4); at least N′ + 1).'),
})

/** The judge of y* in f(S) = R(y*): r, the verifier BoN selects with at inference. */
const selection = 'verifier'

/** `bonbench:pass-at-k`. Throws BENCH_PLUGIN_OPTIONS for bad options. */
export const passAtK = defineStrategy({
  name: 'bonbench:pass-at-k',
  meta: { version: '0.1.0', description: 'Exact N-subset group estimator of ∇E[R(BoN pick)], picks by the verifier r' },
  options: passAtKOptionsSchema,
  create: (o) => ({
    selection,
    usesNTrain: true,
    needs: ({ nTrain }) => ({ policySamples: defaultK(nTrain, o.k) }),
    weights(group, { nTrain }) {
      const K = group.policy.length
      requireSamples('pass-at-k', K, nTrain + 1, 'N′-subsets that leave each sample out')
      const rewards = judgeValues(group.policy, 'reward')
      // Every reward equal (all correct, all wrong): f(S) is that reward for every subset, so every
      // weight is exactly 0; the closed form's divisions would leave ±1e-16 (a sample "weighted").
      if (rewards.every((r) => r === rewards[0]))
        return strategyOutput(group.policy.map((s) => ({ prompt: group.problem.prompt, completion: s.completion, weight: 0 })))
      const { withSample, withoutSample } = subsetCredit(judgeValues(group.policy, selection), rewards, nTrain)
      return strategyOutput(
        group.policy.map((s, i) => ({ prompt: group.problem.prompt, completion: s.completion, weight: (nTrain / K) * (withSample[i]! - withoutSample[i]!) })),
      )
    },
  }),
})
