/**
 * `bon-rlb` — BoN-aware RL for a binary reward in closed form (DESIGN §2.2). With p = p_fail(x),
 * ∇J(x) = ∇pass@N = N p^{N−1}·E_π[R ∇log π]. In each of the B = ⌊K/N′⌋ disjoint random
 * N′-subsets take the pick y*_b selected by the environment reward R (a success when the subset
 * holds one; ties at random) and put
 *
 *     w(y*_b) = clip( R(y*_b) = 1 ?  g⁺ = N p^{N−1}/(1−p^N)  :  s·g⁻ = s·N p/(1−p) ) / B
 *
 * with s = `neg-sign` (−1 default: failures pushed down; +1 an option) and clip to [−c, c],
 * c = `clip` (default N′). p is p̂: the failure rate of the samples outside subset b, clipped
 * into [1/(K+1), K/(K+1)] — or, with `p-fail: 'exact'`, `problem.data.pFail` (for tests and tasks
 * that know it). p̂ needs a sample outside the subset, so with the estimate weights() refuses
 * K < N′ + 1 (with the exact p, K < N′), naming the option `k`. With the exact p, `+g⁻` is
 * unbiased for ∇pass@N and `−g⁻` is inflated by (1+p)/(1−p) per prompt — whatever the verifier, because the pick is R's (`selection: 'reward'`).
 * Option `select: 'verifier'` picks by the learned verifier r instead (`selection: 'verifier'`):
 * BIASED — the weights are then not the gradient of pass@N (with r ranking failures above
 * successes a group can put no positive weight on any success); kept only to reproduce runs made
 * that way. Positive-only variant: bon-rlb-p.ts.
 */
import { z } from 'zod'
import type { ScoredGroup } from 'bonbench'
import { BenchError, defineStrategy, type PluginHooks } from 'bonbench'
import { bonPicks } from './shared/bon-picks.js'
import { isSuccess, leaveOutFailRate } from './shared/fail-rate.js'
import { judgeValues } from './shared/judge-values.js'
import { defaultK, requireK } from './shared/strategy-options.js'
import { strategyOutput } from './shared/strategy-output.js'

/** Options of `bonbench:bon-rlb` (bon-rlb-p takes the same minus `neg-sign`). */
export const bonRlbOptionsSchema = z.strictObject({
  k: z.int().min(1).optional().describe('K, policy samples per prompt (default max(2N′, 4)).'),
  'neg-sign': z
    .union([z.literal(-1), z.literal(1)])
    .default(-1)
    .describe('Sign of the weight on failed picks: −1 (default) pushes them down, +1 is the unbiased form with the exact p.'),
  clip: z.number().positive().optional().describe('Largest |weight| of one pick (default N′).'),
  'p-fail': z.enum(['estimate', 'exact']).default('estimate').describe('`estimate` (default): leave-the-subset-out p̂; `exact`: read `problem.data.pFail`.'),
  select: z
    .enum(['reward', 'verifier'])
    .default('reward')
    .describe("The judge that picks y*_b: `reward` (default; R, the closed form's assumption) or `verifier` (r: biased, not ∇pass@N)."),
})

/** g⁺ = N p^{N−1}/(1−p^N): the weight of a successful pick. */
export function gPlus(n: number, p: number): number {
  return (n * p ** (n - 1)) / (1 - p ** n)
}

/** g⁻ = N p/(1−p): the magnitude of the weight of a failed pick. */
export function gMinus(n: number, p: number): number {
  return (n * p) / (1 - p)
}

/** ḡ⁺ = N p^{N−1}(1−p)/(1−p^N): the positive-only weight (1 at N = 1; limit 1 as p → 1). */
export function gPlusPositiveOnly(n: number, p: number): number {
  return p === 1 ? 1 : (n * p ** (n - 1) * (1 - p)) / (1 - p ** n)
}

/** Options of bon-rlb with defaults applied (bon-rlb-p's, with a `neg-sign` it ignores). */
export type BonRlbOptions = z.output<typeof bonRlbOptionsSchema>

/**
 * bon-rlb's g⁺ and g⁻ are the weights of a binary reward (DESIGN §2.2: a pick succeeds or fails).
 * A graded one (0.9) would count as a failure (isSuccess: R ≥ 1) and be pushed down by g⁻ where
 * `--threshold` calls it correct: refused instead, naming the prompt and the sample.
 */
