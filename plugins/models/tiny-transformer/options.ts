import { z } from 'zod'
import { BACKEND_NAMES, parsePluginOptions } from 'bonbench'

/**
 * Options of the tiny-transformer model. The defaults (2 layers, width 128, 4 heads, context 96,
 * ≈ 0.4 M parameters) keep the main `bench run math` job inside its 10-minute budget on 2 cores.
 */
export const tinyTransformerOptionsSchema = z
  .strictObject({
    layers: z.int().min(1).max(48).default(2).describe('Transformer blocks.'),
    width: z.int().min(8).max(4096).default(128).describe('Model (embedding) width; a multiple of heads.'),
    heads: z.int().min(1).max(64).default(4).describe('Attention heads per block.'),
    context: z
      .int()
      .min(4)
      .max(4096)
      .default(96)
      .describe('Longest sequence (BOS + prompt + completion + EOS) the model sees; longer prompts are cut on the left.'),
    mlpRatio: z.int().min(1).max(8).default(4).describe('Hidden size of the MLP as a multiple of width.'),
    dropout: z.number().min(0).max(0.9).default(0).describe('Dropout rate while training (0 turns it off).'),
    positions: z
      .enum(['learned', 'rotary'])
      .default('learned')
      .describe('Position encoding: `learned` embeddings or `rotary` (RoPE; needs an even head size).'),
    learningRate: z.number().positive().default(1e-3).describe('Adam step size used when `update` is not given one.'),
    clipNorm: z.number().min(0).default(1).describe('Global gradient-norm clip (0 turns clipping off).'),
    batching: z
      .strictObject({
        sampleRows: z.int().min(1).default(256).describe('Most sequences decoded together in one batch (per worker).'),
        scoreRows: z.int().min(1).default(128).describe('Most sequences per forward pass in `logProb`.'),
      })
      .prefault({})
      .describe('Batch sizes of sampling and scoring (memory against speed).'),
    seed: z.int().optional().describe('Fixes the initialisation seed; by default the seed handed to `create` is used.'),
    backend: z
      .enum(BACKEND_NAMES)
      .optional()
      .describe(
        'Backend for this model, in place of `--backend` (which must then be auto or the same); `auto` or unset: the `--backend` handed to `create` (auto when none).',
      ),
    maxWorkers: z.int().min(1).optional().describe('Caps the sampling worker threads below the granted concurrency (1 = sample in-process).'),
  })
  .refine((o) => o.width % o.heads === 0, { message: 'width must be a multiple of heads' })
  .refine((o) => o.positions !== 'rotary' || (o.width / o.heads) % 2 === 0, {
    message: 'rotary positions need an even head size (width / heads)',
  })

/** Options as written by the user. */
export type TinyTransformerOptions = z.input<typeof tinyTransformerOptionsSchema>
/** Options with defaults applied. */
export type ResolvedTinyTransformerOptions = z.output<typeof tinyTransformerOptionsSchema>

/**
 * Validates options outside the factory (a checkpoint's saved config) the way the factory does;
 * throws BENCH_PLUGIN_OPTIONS naming the plugin and the bad field.
 */
export function resolveOptions(options: unknown): ResolvedTinyTransformerOptions {
  return parsePluginOptions('bonbench:tiny-transformer', tinyTransformerOptionsSchema, options)
}
