import type { KlEstimate, SplitEval } from './divergence.js'
import type { ModelUsage } from './model.js'

/** The coordinates of one matrix cell. `strategy` is 'base' for the untrained base model. */
export interface CellKey {
  task: string
  model: string
  strategy: string
  /** N′ used in training (1 for base and plain strategies). */
  nTrain: number
  temperature: number
  seed: number
  /** The fine-tuning learning rate, only in runs with a learning-rate axis (`matrix.learningRates`); absent for the base. */
  learningRate?: number
}

/** One sample of an evaluation pool, with both judgements. */
export interface PoolSample {
  text: string
  reward: number
  score: number
  answer?: string
  reason?: string
  tokens: number
  /**
   * log π(y) of the completion under the model that drew it (at T = 1), kept only when a selection
   * rule needs it (`rbon-kl` in `eval.selectionRules`); absent otherwise.
   */
  logProb?: number
}

/** The evaluation pool of one prompt in one cell. */
export interface PromptPool {
  promptId: string
  samples: PoolSample[]
}

/** A [low, high] confidence interval. */
export type Interval = [number, number]

/**
 * One selection rule's curve for a cell (`eval.selectionRules`, beyond Bo-N and maj@N): the mean
 * over prompts of the expected reward of the rule's pick from a random N-subset, aligned with the
 * grid; or `absent` with the reason when the pools lack what the rule needs (log-probabilities).
 */
export type SelectionRuleCurve =
  | {
      state: 'computed'
      /** The rule's id (`rbon-kl(beta=0.1)`), the key of `PromptMetrics.selection`. */
      rule: string
      label: string
      values: number[]
      /** Standard error of the mean over prompts from the Monte Carlo estimates (0 where every prompt is exact). */
      stdErr: number[]
      /** Whether every prompt's value at that N is exact (enumeration or a closed form). */
      exact: boolean[]
      /** 95% bootstrap CIs over prompts. */
      ci: Interval[]
    }
  | { state: 'absent'; rule: string; label: string; reason: string }

/** Every DESIGN §2.3 metric of one cell, over the N grid (arrays align with `grid`). */
export interface CellMetrics {
  grid: number[]
  passAtN: number[]
  bestOfN: number[]
  majorityAtN: number[]
  /** Standard error of maj@N where it was estimated by Monte Carlo (0 where exact). */
  majorityStdErr: number[]
  /** Mean number of distinct final answers among N samples. */
  distinctAtN: number[]
  pass1: number
  meanReward: number
  /** 95% bootstrap CIs over prompts, aligned with `grid`. */
  ci: { passAtN: Interval[]; bestOfN: Interval[]; majorityAtN: Interval[] }
  /** pass@N threshold for a non-binary reward. */
  threshold: number
  /** The extra selection rules' curves (`eval.selectionRules`), in the order configured; absent when none were asked for. */
  selection?: SelectionRuleCurve[]
}

/** Per-prompt numbers kept for paired comparisons and difficulty plots. */
export interface PromptMetrics {
  promptId: string
  passAtN: number[]
  bestOfN: number[]
  majorityAtN: number[]
  /** Estimated failure probability of one sample. */
  pFail: number
  /** Expected number of distinct final answers among N samples, aligned with the grid (diversity per prompt, for paired tests). */
  distinctAtN?: number[]
  /** Each computed extra selection rule's values by rule id, aligned with the grid; absent when none were asked for. */
  selection?: Record<string, number[]>
}

/** What a cell spent: compare strategies at equal cost. */
export interface CellCompute {
  samplesDrawn: number
  tokensGenerated: number
  tokensTrained: number
  wallMs: number
}

/** One logged training step. */
export interface TrainStepLog {
  step: number
  loss: number
  gradNorm: number
  /** Mean environment reward of the policy samples of the step. */
  reward?: number
  /** Mean verifier score of the policy samples (reward hacking: score rises, reward does not). */
  verifierScore?: number
  lambda?: number
  /** Fraction of weights a clip changed. */
  clipRate?: number
}

/** The finished result of one cell, as journaled. */
export interface CellResult {
  cellId: string
  key: CellKey
  metrics: CellMetrics
  prompts: PromptMetrics[]
  compute: CellCompute
  training: TrainStepLog[]
  /** Content hash of the evaluated checkpoint, where the model gives one. */
  checkpoint?: string
  /** KL(π‖π_base) per token of the evaluated model (when the run measures KL: `eval.kl`, `train.evalEvery`). */
  kl?: KlEstimate
  /** The evaluated model on the validation split (`eval.validationPrompts`), when the run has one. */
  validation?: SplitEval
  /** Tokens and requests the cell's sampling spent, for models that count them (`ModelInstance.takeUsage`). */
  usage?: ModelUsage
}
