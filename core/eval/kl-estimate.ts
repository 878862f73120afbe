import { bootstrapCI } from '../metrics/bootstrap.js'
import type { KlEstimate, PromptKl } from '../plugin-api/divergence.js'

/** One scored sample y ~ π(·|x): its log-probability under the policy and under the base, and its length. */
export interface KlSample {
  policyLogProb: number
  baseLogProb: number
  /** Completion tokens (the per-token denominator). */
  tokens: number
}

/** Settings of {@link klEstimate}. */
export interface KlEstimateOptions {
  /** Bootstrap resamples over prompts. */
  bootstrap: number
  seed: number
  source: 'pool' | 'draw'
}

/**
 * KL(π‖π_base) per token from samples of the policy itself, y ~ π(·|x) at T = 1, per prompt x:
 *
 *     KL̂_seq(x) = (1/n) Σᵢ [log π(yᵢ|x) − log π_base(yᵢ|x)]          (nats per completion)
 *     KL̂_tok(x) = Σᵢ [log π(yᵢ|x) − log π_base(yᵢ|x)] / Σᵢ |yᵢ|     = KL̂_seq(x) / mean |yᵢ|
 *
 * and the reported numbers are the means over prompts of each, with percentile bootstrap CIs
 * over prompts (prompts are the unit that varies; the samples of one prompt are not independent of
 * its difficulty). So the per-token number is **the sequence-level estimate divided by the mean
 * completion length (a ratio of means), per prompt — not the mean of per-sample ratios**. Why:
 * E_π[log π(y|x) − log π_base(y|x)] is exactly the sequence KL (chain rule: the sum over positions of
 * the per-position KLs along π's own path), so KL̂_seq(x)/mean|y| converges to KL_seq(x)/E_π|y|, the
 * average per-position KL, which is ≥ 0. The mean of per-sample ratios Δᵢ/|yᵢ| instead converges to
 * E_π[Δ/|y|], which weights short samples more, is not a KL, and can be negative in expectation when
 * length and Δ are correlated. Each single estimate is Monte Carlo: it can be slightly negative at
 * finite n (its expectation is not); it is exactly 0 when π and π_base score identically (the base
 * itself). A prompt whose samples have no tokens counts its length as 1 (no division by zero).
 */
export function klEstimate(byPrompt: ReadonlyArray<{ promptId: string; samples: readonly KlSample[] }>, opts: KlEstimateOptions): KlEstimate {
  const prompts: PromptKl[] = byPrompt
    .filter((p) => p.samples.length > 0)
    .map(({ promptId, samples }) => {
      let diff = 0
      let tokens = 0
      for (const s of samples) {
        diff += s.policyLogProb - s.baseLogProb
        tokens += s.tokens
      }
      return { promptId, perToken: diff / Math.max(tokens, 1), perSequence: diff / samples.length, tokens, samples: samples.length }
    })
  if (prompts.length === 0) return { state: 'absent', reason: 'no samples to score' }
  const bad = prompts.find((p) => !Number.isFinite(p.perSequence))
  if (bad) return { state: 'absent', reason: `a log-probability of prompt ${bad.promptId} is not finite (a sample the base model gives probability 0?)` }
  const interval = (values: number[], label: string): [number, number] => {
    const b = bootstrapCI(values, { seed: opts.seed + (label === 'seq' ? 1 : 0), resamples: Math.max(2, opts.bootstrap) })
    return [b.lower, b.upper]
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
  const samples = prompts.reduce((a, p) => a + p.samples, 0)
  return {
    state: 'measured',
    perToken: mean(prompts.map((p) => p.perToken)),
    ci: interval(
      prompts.map((p) => p.perToken),
      'tok',
    ),
    perSequence: mean(prompts.map((p) => p.perSequence)),
    perSequenceCi: interval(
      prompts.map((p) => p.perSequence),
      'seq',
    ),
    meanTokens: prompts.reduce((a, p) => a + p.tokens, 0) / samples,
    samples,
    source: opts.source,
    prompts,
  }
}
