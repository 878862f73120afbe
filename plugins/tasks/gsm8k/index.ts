import { z } from 'zod'
import type { Problem } from 'bonbench'
import { defineTask } from 'bonbench'
import { datasetSplit, fillTemplate, invalidLine, readJsonl, resolveDataFile, wrongTaskData } from '../shared/jsonl-dataset.js'

/** Options of `bonbench:gsm8k`. */
export const gsm8kOptionsSchema = z.strictObject({
  file: z.string().min(1).optional().describe('The file inside a `--data` folder (default: test.jsonl, gsm8k/test.jsonl, or their .gz).'),
  template: z
    .string()
    .includes('{question}')
    .default('Question: {question}\nAnswer:')
    .describe('Prompt template; `{question}` is replaced by the question text.'),
  limit: z.int().min(1).optional().describe('Keep the first n problems, for quick runs.'),
  trainFraction: z.number().min(0).max(1).default(0).describe('Fraction moved to train by a hash of the id (default 0: evaluation only, all in test).'),
  keepCalculator: z.boolean().default(false).describe('Keep the calculator annotations `<<48/2=24>>` in expert solutions (default: removed).'),
  maxTokens: z.int().min(1).default(512).describe('Generation cap: the most tokens a completion may have.'),
})

/** Options as written in a config. */
export type Gsm8kOptions = z.input<typeof gsm8kOptionsSchema>

const name = 'bonbench:gsm8k'

/**
 * The reference number of a GSM8K solution: the text after its last `####`, thousands commas
 * removed; undefined when there is none. Pure; used by the loader and tests.
 */
export function gsm8kAnswer(solution: string): string | undefined {
  const m = /####\s*([^\n]*?)\s*$/.exec(solution.trimEnd())
  const value = m?.[1]?.replace(/,/g, '')
  return value && value !== '' ? value : undefined
}

/**
 * `bonbench:gsm8k`: GSM8K (`question`, `answer` ending in `#### n`) from `--data`, graded by
 * `math-answer`. Everything is in `test` unless `trainFraction` > 0; expert solutions keep the
 * `#### n` line. `load` throws BENCH_DATA_MISSING without a data path and BENCH_DATA_INVALID naming
 * file and line for a bad record; TaskData.files carries the sha256.
 */
export const gsm8k = defineTask({
  name,
  meta: { version: '0.1.0', description: 'GSM8K grade-school word problems with #### answers (needs --data)' },
  options: gsm8kOptionsSchema,
  create: (o) => ({
    rewardVerifier: 'math-answer',
    generation: { maxTokens: o.maxTokens, stop: ['\n\nQuestion:'] },
    async load(ctx) {
      const file = await resolveDataFile(name, ctx.dataPath, ['test.jsonl', 'gsm8k/test.jsonl', 'test.jsonl.gz', 'gsm8k/test.jsonl.gz'], o.file)
      const data = await readJsonl(name, file)
      const wrong = wrongTaskData(name, file, data.records[0])
      if (wrong) throw wrong
      const problems: Problem[] = data.records.map(({ line, value }, index) => {
        const { question, answer } = value
        if (typeof question !== 'string' || question.trim() === '') throw invalidLine(name, file, line, "no 'question' text")
        if (typeof answer !== 'string') throw invalidLine(name, file, line, "no 'answer' solution text")
        const reference = gsm8kAnswer(answer)
        if (reference === undefined) throw invalidLine(name, file, line, "the 'answer' has no final '#### <number>' line")
        const expert = o.keepCalculator ? answer : answer.replace(/<<[^>]*>>/g, '')
        return { id: `gsm8k-${index}`, prompt: fillTemplate(o.template, { question }), answer: reference, expert: ` ${expert}`, data: { line } }
      })
      return datasetSplit(data, problems, o)
    },
  }),
})
