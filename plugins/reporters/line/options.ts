import { z } from 'zod'

/** Anything with a `write(text)` method: a Node stream, a PassThrough in tests, a log sink. */
export interface TextSink {
  write(chunk: string): unknown
  /** Terminal width when the sink is a TTY; the summary table fits into it. */
  columns?: number
}

const sink = z.custom<TextSink>((v) => typeof v === 'object' && v !== null && typeof (v as TextSink).write === 'function', {
  message: 'expected a writable stream (an object with a write(text) method)',
})
const clock = z.custom<() => number>((v) => typeof v === 'function', { message: 'expected a function returning milliseconds' })

/**
 * Options of `bonbench:line`. Progress inside a phase prints when it crosses a `step` boundary
 * (25%, 50%, …) or, between boundaries, at most once every `intervalMs` per cell.
 */
export const lineOptionsSchema = z.strictObject({
  stream: sink.optional().describe('Where lines go (default process.stdout).'),
  intervalMs: z.int().min(0).default(10_000).describe('Least time between two progress lines of one cell that do not cross a step; 0 disables.'),
  step: z.number().gt(0).max(1).default(0.25).describe('Fraction of a phase between guaranteed progress lines.'),
  now: clock.optional().describe('The clock used for rates, ETAs and throttling (tests pass a scripted one).'),
})

/** Options as the user writes them. */
export type LineReporterOptions = z.input<typeof lineOptionsSchema>

/** Options with defaults applied. */
export type ResolvedLineOptions = z.output<typeof lineOptionsSchema>
