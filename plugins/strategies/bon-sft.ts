/**
 * `bon-sft` — imitation through the BoN policy (DESIGN §2.2): ascend
 * log π_bon(y_e) ≈ log π(y_e) + λ_N Q(y_e) − log Z under the tilt π_bon ∝ π·e^{λQ}, with
 * ∇log Z = E_tilt[∇log π(ỹ) + λ∇Q(ỹ)] estimated by real BoN picks. Weights, c by mid-ranks of r:
 *
 *     (1) +1 on y_e
 *     (2) +λ·c(y_e, y_j)/K on every policy sample y_j          (exploration: raise what y_e beats)
 *     (3) for each of the B picks ỹ: −1/B on ỹ, and −λ·c(ỹ, y_j)/(B·(K−1)) on every other y_j
 *
 * E[update] = ∇log π(y_e) + λ∇Q(y_e) − E_bon[∇log π(ỹ)] − λ/(K−1)·E[Σ_{j≠ỹ} c(ỹ, y_j)∇log π(y_j)].
 * At N′ = 1 (λ₁ = 0) it equals sft in expectation. r(y_e) comes from `group.expertScored`, else
 * from a policy sample with the expert's text. `selection: 'verifier'`: the tilt is defined through
 * r, so its picks and win counts rank by r (the verifier BoN uses at inference).
 */
import { z } from 'zod'
import type { ScoredGroup } from 'bonbench'
import { BenchError, defineStrategy } from 'bonbench'
import { bonPicks } from './shared/bon-picks.js'
import { judgeValue, judgeValues } from './shared/judge-values.js'
import { defaultK, requireSamples } from './shared/strategy-options.js'
import { strategyOutput } from './shared/strategy-output.js'
import { winCount } from './shared/win-count.js'

/** Options of `bonbench:bon-sft`. */
export const bonSftOptionsSchema = z.strictObject({
  k: z.int().min(2).optional().describe('K, policy samples per prompt (default max(2N′, 4)).'),
})

/** The judge of bon-sft's picks and win counts: r, through which the tilt is defined. */
const selection = 'verifier'

/** `bonbench:bon-sft`. Throws BENCH_PLUGIN_OPTIONS for bad options. */
export const bonSft = defineStrategy({
  name: 'bonbench:bon-sft',
  meta: { version: '0.1.0', description: 'Imitate the expert through the BoN policy (exponential tilt; picks by the verifier r)' },
  options: bonSftOptionsSchema,
  create: (o) => ({
    selection,
    usesNTrain: true,
    needs: ({ nTrain }) => ({ policySamples: defaultK(nTrain, o.k), expert: true }),
    weights(group, { nTrain, lambda, rng }) {
      const K = group.policy.length
      requireSamples('bon-sft', K, Math.max(2, nTrain), 'at least one BoN pick and a win rate')
      const expertScore = expertVerifierScore(group)
      const scores = judgeValues(group.policy, selection)
      const w = scores.map((s) => (lambda * winCount(expertScore, s)) / K)
      const picks = bonPicks(scores, nTrain, rng)
      const B = picks.length
      for (const { pick } of picks) {
        w[pick]! -= 1 / B
        for (let j = 0; j < K; j++) if (j !== pick) w[j]! -= (lambda * winCount(scores[pick]!, scores[j]!)) / (B * (K - 1))
      }
      const prompt = group.problem.prompt
      return strategyOutput(
        [...group.policy.map((s, i) => ({ prompt, completion: s.completion, weight: w[i]! })), { prompt, completion: group.expert!, weight: 1 }],
        { picks: B },
      )
    },
  }),
})

function expertVerifierScore(group: ScoredGroup): number {
  if (group.expert === undefined)
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `bonbench:bon-sft: problem '${group.problem.id}' has no expert solution. Use bon-sft with tasks that provide experts.`,
    )
  if (group.expertScored) return judgeValue(group.expertScored, selection)
  const same = group.policy.find((s) => s.completion === group.expert)
  if (same) return judgeValue(same, selection)
  throw new BenchError(
    'BENCH_RUN_INVALID',
    `bonbench:bon-sft: needs the verifier score of the expert of '${group.problem.id}'. The trainer must score the expert like a policy sample and pass it as group.expertScored.`,
  )
}
