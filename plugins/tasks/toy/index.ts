import { z } from 'zod'
import { defineTask } from 'bonbench'
import { generateToyProblems, MAX_CHOICES, toyLevels } from './generate-toy.js'

export { generateToyProblems, toyLevels } from './generate-toy.js'
export type { ToyLevel } from './generate-toy.js'

/** Options of `bonbench:toy`. */
export const toyTaskOptionsSchema = z.strictObject({
  seed: z.int().default(1).describe('Seed of the problem set; fixed (default 1) so every run seed sees the same prompts.'),
  prompts: z.int().min(1).max(10_000).default(32).describe('Number of prompts.'),
  levels: z.array(z.int().min(1)).min(1).default([1, 2, 3, 4]).describe('Levels to cycle through (built-in 1–4, or keys of `levelSpecs`).'),
  levelSpecs: z
    .record(z.string().regex(/^\d+$/), z.strictObject({ choices: z.int().min(2).max(MAX_CHOICES), correct: z.int().min(1) }))
    .default({})
    .describe('Extra or replacement levels: `{ 5: { choices: 24, correct: 1 } }`.'),
  split: z
    .enum(['shared', 'disjoint'])
    .default('shared')
    .describe(
      '`shared` (default): test = train = every prompt, because a tabular policy shares nothing between prompts and could never carry training to unseen ones. `disjoint`: every round(1/testFraction)-th prompt goes to test only, for models that generalise.',
    ),
  testFraction: z
    .number()
    .gt(0)
    .lt(1)
    .default(1 / 3)
    .describe('Share of the prompts that go to test under `split: disjoint`.'),
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
export const toy = defineTask({
  name: 'bonbench:toy',
  meta: { version: '0.1.0', description: 'Seeded multiple-choice toy prompts of varied difficulty (pairs with the tabular model)' },
  options: toyTaskOptionsSchema,
  create(o, { fail }) {
    const table = { ...toyLevels }
    for (const [key, spec] of Object.entries(o.levelSpecs)) table[Number(key)] = spec
    for (const level of o.levels) {
      const spec = table[level]
      if (!spec) fail('levels', `level ${level} is not defined. Use built-in levels 1–4 or define it in levelSpecs: { ${level}: { choices, correct } }.`)
      if (spec.correct >= spec.choices)
        fail('levels', `level ${level} has ${spec.correct} correct of ${spec.choices} choices; at least one answer must be wrong.`)
    }
    return {
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
  },
})
