import type { CellCompute, CellMetrics, Interval, PromptMetrics } from './results.js'

/** One prompt's share of a KL estimate (see core/eval/kl-estimate.ts for the estimator). */
export interface PromptKl {
  promptId: string
  /** Σᵢ [log π(yᵢ|x) − log π_base(yᵢ|x)] / Σᵢ |yᵢ| over this prompt's samples (nats per token). */
  perToken: number
  /** The sequence-level estimate: mean over samples of log π(yᵢ|x) − log π_base(yᵢ|x) (nats). */
  perSequence: number
  /** Completion tokens summed over the prompt's samples (the per-token denominator). */
  tokens: number
  samples: number
}

/**
 * KL(π‖π_base) of a model against the run's base model on the test prompts: measured by Monte
 * Carlo over the policy's own samples at T = 1, or absent with the reason (a model that cannot
 * score log-probs). Never zero for "unknown": absent is its own state.
 */
export type KlEstimate =
  | {
      state: 'measured'
      /** Mean over prompts of {@link PromptKl.perToken} (nats per token). */
      perToken: number
      /** 95% percentile bootstrap CI of `perToken`, resampling prompts. */
      ci: Interval
      /** Mean over prompts of {@link PromptKl.perSequence} (nats per completion). */
      perSequence: number
      perSequenceCi: Interval
      /** Mean completion length of the samples, in tokens. */
      meanTokens: number
      /** Samples scored (over all prompts). */
      samples: number
      /** Where the samples came from: the evaluation pools (cell at T = 1) or a separate draw at T = 1. */
      source: 'pool' | 'draw'
      prompts: PromptKl[]
    }
  | { state: 'absent'; reason: string }

/**
 * The evaluation of a trained cell at an intermediate checkpoint (after `step` optimizer steps):
 * journaled once per (cell, step) when `train.evalEvery` is set. The final model's evaluation is the
 * cell's own result (step = train.steps), not one of these.
 */
export interface CheckpointEval {
  /** Optimizer steps taken when the model was evaluated (k, 2k, … below the cell's steps). */
  step: number
  metrics: CellMetrics
  prompts: PromptMetrics[]
  kl: KlEstimate
  /** What this evaluation spent (not counted in the cell's compute, which stays that of training and the final evaluation). */
  compute: Omit<CellCompute, 'tokensTrained'>
}
