import { z } from 'zod'
import type { Problem } from 'bonbench'
import { BenchError, defineTask } from 'bonbench'
import type { CodePayload } from '../../verifiers/shared/code-payload.js'
import { parseUniqueRecords, readJsonl, resolveDataFile, type JsonlRecord } from '../shared/jsonl-dataset.js'

/**
 * The standard MBPP splits by task id (Austin et al. 2021, and every harness since): 1–10 are the
 * few-shot prompt examples, 11–510 the test set, 511–600 validation, 601–974 training.
 */
export const MBPP_SPLITS = {
  prompt: [1, 10],
  test: [11, 510],
  validation: [511, 600],
  train: [601, 974],
} as const satisfies Record<string, readonly [number, number]>

/** The few-shot examples of the MBPP paper's prompt (task ids 2, 3 and 4, all in the prompt split). */
const FEW_SHOT_IDS = [2, 3, 4]

/** Options of `bonbench:mbpp`. */
export const mbppOptionsSchema = z.strictObject({
  file: z.string().min(1).optional().describe('The file inside a `--data` folder (default: mbpp.jsonl, then mbpp/mbpp.jsonl).'),
  evalSplit: z
    .enum(['test', 'validation'])
    .default('test')
    .describe('The split evaluated: test (task ids 11–510) or validation (511–600). Training is always 601–974.'),
  fewShot: z
    .int()
    .min(0)
    .max(3)
    .default(0)
    .describe('Worked examples from the prompt split (task ids 2, 3, 4) put before each prompt, as in the MBPP paper (3).'),
  limit: z.int().min(1).optional().describe('Keep the first n problems of each split, for quick runs.'),
  maxTokens: z.int().min(1).default(512).describe('Generation cap: the most tokens a completion may have.'),
  timeoutMs: z
    .int()
    .min(1)
    .optional()
    .describe("Time limit per candidate in ms, over the verifier's (3 s). Mbpp/123's own reference needs about 3.3 s of CPU."),
})

/** Options as written in a config. */
export type MbppOptions = z.input<typeof mbppOptionsSchema>

const name = 'bonbench:mbpp'

/** One MBPP record with its fields checked. */
interface MbppRecord {
  taskId: number
  text: string
  code: string
  setup: string
  tests: string[]
}

/** MBPP's code uses CRLF line ends; Python accepts them, but one newline style keeps prompts and experts clean. */
const lf = (s: string) => s.replace(/\r\n?/g, '\n')

/** Checks one JSON line of mbpp.jsonl. Pure. */
export function parseMbppRecord({ value }: JsonlRecord): { ok: true; record: MbppRecord } | { ok: false; reason: string } {
  if (!Number.isInteger(value.task_id)) return { ok: false, reason: "missing integer field 'task_id'" }
  for (const field of ['text', 'code'] as const) if (typeof value[field] !== 'string') return { ok: false, reason: `missing string field '${field}'` }
  const setup = value.test_setup_code ?? ''
  if (typeof setup !== 'string') return { ok: false, reason: "field 'test_setup_code' must be a string" }
  const tests = value.test_list
  if (!Array.isArray(tests) || tests.length === 0 || tests.some((t) => typeof t !== 'string'))
    return { ok: false, reason: "field 'test_list' must be a non-empty array of assert strings" }
  return { ok: true, record: { taskId: value.task_id as number, text: lf(value.text as string), code: lf(value.code as string), setup: lf(setup), tests } }
}

/** The MBPP paper's prompt: the task, its tests, and `[BEGIN]`; the completion is code ending before `[DONE]`. */
function promptOf(r: MbppRecord): string {
  return `You are an expert Python programmer, and here is your task: ${r.text} Your code should pass these tests:\n\n${r.tests.join('\n')}\n[BEGIN]\n`
}

/**
 * The problem of one record: the prompt (after `shots`, worked examples ending in `[DONE]`), the
 * reference code as the expert, and the payload python-sandbox runs as MBPP's harness does:
 * completion + test_setup_code + each assert of test_list. Pure.
 */
export function mbppProblem(r: MbppRecord, shots = '', timeoutMs?: number): Problem {
  const data: CodePayload = {
    language: 'python',
    format: 'mbpp',
    // The program starts with the completion itself (the prompt is prose, not code).
    prefix: '',
    test: `${r.setup}\n${r.tests.join('\n')}\n`,
    stopTokens: ['[DONE]'],
    reference: r.code,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  }
  return { id: `Mbpp/${r.taskId}`, prompt: `${shots}${promptOf(r)}`, expert: `${r.code}\n`, data: { ...data } }
}

const inSplit = (id: number, [lo, hi]: readonly [number, number]) => id >= lo && id <= hi

/**
 * `bonbench:mbpp`: MBPP (Mostly Basic Python Problems, 974 tasks, CC-BY-4.0) from `--data`, graded
 * by the `python-sandbox` verifier. Splits by task id (MBPP_SPLITS): test 11–510 (or validation
 * 511–600 with `evalSplit`), train 601–974; 1–10 only as few-shot examples. The reference code is
 * the expert. Throws BENCH_DATA_MISSING without a data path, BENCH_DATA_INVALID naming file and line
 * for a bad record, and when a split is empty (not the 974-task file).
 */
export const mbpp = defineTask({
  name,
  meta: { version: '0.1.0', description: 'MBPP (Python), the standard splits, graded by python3 fork servers in the python-sandbox verifier (needs --data)' },
  options: mbppOptionsSchema,
  create: (o) => ({
    rewardVerifier: 'python-sandbox',
    generation: { maxTokens: o.maxTokens, stop: ['[DONE]'] },
    async load(ctx) {
      const file = await resolveDataFile(name, ctx.dataPath, ['mbpp.jsonl', 'mbpp/mbpp.jsonl'], o.file)
      const data = await readJsonl(name, file)
      const records = parseUniqueRecords(
        name,
        data,
        (line) => {
          const parsed = parseMbppRecord(line)
          return parsed.ok ? { ok: true as const, record: parsed.record, problem: { id: String(parsed.record.taskId) } } : parsed
        },
        'task_id',
      ).map((r) => r.record)
      const byId = new Map(records.map((r) => [r.taskId, r]))
      const missingShots = FEW_SHOT_IDS.slice(0, o.fewShot).filter((id) => !byId.has(id))
      if (missingShots.length > 0)
        throw new BenchError(
          'BENCH_DATA_INVALID',
          `${name}: fewShot ${o.fewShot} needs task ids ${missingShots.join(', ')}, which ${file} lacks. Use the full mbpp.jsonl or fewShot 0.`,
        )
      const shots = FEW_SHOT_IDS.slice(0, o.fewShot)
        .map((id) => `${promptOf(byId.get(id)!)}${byId.get(id)!.code}\n[DONE]\n\n`)
        .join('')
      const split = (range: readonly [number, number]) => {
        const problems = records.filter((r) => inSplit(r.taskId, range)).map((r) => mbppProblem(r, shots, o.timeoutMs))
        return o.limit ? problems.slice(0, o.limit) : problems
      }
      const test = split(MBPP_SPLITS[o.evalSplit])
      if (test.length === 0)
        throw new BenchError(
          'BENCH_DATA_INVALID',
          `${name}: ${file} holds no task with an id in ${MBPP_SPLITS[o.evalSplit].join('–')} (the ${o.evalSplit} split). Point --data at the 974-task mbpp.jsonl.`,
        )
      return { train: split(MBPP_SPLITS.train), test, files: [{ path: data.path, sha256: data.sha256 }] }
    },
  }),
})
