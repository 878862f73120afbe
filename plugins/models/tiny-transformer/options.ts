import { z } from 'zod'
import { BACKEND_NAMES, BenchError } from 'bonbench'

/**
 * Options of the tiny-transformer model. The defaults (2 layers, width 128, 4 heads, context 96,
 * ≈ 0.4 M parameters) keep the main `bench run math` job inside its 10-minute budget on 2 cores.
 */
export const tinyTransformerOptionsSchema = z
  .strictObject({
    layers: z.int().min(1).max(48).default(2),
    width: z.int().min(8).max(4096).default(128),
    heads: z.int().min(1).max(64).default(4),
    /** Longest sequence (BOS + prompt + completion + EOS) the model sees; longer prompts are cut on the left. */
    context: z.int().min(4).max(4096).default(96),
    /** Hidden size of the MLP as a multiple of width. */
    mlpRatio: z.int().min(1).max(8).default(4),
    dropout: z.number().min(0).max(0.9).default(0),
    positions: z.enum(['learned', 'rotary']).default('learned'),
    /** Adam step size used when `update` is not given one. */
    learningRate: z.number().positive().default(1e-3),
    /** Global gradient-norm clip (0 turns clipping off). */
    clipNorm: z.number().min(0).default(1),
    batching: z
      .strictObject({
        /** Most sequences decoded together in one batch (per worker). */
        sampleRows: z.int().min(1).default(256),
        /** Most sequences per forward pass in `logProb`. */
        scoreRows: z.int().min(1).default(128),
      })
      .prefault({}),
    /** Fixes the initialisation seed; by default the seed handed to `create` is used. */
    seed: z.int().optional(),
    /** Backend for this model; by default the `--backend` handed to `create` (auto when none). */
    backend: z.enum(BACKEND_NAMES).optional(),
    /** Caps the sampling worker threads below the granted concurrency (1 = sample in-process). */
    maxWorkers: z.int().min(1).optional(),
  })
  .refine((o) => o.width % o.heads === 0, { message: 'width must be a multiple of heads' })
  .refine((o) => o.positions !== 'rotary' || (o.width / o.heads) % 2 === 0, {
    message: 'rotary positions need an even head size (width / heads)',
  })

/** Options as written by the user. */
export type TinyTransformerOptions = z.input<typeof tinyTransformerOptionsSchema>
/** Options with defaults applied. */
export type ResolvedTinyTransformerOptions = z.output<typeof tinyTransformerOptionsSchema>

/** Validates the options; throws BENCH_PLUGIN_OPTIONS naming the plugin and the bad field. */
export function resolveOptions(options: unknown): ResolvedTinyTransformerOptions {
  const parsed = tinyTransformerOptionsSchema.safeParse(options ?? {})
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')
    throw new BenchError('BENCH_PLUGIN_OPTIONS', `bonbench:tiny-transformer: invalid options — ${detail}`)
  }
  return parsed.data
}
