import { BenchError } from '../core/errors.js'
import type { DumpProblem } from '../core/metrics/sample-dump.js'
import type { ScoredGroup, ScoredSample, StrategyPlugin } from '../core/plugin-api/strategy.js'
import { checkStrategyOutput, strategyNeeds } from '../core/plugin-api-checks/check-weights.js'
import { createRng, deriveSeed } from '../core/rng.js'
import { callHookSync } from '../core/run/hooks-in-flight.js'

/**
 * `bench weights`: a scored dump cut into the groups a strategy weights, and the strategy's own
 * weights for each, as the lines of the weighted JSONL (the format is in docs/external-trainers.md).
 */

/** One line of the weighted JSONL: a (prompt, completion) pair, its weight and where it came from. */
export interface WeightedLine {
  prompt_id: string
  /** The group's index among this prompt's groups (dump samples k·K … k·K + K − 1). */
  group: number
  prompt: string
  completion: string
  /** The strategy's weight, exactly (bonbench's trainer divides it by the prompts of a step). */
  weight: number
  role: 'policy' | 'expert'
  /** The sample's index among the prompt's samples in the dump (policy samples only). */
  sample?: number
  reward: number
  score: number
  group_stats: GroupStats
}

/** What every line of one group carries about the group. */
export interface GroupStats {
  k: number
  n_train: number
  lambda: number
  mean_reward: number
  mean_score: number
  /** Samples with reward ≥ the threshold. */
  n_correct: number
  /** The strategy's own counters (weighted, picks, clipped for the built-ins). */
  [counter: string]: number
}

/** Settings of one `bench weights` computation. */
export interface WeightsOptions {
  nTrain: number
  lambda: number
  seed: number
  threshold: number
}

/** The lines, and how the dump was cut. */
export interface WeightedGroups {
  lines: WeightedLine[]
  groups: number
  /** Samples after the last whole group of their prompt (fewer than K), not weighted. */
  leftover: number
  /** True when the dump has no scores, so r is the reward (an oracle). */
  oracle: boolean
}

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length)

/**
 * Cuts each prompt's samples into groups of K = the strategy's `needs({ nTrain }).policySamples`, in
 * dump order (leftovers dropped), and returns the strategy's `weights()` for each group, checked as
 * the trainer checks them. Group g of prompt p gets the rng `deriveSeed(seed, 'weights', p, g)`.
 * Without any score in the dump, r = R (an oracle). A strategy that needs reference samples, a
 * sample without text, a problem without prompt (or without expert when the strategy needs one)
 * is refused with BENCH_USAGE / BENCH_DATA_INVALID naming what to add. Pure given its inputs.
 */
export function weightGroups(problems: readonly DumpProblem[], strategy: StrategyPlugin, opts: WeightsOptions): WeightedGroups {
  const needs = strategyNeeds(strategy, opts.nTrain)
  if ((needs.referenceSamples ?? 0) > 0)
    throw new BenchError(
      'BENCH_USAGE',
      `${strategy.name} needs samples of a frozen reference policy beside the policy's; a dump holds one policy's samples. Use a strategy that needs policy samples only (rl, bon-rl, bon-rlb, …) or an expert (sft, bon-sft).`,
    )
  const K = needs.policySamples
  const scored = problems.some((p) => p.samples.some((s) => s.score !== undefined))
  const lines: WeightedLine[] = []
  let groups = 0
  let leftover = 0
  for (const p of problems) {
    if (p.prompt === undefined)
      throw new BenchError('BENCH_DATA_INVALID', `problem '${p.id}' has no prompt: add "prompt" to its lines (the text the completions continue).`)
    const samples: ScoredSample[] = p.samples.map((s, i) => {
      if (s.text === undefined)
        throw new BenchError(
          'BENCH_DATA_INVALID',
          `sample ${i} of '${p.id}' has no text: add "text" (or "completion") to every sample; weights are for training sequences.`,
        )
      if (scored && s.score === undefined)
        throw new BenchError('BENCH_DATA_INVALID', `sample ${i} of '${p.id}' has no score while others have: give every sample a score, or none (then r = R).`)
      const out: ScoredSample = { completion: s.text, reward: s.reward, score: s.score ?? s.reward }
      if (s.answer !== undefined) out.answer = s.answer
      return out
    })
    if (needs.expert && p.expert === undefined)
      throw new BenchError('BENCH_DATA_INVALID', `${strategy.name} needs an expert solution, but problem '${p.id}' has none: add "expert" to its problem line.`)
    if (needs.expert && scored && p.expertScore === undefined)
      throw new BenchError(
        'BENCH_DATA_INVALID',
        `${strategy.name} needs the selector's score of the expert solution of '${p.id}': add "expert_score" to its problem line.`,
      )
    const count = K === 0 ? 1 : Math.floor(samples.length / K)
    if (K > 0 && count === 0)
      throw new BenchError(
        'BENCH_USAGE',
        `problem '${p.id}' has ${samples.length} samples, fewer than the ${K} one group of ${strategy.name} needs at N′ = ${opts.nTrain}; lower --n-train or the strategy's k, or draw more samples.`,
      )
    leftover += K === 0 ? 0 : samples.length - count * K
    for (let g = 0; g < count; g++) {
      const policy = samples.slice(g * K, (g + 1) * K)
      const group: ScoredGroup = { problem: { id: p.id, prompt: p.prompt, ...(p.answer !== undefined ? { answer: p.answer } : {}) }, policy }
      if (needs.expert) {
        group.expert = p.expert
        // A reference solution is correct: R = 1; without scores r = R.
        group.expertScored = { completion: p.expert!, reward: 1, score: p.expertScore ?? 1 }
      }
      const out = checkStrategyOutput(
        strategy,
        group,
        callHookSync(strategy, 'weights', () =>
          strategy.weights(group, { nTrain: opts.nTrain, lambda: opts.lambda, rng: createRng(deriveSeed(opts.seed, 'weights', p.id, g)) }),
        ),
        g,
      )
      const stats: GroupStats = {
        k: policy.length,
        n_train: opts.nTrain,
        lambda: opts.lambda,
        mean_reward: mean(policy.map((s) => s.reward)),
        mean_score: mean(policy.map((s) => s.score)),
        n_correct: policy.filter((s) => s.reward >= opts.threshold).length,
        ...out.stats,
      }
      out.sequences.forEach((seq, i) => {
        // The built-ins list the policy in order, then the expert; others are matched by text.
        const at =
          i < policy.length && policy[i]!.completion === seq.completion
            ? i
            : needs.expert && seq.completion === p.expert
              ? -1
              : policy.findIndex((s) => s.completion === seq.completion)
        const source = at >= 0 ? policy[at]! : group.expertScored!
        lines.push({
          prompt_id: p.id,
          group: g,
          prompt: seq.prompt,
          completion: seq.completion,
          weight: seq.weight,
          role: at >= 0 ? 'policy' : 'expert',
          ...(at >= 0 ? { sample: g * K + at } : {}),
          reward: source.reward,
          score: source.score,
          group_stats: stats,
        })
      })
      groups++
    }
  }
  return { lines, groups, leftover, oracle: !scored }
}
