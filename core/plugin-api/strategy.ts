import type { PluginBase, Rng } from './common.js'
import type { WeightedSequence } from './model.js'
import type { Problem } from './task.js'

/** One sample with both judgements: R (environment reward) and r (the selector verifier's score). */
export interface ScoredSample {
  completion: string
  /** R(x, y): the environment reward (usually 0/1). */
  reward: number
  /** r(x, y): what BoN selects by (the verifier's score; equals `reward` for an oracle verifier). */
  score: number
  /** Extracted final answer, where the reward verifier gives one. */
  answer?: string
}

/** Everything a strategy sees for one prompt: the group its `needs` asked for (DESIGN §2.2). */
export interface ScoredGroup {
  problem: Problem
  /** K samples from the current policy at the training temperature. */
  policy: ScoredSample[]
  /** Samples from the frozen reference policy (vbon, bond), when asked for. */
  reference?: ScoredSample[]
  /** The expert completion, when asked for and the task has one. */
  expert?: string
  /** The expert completion scored like the policy samples (bon-sft needs r(y_expert)), when asked for. */
  expertScored?: ScoredSample
}

/** Parameters of one weighting call. */
export interface StrategyParams {
  /** N′, the N used in training. */
  nTrain: number
  /** λ_N′ of the exponential tilt (DESIGN §2.1), already computed by the core's λ rule. */
  lambda: number
  /** Seeded random source (for random N′-subsets and tie-breaking). */
  rng: Rng
}

/** What a strategy needs the trainer loop to gather for each prompt. */
export interface StrategyNeeds {
  /** K: samples from the current policy per prompt (0 for pure SFT). */
  policySamples: number
  /** Samples from the frozen reference policy per prompt (default 0). */
  referenceSamples?: number
  /** Whether the expert solution is required. */
  expert?: boolean
  /** β of the KL penalty to the reference the model update should apply (default 0). */
  klBeta?: number
}

/** The weighted sequences for one group plus counters the trainer logs (e.g. how often a clip bit). */
export interface StrategyOutput {
  sequences: WeightedSequence[]
  stats?: Record<string, number>
}

/**
 * Which judge picks the BoN winner of each N′-subset (DESIGN §2.2), fixed when the plugin is
 * made and recorded with its results:
 * - `reward`: R, the environment reward (bon-rlb, bon-rlb-p, bon-rl-s — the closed forms are the
 *   gradient of pass@N only for the R-best pick);
 * - `verifier`: r, the selector's score, what BoN selects by at inference (bon-rl, bon-rl-v,
 *   bon-sft, bond, pass-at-k);
 * - `none`: the strategy makes no BoN picks (sft, rl, vbon).
 */
export type SelectionJudge = 'reward' | 'verifier' | 'none'

/** A strategy: a pure weight rule over a scored group (no tensors here). */
export interface StrategyPlugin extends PluginBase<'strategy'> {
  kind: 'strategy'
  /**
   * Which judge selects the BoN pick of each subset: `reward` (R), `verifier` (r) or `none` (no
   * picks). Required; the loader rejects a strategy without it. It must be what `weights` uses:
   * a rule whose closed form assumes R-selected picks and selects by r is biased.
   */
  selection: SelectionJudge
  /**
   * Whether the strategy trains for a Best-of-N′ objective: its weights (or its needs) depend on
   * N′, so the matrix's N′ axis (`matrix.nTrain`, `--n-train`) applies to it — one cell per N′,
   * each calling `needs` and `weights` with that `nTrain` (and `train.kPerN` sets its K).
   * `false` or absent: it has no N′ axis; it gets one cell per temperature and seed, trained at
   * N′ = 1 (`nTrain: 1`, λ of N′ = 1) whatever `matrix.nTrain` says. Declare it whenever
   * `nTrain` matters to the rule (BoN picks per N′-subset, a tilt by N′): a strategy that leaves
   * it out is treated as `false`, and a run whose N′ axis holds an N′ > 1 warns that it trains at
   * N′ = 1 (dry run and run start). Must be a boolean; the name of the strategy plays no part.
   */
  usesNTrain?: boolean
  /** What to gather per prompt for a given N′. Called once per cell. */
  needs(params: { nTrain: number }): StrategyNeeds
  /**
   * Pure: the same group, params and rng state give the same output. The core checks it: finite
   * weights, only on sequences of this group (its prompt; a policy, reference or expert completion),
   * else the run stops with BENCH_PLUGIN_CONTRACT.
   */
  weights(group: ScoredGroup, params: StrategyParams): StrategyOutput
}
