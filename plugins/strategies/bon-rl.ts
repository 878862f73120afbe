/**
 * `bon-rl` — the paper's practical BoN-aware RL estimator (DESIGN §2.2), crediting only the pick.
 * In each of the B = ⌊K/N′⌋ disjoint random N′-subsets select y*_b (highest selection value,
 * ties uniformly at random) and put
 *
 *     w(y*_b) = (v(y*_b) − β_b) / B,    β_b = mean_{b'≠b} v(y*_{b'})
 *
 * and with `include-dq` also +λ_N·(v(y*_b) − β_b)·c(y*_b, y_j)/(B·(K−1)) on every other sample y_j
 * (c by mid-ranks of the selection value). The baseline is independent of pick b, so
 * E[update] = Σ_y π_bon(y)(v(y) − E_bon[v])∇log π(y) — a positive per-prompt rescaling of ∇J in
 * the binary case, not ∇J itself. Variants:
 * - `bon-rl`:   select by the verifier r, reward v = R;
 * - `bon-rl-v`: select by r, reward v = r (best Bo-N in the paper);
 * - `bon-rl-s`: select by R, reward v = R: E[update] = (1−p^N)/(N(1−p))·∇pass@N.
 * The baseline needs B ≥ 2, i.e. K ≥ 2N′: weights() refuses a smaller K (a baseline of 0 would change
 * the expectation), naming the option `k`; the default K = max(2N′, 4) has it. At N′ = 1 each is
 * `rl` with the matching reward. The judge that selects is the plugin's declared
 * `selection` (`verifier` for bon-rl and bon-rl-v, `reward` for bon-rl-s); the picks are ranked by
 * exactly that judge (shared/judge-values.ts).
 */
import { z } from 'zod'
import { defineStrategy } from 'bonbench'
import { bonPicks } from './shared/bon-picks.js'
import { judgeValues, type PickingJudge } from './shared/judge-values.js'
import { defaultK, requireK } from './shared/strategy-options.js'
import { strategyOutput } from './shared/strategy-output.js'
import { winCount } from './shared/win-count.js'

/** Options of `bonbench:bon-rl` and its variants. */
export const bonRlOptionsSchema = z.strictObject({
  k: z
    .int()
    .min(2)
    .optional()
    .describe("K, policy samples per prompt, at least 2N′ so B ≥ 2 and each pick's baseline (the other picks) exists (default max(2N′, 4))."),
  'include-dq': z.boolean().default(false).describe('Also credit the samples the pick beats (the ∇Q term of the tilt).'),
})

/** Which judge selects the BoN pick (declared as the plugin's `selection`) and which one rewards it. */
export interface BonRlVariant {
  name: 'bon-rl' | 'bon-rl-v' | 'bon-rl-s'
  description: string
  selection: PickingJudge
  reward: PickingJudge
}

/** The three named variants of DESIGN §2.2. */
export const bonRlVariants = {
  'bon-rl': { name: 'bon-rl', description: 'BoN-aware RL: select by the verifier r, reward R', selection: 'verifier', reward: 'reward' },
  'bon-rl-v': {
    name: 'bon-rl-v',
    description: 'BoN-aware RL on the verifier score: select and reward by r (best Bo-N)',
    selection: 'verifier',
    reward: 'verifier',
  },
  'bon-rl-s': {
    name: 'bon-rl-s',
    description: 'BoN-aware RL on the environment reward: select and reward by R (climbs pass@N)',
    selection: 'reward',
    reward: 'reward',
  },
} satisfies Record<string, BonRlVariant>

/**
 * Builds the bon-rl factory of a variant. The factory throws BENCH_PLUGIN_OPTIONS for bad options;
 * weights() throws BENCH_RUN_INVALID for K < 2N′ (needs() does not judge K: it declares K for every
 * N′ of a matrix, and the planner asks it so).
 */
export function makeBonRl(variant: BonRlVariant) {
  return defineStrategy({
    name: `bonbench:${variant.name}`,
    meta: { version: '0.1.0', description: variant.description },
    options: bonRlOptionsSchema,
    create: (o) => ({
      selection: variant.selection,
      usesNTrain: true,
      needs: ({ nTrain }) => ({ policySamples: defaultK(nTrain, o.k) }),
      weights(group, { nTrain, lambda, rng }) {
        const K = group.policy.length
        requireK(variant.name, K, 2 * nTrain, nTrain, "two BoN subsets: each pick's baseline is the other subsets' picks")
        const select = judgeValues(group.policy, variant.selection)
        const value = judgeValues(group.policy, variant.reward)
        const picks = bonPicks(select, nTrain, rng)
        const B = picks.length
        const picked = picks.map(({ pick }) => value[pick]!)
        const total = picked.reduce((a, b) => a + b, 0)
        const w = new Array<number>(K).fill(0)
        picks.forEach(({ pick }, b) => {
          const advantage = picked[b]! - (total - picked[b]!) / (B - 1)
          w[pick]! += advantage / B
          if (o['include-dq']) {
            for (let j = 0; j < K; j++) if (j !== pick) w[j]! += (lambda * advantage * winCount(select[pick]!, select[j]!)) / (B * (K - 1))
          }
        })
        return strategyOutput(
          group.policy.map((s, i) => ({ prompt: group.problem.prompt, completion: s.completion, weight: w[i]! })),
          { picks: B },
        )
      },
    }),
  })
}

/** `bonbench:bon-rl`: select by the verifier r, reward R. */
export const bonRl = makeBonRl(bonRlVariants['bon-rl'])
