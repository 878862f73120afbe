import { z } from 'zod'
import { BenchError } from 'bonbench'

/** Anything with a `write(text)` method: a Node stream, a PassThrough in tests, a log sink. */
export interface TextSink {
  write(chunk: string): unknown
  /** Terminal width when the sink is a TTY; the summary table fits into it. */
  columns?: number
}

const sink = z.custom<TextSink>(
  (v) => typeof v === 'object' && v !== null && typeof (v as TextSink).write === 'function',
  { message: 'expected a writable stream (an object with a write(text) method)' },
)
const clock = z.custom<() => number>((v) => typeof v === 'function', { message: 'expected a function returning milliseconds' })

/**
 * Options of `bonbench:line`. Progress inside a phase prints when it crosses a `step` boundary
 * (25%, 50%, …) or, between boundaries, at most once every `intervalMs` per cell.
 */
export const lineOptionsSchema = z.strictObject({
  /** Where lines go (default process.stdout). */
  stream: sink.optional(),
  /** Least time between two progress lines of one cell that do not cross a step; 0 disables. */
  intervalMs: z.int().min(0).default(10_000),
  /** Fraction of a phase between guaranteed progress lines. */
  step: z.number().gt(0).max(1).default(0.25),
  /** The clock used for rates, ETAs and throttling (tests pass a scripted one). */
  now: clock.optional(),
})

/** Options as the user writes them. */
export type LineReporterOptions = z.input<typeof lineOptionsSchema>

/** Options with defaults applied. */
export type ResolvedLineOptions = z.output<typeof lineOptionsSchema>

/**
 * Validates the options when the factory runs; throws BENCH_PLUGIN_OPTIONS naming the plugin
 * and the bad field. Guarantees intervalMs and step are set afterwards.
 */
export function resolveLineOptions(options: unknown): ResolvedLineOptions {
  const parsed = lineOptionsSchema.safeParse(options ?? {})
  if (!parsed.success) {
    throw new BenchError(
      'BENCH_PLUGIN_OPTIONS',
      `bonbench:line: invalid options: ${z.prettifyError(parsed.error)} (valid options: stream, intervalMs, step, now)`,
      { cause: parsed.error },
    )
  }
  return parsed.data
}
