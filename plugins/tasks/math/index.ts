import { z } from 'zod'
import { BenchError, defineTask } from 'bonbench'
import { buildSplits, mathFormats } from './build-splits.js'
import type { SplitPlan } from './build-splits.js'
import { defaultLevels, resolveLevel } from './levels.js'

export { defaultLevels } from './levels.js'
export type { LevelSpec } from './levels.js'
export { formatExpert, formatPrompt } from './build-splits.js'

const digitRange = z.tuple([z.int().min(1).max(6), z.int().min(1).max(6)]).refine(([lo, hi]) => lo <= hi, 'digits must be [min, max] with min ≤ max')

const levelSpecSchema = z.strictObject({
  ops: z.int().min(1).max(6).describe('Binary operations per problem (1 → `a+b`, 3 → `a+b*c-d`).'),
  digits: digitRange.describe('Digit count range [min, max] of operands of + and −.'),
  mulDigits: digitRange.describe('Digit count range [min, max] of operands of × (each side).'),
  operators: z
    .string()
    .regex(/^[+*-]+$/, 'operators may only contain + - *')
    .describe('Operators drawn uniformly from this string: any of `+`, `-`, `*`.'),
  parens: z.number().min(0).max(1).describe('Probability of wrapping one + or − (next to a × or after a −) in parentheses; needs ops ≥ 2.'),
})

/** Options of `bonbench:math` (all sizes are independent of the seed). */
export const mathTaskOptionsSchema = z.strictObject({
  seed: z.int().default(1).describe('Seed of the problem set; fixed (default 1) so every run seed sees the same prompts.'),
  trainSize: z.int().min(0).max(1_000_000).default(4000).describe('Problems in the train split (0: evaluation only).'),
  testSize: z.int().min(1).max(100_000).default(200).describe('Problems in the test split (disjoint from train).'),
  levels: z.array(z.int().min(1)).min(1).default([1, 2, 3, 4, 5]).describe('Which levels to include (built-in: 1–5; others need a full entry in levelSpecs).'),
  mix: z
    .array(z.number().min(0))
    .optional()
    .describe('Relative weight of each entry of `levels` in both splits (default: the built-in levels 5:2:1:1:1, other levels 1).'),
  levelSpecs: z
    .record(z.string().regex(/^\d+$/), levelSpecSchema.partial())
    .default({})
    .describe('Per-level overrides of the built-in table, keyed by level: `{ 5: { ops: 4 } }`.'),
  format: z
    .enum(mathFormats)
    .default('steps')
    .describe(
      '`steps`: one line per operation then `A: n`; `reversed`: the same with result digits least significant first; `direct`: only `A: n` (much harder).',
    ),
  maxChars: z.int().min(12).max(10_000).default(90).describe('Budget for prompt + expert, in characters (= tokens for a char-level model).'),
  maxTokens: z.int().min(1).optional().describe('Generation cap for completions (default: maxChars − 9, the shortest prompt).'),
})

/** Options as written in a config. */
export type MathTaskOptions = z.input<typeof mathTaskOptionsSchema>

/**
 * Default weight of each built-in level: half the problems are level 1, so a base model pretrained
 * for a few minutes solves a good share of prompts sometimes while the harder levels stay rare or
 * never solved (the spread where Best-of-N matters). Calibrated on the tiny-transformer.
 */
const defaultMix: Readonly<Record<number, number>> = { 1: 5, 2: 2, 3: 1, 4: 1, 5: 1 }

/**
 * `bonbench:math`: seeded synthetic arithmetic with step-by-step expert solutions, graded by
 * `math-answer`. A prompt is `Q: 37+48*2=?\n`; the expert completion `48*2=96\n37+96=133\nA: 133\n`.
 * Validates options when called (BENCH_PLUGIN_OPTIONS naming the plugin); `load` needs no data,
 * is deterministic in the options and guarantees disjoint, duplicate-free splits whose prompt +
 * expert fit `maxChars`.
 */
export const math = defineTask({
  name: 'bonbench:math',
  meta: { version: '0.1.0', description: 'Seeded synthetic arithmetic with step-by-step solutions and difficulty levels' },
  options: mathTaskOptionsSchema,
  create(o, { fail }) {
    if (o.mix && o.mix.length !== o.levels.length)
      fail('mix', `has ${o.mix.length} weights but levels has ${o.levels.length} entries; give one weight per level.`)
    if (o.mix && o.mix.every((w) => w === 0)) fail('mix', 'the weights are all zero; give at least one level a positive weight.')
    if (new Set(o.levels).size !== o.levels.length) fail('levels', `lists a level twice (${o.levels.join(', ')}).`)
    const levels = o.levels.map((level, k) => {
      const spec = resolveLevel(level, o.levelSpecs as never)
      if (!spec)
        return fail(
          'levels',
          `level ${level} is not built in (built-in: ${Object.keys(defaultLevels).join(', ')}); give all of ops, digits, mulDigits, operators, parens for it in levelSpecs.`,
        )
      return { level, spec, weight: o.mix?.[k] ?? defaultMix[level] ?? 1 }
    })
    const plan: SplitPlan = { seed: o.seed, trainSize: o.trainSize, testSize: o.testSize, levels, format: o.format, maxChars: o.maxChars }
    const maxTokens = o.maxTokens ?? o.maxChars - 9
    return {
      options: { ...o, levelSpecs: Object.fromEntries(levels.map((l) => [l.level, l.spec])) },
      rewardVerifier: 'math-answer',
      // Best-of-N ranks by a learned verifier: its imperfection is what separates Bo-N from pass@N.
      selector: 'reward-model',
      // A completion ends after its `A: n` line; '\n\n' or the next 'Q:' stops a model that runs on.
      generation: { maxTokens, stop: ['\n\n', 'Q:'] },
      async load(ctx) {
        if (ctx.signal?.aborted) throw new BenchError('BENCH_ABORTED', 'bonbench:math: loading was aborted.')
        const { train, test } = buildSplits(plan)
        return { train, test, corpus: 'Q: 0123456789+-*()=?\nA: ' }
      },
    }
  },
})
