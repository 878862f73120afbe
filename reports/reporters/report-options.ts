import { z } from 'zod'
import { BenchError } from 'bonbench'

/** Options every file reporter takes: how the run is analysed (the same in all three, so the analysis is shared). */
export const reportOptionsSchema = z.strictObject({
  /** Bootstrap resamples for CIs and comparisons (default: the config's eval.bootstrap, else 2000). */
  bootstrap: z.number().int().min(2).optional(),
  /** Family-wise error rate of the Holm-corrected comparisons. */
  alpha: z.number().gt(0).lt(1).default(0.05),
})

/** Options of the HTML reporter: the shared ones plus the sample browser's limits. */
export const htmlReportOptionsSchema = reportOptionsSchema.extend({
  /** At most this many prompts per cell in the sample browser. */
  maxPromptsPerCell: z.number().int().min(0).default(200),
  /** Sample texts longer than this are cut in the sample browser. */
  maxTextChars: z.number().int().min(1).default(2000),
})

/**
 * Validates a file reporter's options when its factory runs; throws BENCH_PLUGIN_OPTIONS naming
 * the plugin and listing the allowed options.
 */
export function parseReportOptions<S extends z.ZodType>(schema: S, name: string, options: unknown): z.output<S> {
  const parsed = schema.safeParse(options ?? {})
  if (!parsed.success) {
    const allowed = Object.keys((schema as unknown as z.ZodObject).shape).join(', ')
    throw new BenchError('BENCH_PLUGIN_OPTIONS', `${name}: invalid options: ${z.prettifyError(parsed.error)}. Allowed options: ${allowed}.`)
  }
  return parsed.data
}
