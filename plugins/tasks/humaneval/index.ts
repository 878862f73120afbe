import { z } from 'zod'
import type { Problem } from 'bonbench'
import { BenchError, defineTask } from 'bonbench'
import type { CodePayload } from '../../verifiers/shared/code-payload.js'
import { datasetSplit, parseUniqueRecords, readJsonl, resolveDataFile, type JsonlRecord } from '../shared/jsonl-dataset.js'

/** Options of `bonbench:humaneval`. */
export const humanevalOptionsSchema = z.strictObject({
  file: z
    .string()
    .min(1)
    .optional()
    .describe('The file inside a `--data` folder (default: HumanEval.jsonl.gz, HumanEval.jsonl, humaneval/HumanEval.jsonl.gz).'),
  limit: z.int().min(1).optional().describe('Keep the first n problems, for quick runs.'),
  trainFraction: z.number().min(0).max(1).default(0).describe('Fraction moved to train by a hash of the id (default 0: everything in test).'),
  maxTokens: z.int().min(1).default(512).describe('Generation cap: the most tokens a completion may have.'),
})

/** Options as written in a config. */
export type HumanevalOptions = z.input<typeof humanevalOptionsSchema>

const name = 'bonbench:humaneval'
const fields = ['task_id', 'prompt', 'canonical_solution', 'test', 'entry_point'] as const

/**
 * Parses one HumanEval record into a problem whose payload runs, as openai/human-eval does,
 * prompt + completion + test + `check(<entry_point>)` with python3. Pure.
 */
export function parseHumanevalRecord({ value }: JsonlRecord): { ok: true; problem: Problem } | { ok: false; reason: string } {
  for (const field of fields) if (typeof value[field] !== 'string') return { ok: false, reason: `missing string field '${field}'` }
  const v = value as Record<(typeof fields)[number], string>
  if (!/^[A-Za-z_]\w*$/.test(v.entry_point)) return { ok: false, reason: `entry_point '${v.entry_point}' is not a Python identifier` }
  const data: CodePayload = {
    language: 'python',
    format: 'humaneval',
    test: `${v.test}\n\ncheck(${v.entry_point})\n`,
    entryPoint: v.entry_point,
    reference: v.canonical_solution,
  }
  return { ok: true, problem: { id: v.task_id, prompt: v.prompt, expert: v.canonical_solution, data: { ...data } } }
}

/**
 * `bonbench:humaneval`: OpenAI HumanEval (Python) from `--data`, graded by the `python-sandbox`
 * verifier, fork servers of `python3` (which must be on PATH; the verifier says so clearly when it is not). Canonical
 * solutions are the `expert` completions. `load` throws BENCH_DATA_MISSING without a data path and
 * BENCH_DATA_INVALID naming file and line for a bad record; TaskData.files carries the sha256.
 */
export const humaneval = defineTask({
  name,
  meta: { version: '0.1.0', description: 'OpenAI HumanEval (Python), graded by python3 fork servers in the python-sandbox verifier (needs --data)' },
  options: humanevalOptionsSchema,
  create: (o) => ({
    // A warm fork-server pool, same verdicts as a process per candidate (`--verifier command` runs that path).
    rewardVerifier: 'python-sandbox',
    generation: { maxTokens: o.maxTokens, stop: ['\nclass', '\ndef', '\n#', '\nif', '\nprint'] },
    async load(ctx) {
      const file = await resolveDataFile(name, ctx.dataPath, ['HumanEval.jsonl.gz', 'HumanEval.jsonl', 'humaneval/HumanEval.jsonl.gz'], o.file)
      const data = await readJsonl(name, file)
      const problems = parseUniqueRecords(name, data, parseHumanevalRecord, 'task_id').map((r) => r.problem)
      if (problems.length === 0) throw new BenchError('BENCH_DATA_INVALID', `${name}: ${file} holds no problems. Point --data at HumanEval.jsonl(.gz).`)
      return datasetSplit(data, problems, o)
    },
  }),
})
