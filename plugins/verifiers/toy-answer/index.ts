import { z } from 'zod'
import type { Verdict, VerifyItem } from 'bonbench'
import { BenchError, createRng, deriveSeed, defineVerifier } from 'bonbench'

/** Options of `bonbench:toy-answer`. */
export const toyAnswerOptionsSchema = z.strictObject({
  noise: z
    .number()
    .min(0)
    .max(100)
    .default(0)
    .describe(
      'σ of the score noise. 0 (default): score = reward, an oracle. σ > 0: score = reward + σ·z(x, y) with z a seeded standard normal fixed per (prompt, answer) — an imperfect but consistent judge, like a learned reward model, so Bo-N differs from pass@N.',
    ),
  seed: z.int().default(0).describe('Seed of the score noise.'),
})

/** Options as written in a config. */
export type ToyAnswerOptions = z.input<typeof toyAnswerOptionsSchema>

/**
 * Grades one toy completion (pure): reward 1 when the trimmed first line is one of the problem's
 * correct answers (`problem.data.correct`, else `problem.answer`), otherwise 0.
 * Throws BENCH_DATA_INVALID for a problem that names no correct answer (misuse).
 */
export function gradeToyAnswer(item: VerifyItem, options: z.output<typeof toyAnswerOptionsSchema>): Verdict {
  const correct = correctAnswers(item)
  const answer = (item.completion.split('\n')[0] ?? '').trim()
  const reward = correct.includes(answer) ? 1 : 0
  const score = options.noise > 0 ? reward + options.noise * standardNormal(deriveSeed(options.seed, item.problem.id, answer)) : reward
  return { score, reward, pass: reward === 1, reason: answer === '' ? 'no-answer' : reward === 1 ? 'passed' : 'failed', answer }
}

function correctAnswers(item: VerifyItem): string[] {
  const listed = item.problem.data?.correct
  if (Array.isArray(listed)) return listed.map(String)
  if (item.problem.answer !== undefined) return [item.problem.answer]
  throw new BenchError(
    'BENCH_DATA_INVALID',
    `bonbench:toy-answer: problem '${item.problem.id}' has neither data.correct nor an answer. Use toy-answer with the toy task (or problems that list their correct answers).`,
  )
}

function standardNormal(seed: number): number {
  const rng = createRng(seed)
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next())
}

/**
 * `bonbench:toy-answer`, the environment reward of the toy task: exact match of the completion
 * against the prompt's correct answers (reward 0/1, the answer for majority vote). Its score is
 * the reward (an oracle) unless `noise` makes it a seeded, consistent but imperfect judge.
 * Throws BENCH_PLUGIN_OPTIONS for bad options; never throws for a bad completion.
 */
export const toyAnswer = defineVerifier({
  name: 'bonbench:toy-answer',
  meta: { version: '0.1.0', description: 'Exact-match grader of the toy task (optionally a noisy, seeded score)' },
  options: toyAnswerOptionsSchema,
  create: (resolved) => ({
    async score(batch, ctx) {
      if (ctx.signal?.aborted) throw new BenchError('BENCH_ABORTED', 'bonbench:toy-answer: scoring was aborted.')
      return batch.map((item) => gradeToyAnswer(item, resolved))
    },
  }),
})
