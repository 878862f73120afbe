import { z } from 'zod'
import type { TaskPlugin } from 'bonbench'
import { BenchError } from 'bonbench'
import { generateToyProblems, MAX_CHOICES, toyLevels } from './generate-toy.js'

export { generateToyProblems, toyLevels } from './generate-toy.js'
export type { ToyLevel } from './generate-toy.js'

/** Options of `bonbench:toy`. */
export const toyTaskOptionsSchema = z.strictObject({
  /** Seed of the problem set; fixed (default 1) so every run seed sees the same prompts. */
  seed: z.int().default(1),
  /** Number of prompts. */
  prompts: z.int().min(1).max(10_000).default(32),
  /** Levels to cycle through (built-in 1–4, or keys of `levelSpecs`). */
  levels: z.array(z.int().min(1)).min(1).default([1, 2, 3, 4]),
  /** Extra or replacement levels: `{ 5: { choices: 24, correct: 1 } }`. */
  levelSpecs: z.record(z.string().regex(/^\d+$/), z.strictObject({ choices: z.int().min(2).max(MAX_CHOICES), correct: z.int().min(1) })).default({}),
  /**
   * `shared` (default): test = train = every prompt, because a tabular policy shares nothing
   * between prompts and could never carry training to unseen ones. `disjoint`: every
   * round(1/testFraction)-th prompt goes to test only, for models that generalise.
   */
  split: z.enum(['shared', 'disjoint']).default('shared'),
  testFraction: z.number().gt(0).lt(1).default(1 / 3),
})

/** Options as written in a config. */
export type ToyTaskOptions = z.input<typeof toyTaskOptionsSchema>

/**
 * `bonbench:toy`: seeded multiple-choice prompts — each offers a few answer words on a
 * `choices:` line, some of them correct — graded by `toy-answer`. Levels vary the number of
 * answers and correct ones, so difficulty varies across prompts. Pairs with the `tabular` model:
 * `bench run toy --model tabular`. Validates options when called (BENCH_PLUGIN_OPTIONS);
 * `load` needs no data and is deterministic in the options (the run seed does not change it).
 */
export function toy(options: ToyTaskOptions = {}): TaskPlugin {
  const parsed = toyTaskOptionsSchema.safeParse(options)
  if (!parsed.success) throw new BenchError('BENCH_PLUGIN_OPTIONS', `bonbench:toy: invalid options: ${parsed.error.message}`)
  const o = parsed.data
  const table = { ...toyLevels }
  for (const [key, spec] of Object.entries(o.levelSpecs)) table[Number(key)] = spec
  for (const level of o.levels) {
    const spec = table[level]
    if (!spec) throw new BenchError('BENCH_PLUGIN_OPTIONS', `bonbench:toy: level ${level} is not defined. Use built-in levels 1–4 or define it in levelSpecs: { ${level}: { choices, correct } }.`)
    if (spec.correct >= spec.choices) throw new BenchError('BENCH_PLUGIN_OPTIONS', `bonbench:toy: level ${level} has ${spec.correct} correct of ${spec.choices} choices; at least one answer must be wrong.`)
  }
  return {
    name: 'bonbench:toy',
    kind: 'task',
    meta: { version: '0.1.0', description: 'Seeded multiple-choice toy prompts of varied difficulty (pairs with the tabular model)' },
    options: { ...o },
    optionsSchema: toyTaskOptionsSchema,
    rewardVerifier: 'toy-answer',
    generation: { maxTokens: 8, stop: ['\n'] },
    async load() {
      const problems = generateToyProblems(o.prompts, o.seed, o.levels, table)
      if (o.split === 'shared') return { train: problems, test: problems }
      const every = Math.max(2, Math.round(1 / o.testFraction))
      const test = problems.filter((_, i) => i % every === 0)
      const train = problems.filter((_, i) => i % every !== 0)
      return { train, test }
    },
  }
}
