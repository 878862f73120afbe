import { z } from 'zod'
import { BenchError } from 'bonbench'

/** The feature groups the scorer can see (DESIGN §2: r is a learned, imperfect stand-in for R). */
export const featureGroups = ['prompt', 'response', 'answer', 'cross', 'steps'] as const

/** One feature group: see features.ts for what each contributes. */
export type FeatureGroup = (typeof featureGroups)[number]

/**
 * Options of `bonbench:reward-model`. The capacity knobs (featureDim, hidden, epochs, l2,
 * labelNoise, features) move the held-out AUC; tune them into the informative range ~0.6–0.95.
 */
export const rewardModelOptionsSchema = z.strictObject({
  /** Base-policy samples drawn per train prompt. */
  samplesPerPrompt: z.int().min(1).max(1024).default(8),
  /** At most this many train prompts (a seeded random subset when the split is larger). */
  maxPrompts: z.int().min(2).default(256),
  /** Fraction of the prompts held out (by prompt) to measure the AUC; the rest train the scorer. */
  heldOut: z.number().gt(0).lt(1).default(0.25),
  /** Size of the hashed feature space (more → fewer collisions → more capacity). */
  featureDim: z.int().min(16).max(1 << 20).default(4096),
  /**
   * Hidden ReLU units of the MLP; 0 (the default) makes it a logistic regression on the hashed
   * features, which generalised best to held-out prompts in our runs (the MLP overfits small pools).
   */
  hidden: z.int().min(0).max(512).default(0),
  /** Passes over the training samples. */
  epochs: z.int().min(1).max(1000).default(10),
  batchSize: z.int().min(1).max(4096).default(64),
  learningRate: z.number().positive().default(0.01),
  /** L2 penalty: l2 · Σ w² over all weights, added to the mean cross-entropy of each batch. */
  l2: z.number().min(0).default(1e-3),
  /** Probability of flipping each training label (seeded): a deliberate way to weaken r. */
  labelNoise: z.number().min(0).lt(0.5).default(0),
  /** Which feature groups the scorer sees. */
  features: z.array(z.enum(featureGroups)).min(1).default([...featureGroups]),
  /** A sample counts as correct when its environment reward is ≥ this. */
  threshold: z.number().default(1),
  /** Train prompts per `model.sample` call while collecting. */
  promptsPerCall: z.int().min(1).default(32),
  /** Reuse (and write) the content-hash cache of trained weights in ctx.cacheDir. */
  cache: z.boolean().default(true),
})

/** Options as the user writes them. */
export type RewardModelOptions = z.input<typeof rewardModelOptionsSchema>

/** Options with defaults applied. */
export type ResolvedRewardModelOptions = z.output<typeof rewardModelOptionsSchema>

/**
 * Validates user options when the factory runs; throws BENCH_PLUGIN_OPTIONS naming the plugin
 * and the bad field. Guarantees every field is present and in range afterwards.
 */
export function resolveRewardModelOptions(options: unknown, pluginName: string): ResolvedRewardModelOptions {
  const parsed = rewardModelOptionsSchema.safeParse(options ?? {})
  if (!parsed.success) {
    throw new BenchError(
      'BENCH_PLUGIN_OPTIONS',
      `${pluginName}: invalid options: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    )
  }
  return parsed.data
}
