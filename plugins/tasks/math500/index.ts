import { z } from 'zod'
import type { Problem } from 'bonbench'
import { defineTask } from 'bonbench'
import { datasetSplit, fillTemplate, parseUniqueRecords, readJsonl, resolveDataFile } from '../shared/jsonl-dataset.js'
import { parseMathRecord } from './parse-math-record.js'

export { parseMathRecord } from './parse-math-record.js'

/** Options of `bonbench:math500` (also loads the full MATH test set; the format is auto-detected). */
export const math500OptionsSchema = z.strictObject({
  file: z.string().min(1).optional().describe('The file inside a `--data` folder (default: math500_test.jsonl, math/math500_test.jsonl, test.jsonl).'),
  template: z
    .string()
    .includes('{problem}')
    .default('Problem:\n{problem}\n\nSolution:')
    .describe('Prompt template; `{problem}` is replaced by the problem text.'),
  levels: z.array(z.int().min(1).max(5)).min(1).optional().describe('Keep only these levels (1–5).'),
  limit: z.int().min(1).optional().describe('Keep the first n problems (after the level filter), for quick runs.'),
  trainFraction: z.number().min(0).max(1).default(0).describe('Fraction moved to train by a hash of the id (default 0: evaluation only, all in test).'),
  maxTokens: z.int().min(1).default(1024).describe('Generation cap: the most tokens a completion may have.'),
})

/** Options as written in a config. */
export type Math500Options = z.input<typeof math500OptionsSchema>

const name = 'bonbench:math500'

/**
 * `bonbench:math500`: MATH500 (or the full 5,000-problem MATH test set) from `--data`, graded by
 * `math-answer` against the `answer` field (or the last `\boxed{}` of the solution). Everything
 * is in `test` unless `trainFraction` > 0. `load` throws BENCH_DATA_MISSING without a data path and
 * BENCH_DATA_INVALID naming file and line for a bad record; TaskData.files carries the sha256.
 */
export const math500 = defineTask({
  name,
  meta: { version: '0.1.0', description: 'MATH500 / MATH test problems with final-answer grading (needs --data)' },
  options: math500OptionsSchema,
  create: (o) => ({
    rewardVerifier: 'math-answer',
    generation: { maxTokens: o.maxTokens, stop: ['\n\nProblem:'] },
    async load(ctx) {
      const file = await resolveDataFile(name, ctx.dataPath, ['math500_test.jsonl', 'math/math500_test.jsonl', 'test.jsonl'], o.file)
      const data = await readJsonl(name, file)
      const records = parseUniqueRecords(name, data, parseMathRecord, 'id')
      let problems: Problem[] = records.map(({ problem: { text, ...problem } }) => ({ ...problem, prompt: fillTemplate(o.template, { problem: text }) }))
      if (o.levels) problems = problems.filter((p) => p.level !== undefined && o.levels!.includes(p.level))
      return datasetSplit(data, problems, o)
    },
  }),
})
