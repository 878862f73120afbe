import { z } from 'zod'
import { BenchError, defineTask } from 'bonbench'
import { datasetSplit, parseUniqueRecords, readJsonl, resolveDataFile } from '../shared/jsonl-dataset.js'
import { parseJsRecord } from './parse-js-record.js'

export { parseJsRecord } from './parse-js-record.js'
export type { JsFormat, ParsedJsRecord } from './parse-js-record.js'

/** Options of `bonbench:humaneval-js`. */
export const humanevalJsOptionsSchema = z.strictObject({
  file: z.string().min(1).optional().describe('The file inside a `--data` folder (default: the HumanEval-X file, then the MultiPL-E one).'),
  limit: z.int().min(1).optional().describe('Keep the first n problems, for quick runs.'),
  trainFraction: z.number().min(0).max(1).default(0).describe('Fraction moved to train by a hash of the id (HumanEval-X only; MultiPL-E is evaluation only).'),
  maxTokens: z.int().min(1).default(512).describe('Generation cap: the most tokens a completion may have.'),
})

/** Options as written in a config. */
export type HumanevalJsOptions = z.input<typeof humanevalJsOptionsSchema>

const name = 'bonbench:humaneval-js'
const candidates = [
  'humaneval_js.humaneval-x.jsonl.gz',
  'humaneval-js.multiple-e.jsonl',
  'humaneval_js/humaneval_js.humaneval-x.jsonl.gz',
  'humaneval_js/humaneval-js.multiple-e.jsonl',
]
/** MultiPL-E's JavaScript stop tokens; HumanEval-X completions end with the closing brace of the arrow function. */
const stops = ['\nfunction ', '\n/*', '\n//', '\nconsole.log']

/**
 * `bonbench:humaneval-js`: HumanEval in JavaScript from `--data`, in either format (detected per
 * record): MultiPL-E (licence forbids training on it: `evaluationOnly` is true and `trainFraction`
 * must stay 0) or HumanEval-X (Apache-2.0, with reference solutions as `expert`). Graded by
 * `js-sandbox`. `evaluationOnly` is true until a load shows the data is HumanEval-X only.
 * `load` throws BENCH_DATA_MISSING without a data path and BENCH_DATA_INVALID naming file and line
 * for a bad record; TaskData.files carries the sha256 of the file read.
 */
export const humanevalJs = defineTask({
  name,
  meta: {
    version: '0.1.0',
    description: 'HumanEval in JavaScript (MultiPL-E: evaluation only; HumanEval-X: with reference solutions), graded in the js-sandbox (needs --data)',
  },
  options: humanevalJsOptionsSchema,
  create(o) {
    let evaluationOnly = true
    return {
      rewardVerifier: 'js-sandbox',
      generation: { maxTokens: o.maxTokens, stop: stops },
      get evaluationOnly() {
        return evaluationOnly
      },
      async load(ctx) {
        const file = await resolveDataFile(name, ctx.dataPath, candidates, o.file)
        const data = await readJsonl(name, file)
        const results = parseUniqueRecords(name, data, parseJsRecord, 'task_id')
        const problems = results.map((r) => r.problem)
        if (problems.length === 0)
          throw new BenchError('BENCH_DATA_INVALID', `${name}: ${file} holds no problems. Point --data at a HumanEval-JS .jsonl or .jsonl.gz file.`)
        evaluationOnly = results.some((r) => r.format === 'multiple-e')
        if (evaluationOnly && o.trainFraction > 0) {
          throw new BenchError(
            'BENCH_DATA_INVALID',
            `${name}: ${file} is MultiPL-E data, whose licence forbids training on it; set trainFraction to 0 (evaluation only) or use the HumanEval-X file.`,
          )
        }
        return datasetSplit(data, problems, o)
      },
    }
  },
})
