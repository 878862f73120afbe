import { z } from 'zod'

/** The feature groups the scorer can see (DESIGN §2: r is a learned, imperfect stand-in for R). */
export const featureGroups = ['prompt', 'response', 'answer', 'cross', 'steps'] as const

/** One feature group: see features.ts for what each contributes. */
export type FeatureGroup = (typeof featureGroups)[number]

/**
 * Options of `bonbench:reward-model`. The capacity knobs (featureDim, hidden, epochs, l2,
 * labelNoise, features) and the data knobs (maxPrompts, samplesPerPrompt) move the held-out AUC;
 * `strength: 'strong'` (presets.ts) sets the ones that reach 0.95–0.97 on the study setup.
 */
export const rewardModelOptionsSchema = z.strictObject({
  strength: z
    .enum(['default', 'strong'])
    .optional()
    .describe(
      "A named configuration (presets.ts) whose values apply under the options given explicitly: 'strong' (held-out AUC 0.95–0.97 in the study setup: an MLP on 4× the prompts) or 'default'.",
    ),
  samplesPerPrompt: z.int().min(1).max(1024).default(8).describe('Base-policy samples drawn per train prompt.'),
  maxPrompts: z.int().min(2).default(256).describe('At most this many train prompts (a seeded random subset when the split is larger).'),
  heldOut: z.number().gt(0).lt(1).default(0.25).describe('Fraction of the prompts held out (by prompt) to measure the AUC; the rest train the scorer.'),
  featureDim: z
    .int()
    .min(16)
    .max(1 << 20)
    .default(4096)
    .describe('Size of the hashed feature space (more → fewer collisions → more capacity).'),
  hidden: z
    .int()
    .min(0)
    .max(512)
    .default(0)
    .describe(
      'Hidden ReLU units of the MLP; 0 (the default) makes it a logistic regression on the hashed features. On 256 prompts the MLP overfits (study setup: held-out AUC 0.79 with 32 units against 0.74); on 1024 prompts it learns what a linear model cannot (0.97 against 0.87): the strong preset.',
    ),
  epochs: z.int().min(1).max(1000).default(10).describe('Passes over the training samples.'),
  batchSize: z.int().min(1).max(4096).default(64).describe('Training samples per gradient step.'),
  learningRate: z.number().positive().default(0.01).describe('Adam step size of the scorer.'),
  l2: z.number().min(0).default(1e-3).describe('L2 penalty: l2 · Σ w² over all weights, added to the mean cross-entropy of each batch.'),
  labelNoise: z.number().min(0).lt(0.5).default(0).describe('Probability of flipping each training label (seeded): a deliberate way to weaken r.'),
  features: z
    .array(z.enum(featureGroups))
    .min(1)
    .default([...featureGroups])
    .describe('Which feature groups the scorer sees.'),
  threshold: z.number().default(1).describe('A sample counts as correct when its environment reward is ≥ this.'),
  promptsPerCall: z.int().min(1).default(32).describe('Train prompts per `model.sample` call while collecting.'),
  cache: z.boolean().default(true).describe('Reuse (and write) the content-hash cache of trained weights in ctx.cacheDir.'),
})

/** Options as the user writes them. */
export type RewardModelOptions = z.input<typeof rewardModelOptionsSchema>

/** Options with defaults applied. */
export type ResolvedRewardModelOptions = z.output<typeof rewardModelOptionsSchema>