function requireBinaryRewards(name: string, problemId: string, rewards: readonly number[]): void {
  const i = rewards.findIndex((r) => r !== 0 && r !== 1)
  if (i >= 0)
    throw new BenchError(
      'BENCH_DATA_INVALID',
      `${name} needs binary rewards R ∈ {0, 1} (a pick succeeds or fails, DESIGN §2.2), but prompt ${problemId} sample ${i} has R = ${rewards[i]}: use a task (or dump) whose rewards are 0/1, or a strategy for graded rewards (bon-rl, rl).`,
    )
}

/** The hooks of bon-rlb (positiveOnly false) or bon-rlb-p for validated options. */
export function bonRlbHooks(positiveOnly: boolean, o: BonRlbOptions): PluginHooks<'strategy'> {
  const name = positiveOnly ? 'bon-rlb-p' : 'bon-rlb'
  const negSign = positiveOnly ? 0 : o['neg-sign']
  const selection = o.select
  const description = positiveOnly ? 'Binary-reward BoN RL, positive picks only (ḡ⁺)' : 'Binary-reward BoN RL in closed form (g⁺, g⁻)'
  return {
    selection,
    usesNTrain: true,
    meta: {
      description:
        selection === 'reward'
          ? `${description}; picks by the reward R`
          : `${description}; BIASED: picks by the verifier r (select: verifier), not the gradient of pass@N`,
    },
    needs: ({ nTrain }) => ({ policySamples: defaultK(nTrain, o.k) }),
    weights(group, { nTrain, rng }) {
      const K = group.policy.length
      checkK(name, K, nTrain, o['p-fail'])
      const clip = o.clip ?? nTrain
      const rewards = group.policy.map((s) => s.reward)
      requireBinaryRewards(name, group.problem.id, rewards)
      const picks = bonPicks(judgeValues(group.policy, selection), nTrain, rng)
      const B = picks.length
      const exactP = o['p-fail'] === 'exact' ? exactFailRate(name, group) : undefined
      const w = new Array<number>(K).fill(0)
      let clipped = 0
      for (const { members, pick } of picks) {
        const p = exactP ?? leaveOutFailRate(rewards, members)
        // A failed pick weighs nothing in bon-rlb-p, also where g⁻ is infinite (an exact p of 1):
        // 0 × ∞ would be NaN.
        const raw = isSuccess(rewards[pick]!)
          ? positiveOnly
            ? gPlusPositiveOnly(nTrain, p)
            : gPlus(nTrain, p)
          : negSign === 0
            ? 0
            : negSign * gMinus(nTrain, p)
        const bounded = Math.max(-clip, Math.min(clip, raw))
        if (bounded !== raw) clipped++
        w[pick]! += bounded / B
      }
      return strategyOutput(
        group.policy.map((s, i) => ({ prompt: group.problem.prompt, completion: s.completion, weight: w[i]! })),
        { clipped, picks: B },
      )
    },
  }
}

/**
 * Refuses a K the rule cannot use at N′: one BoN subset always, and with p̂ estimated
 * (`p-fail: 'estimate'`) also a sample outside the pick's subset — without one p̂ would be a
 * constant ½, not an estimate.
 */
function checkK(name: string, K: number, nTrain: number, pFail: BonRlbOptions['p-fail']): void {
  if (pFail === 'exact') requireK(name, K, nTrain, nTrain, 'one BoN subset')
  else requireK(name, K, nTrain + 1, nTrain, "one BoN subset and a sample outside it for p̂, as p-fail is 'estimate'")
}

function exactFailRate(name: string, group: ScoredGroup): number {
  const p = group.problem.data?.pFail
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `bonbench:${name}: option p-fail 'exact' reads problem.data.pFail, but problem '${group.problem.id}' has ${JSON.stringify(p)}. Give a number in [0, 1] or use p-fail 'estimate'.`,
    )
  }
  return p
}

/** `bonbench:bon-rlb`: picks by R (`selection: 'reward'`) unless `select: 'verifier'` (biased). */
export const bonRlb = defineStrategy({
  name: 'bonbench:bon-rlb',
  meta: { version: '0.1.0', description: 'Binary-reward BoN RL in closed form (g⁺, g⁻); picks by the reward R' },
  options: bonRlbOptionsSchema,
  create: (o) => bonRlbHooks(false, o),
})
