import { z } from 'zod'
import { BenchError, defineVerifier, type Verdict, type VerifyItem } from 'bonbench'
import { normalizedAnswersMatch } from './answers-match.js'
import { findAnswer } from './extract-answer.js'
import { normalizeAnswer } from './normalize-answer.js'

export { extractAnswer, findAnswer, lastBoxed } from './extract-answer.js'
export type { AnswerSource, ExtractedAnswer, ExtractOptions } from './extract-answer.js'
export { normalizeAnswer } from './normalize-answer.js'
export { answersMatch } from './answers-match.js'
export type { MatchOptions } from './answers-match.js'

/** Options of `bonbench:math-answer`. */
export const mathAnswerOptionsSchema = z.strictObject({
  lastNumber: z.boolean().default(false).describe('Take the last number in the text when no explicit answer (boxed, ####, "answer is", `A:`) is found.'),
  tolerance: z.number().min(0).max(0.1).default(0).describe('Relative tolerance for numeric answers; 0 means exact rational equality.'),
})

/** Options as written in a config. */
export type MathAnswerOptions = z.input<typeof mathAnswerOptionsSchema>

/**
 * Grades one completion against its problem's reference answer (pure; used by `score`).
 * `normalizeReference` lets a caller normalise each reference once for a whole batch.
 */
export function gradeMathAnswer(
  item: VerifyItem,
  options: z.output<typeof mathAnswerOptionsSchema>,
  normalizeReference: (reference: string) => string = normalizeAnswer,
): Verdict {
  const reference = item.problem.answer
  if (reference === undefined) {
    throw new BenchError(
      'BENCH_DATA_INVALID',
      `bonbench:math-answer: problem '${item.problem.id}' has no answer to compare with. Use math-answer only with tasks whose problems carry an answer (math, math500, gsm8k).`,
    )
  }
  const found = findAnswer(item.completion, { lastNumber: options.lastNumber })
  if (!found) return { score: 0, reward: 0, pass: false, reason: 'no-answer' }
  const answer = normalizeAnswer(found.text)
  const pass = normalizedAnswersMatch(answer, normalizeReference(reference), { tolerance: options.tolerance })
  return { score: pass ? 1 : 0, reward: pass ? 1 : 0, pass, reason: pass ? 'passed' : 'failed', answer }
}

/**
 * `bonbench:math-answer`, the environment reward R of math tasks: extracts the final answer of
 * each completion and compares it with `problem.answer`. Verdicts are 0/1 with reason 'passed',
 * 'failed' or 'no-answer' and the normalised answer (for majority vote). Deterministic and
 * synchronous underneath; throws BENCH_PLUGIN_OPTIONS for bad options and BENCH_DATA_INVALID for a
 * problem without an answer (misuse), never for a bad completion.
 */
export const mathAnswer = defineVerifier({
  name: 'bonbench:math-answer',
  meta: { version: '0.1.0', description: 'Final-answer equality for math (boxed, ####, answer lines; numbers, fractions, simple LaTeX)' },
  options: mathAnswerOptionsSchema,
  create: (resolved) => ({
    async score(batch, ctx) {
      if (ctx.signal?.aborted) throw new BenchError('BENCH_ABORTED', 'bonbench:math-answer: scoring was aborted.')
      // A batch holds many samples of few problems: normalise each reference once.
      const references = new Map<string, string>()
      const normalizeReference = (reference: string) => {
        let normalized = references.get(reference)
        if (normalized === undefined) references.set(reference, (normalized = normalizeAnswer(reference)))
        return normalized
      }
      return batch.map((item) => gradeMathAnswer(item, resolved, normalizeReference))
    },
  }),
})
