import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import { z } from 'zod'
import { BenchError } from '../errors.js'

/**
 * Reading a sample dump for `bench score`: JSON Lines, optionally gzip-compressed, in either of
 * two line shapes (they may be mixed in one file):
 * - one line per problem: `{"id": …, "samples": [{"reward": …, "score"?: …, "answer"?: …}, …]}`
 * - one line per sample:  `{"id": …, "reward": …, "score"?: …, "answer"?: …}`
 * Lines are grouped by `id` (first-seen order); samples of one id add up across lines.
 * `reward` is a number in [0, 1] (true/false read as 1/0); `score` a finite number; `answer` a
 * string (a number is read as its decimal text). A null `score` or `answer` counts as absent.
 * Other fields are ignored. Blank lines are skipped.
 */

/** One sample of a dump. */
export interface DumpSample {
  reward: number
  score?: number
  answer?: string
}

/** One problem of a dump: its id and every sample drawn for it. */
export interface DumpProblem {
  id: string
  samples: DumpSample[]
}

/** A line that did not parse: where, and why. */
export interface BadLine {
  file: string
  line: number
  reason: string
}

/** A dump as read: problems in first-seen order, plus the lines skipped under `skipBadLines`. */
export interface SampleDump {
  file: string
  problems: DumpProblem[]
  badLines: BadLine[]
}

const id = z.union([z.string().min(1), z.number()]).transform(String)
const sample = z.object({
  reward: z.union([z.boolean().transform(Number), z.number().min(0).max(1)]),
  score: z.number().refine(Number.isFinite, 'must be a finite number').nullish(),
  answer: z.union([z.string(), z.number().transform(String)]).nullish(),
})
const problemLine = z.object({ id, samples: z.array(sample).min(1, 'must hold at least one sample') })
const sampleLine = sample.extend({ id })

function toSample(s: z.infer<typeof sample>): DumpSample {
  const out: DumpSample = { reward: s.reward }
  if (s.score !== null && s.score !== undefined) out.score = s.score
  if (s.answer !== null && s.answer !== undefined) out.answer = s.answer
  return out
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(line)'}: ${issue.message}`)
    .join('; ')
}

/** Parses one line; returns the problem id and its samples, or the reason it is bad. */
export function parseDumpLine(text: string): { id: string; samples: DumpSample[] } | { reason: string } {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return { reason: `not valid JSON (${(error as Error).message})` }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { reason: 'expected a JSON object' }
  if ('samples' in json) {
    const parsed = problemLine.safeParse(json)
    if (!parsed.success) return { reason: describeIssues(parsed.error) }
    return { id: parsed.data.id, samples: parsed.data.samples.map(toSample) }
  }
  const parsed = sampleLine.safeParse(json)
  if (!parsed.success) return { reason: describeIssues(parsed.error) }
  return { id: parsed.data.id, samples: [toSample(parsed.data)] }
}

async function isGzip(file: string): Promise<boolean> {
  if (file.endsWith('.gz')) return true
  const handle = await open(file, 'r')
  try {
    const head = Buffer.alloc(2)
    const { bytesRead } = await handle.read(head, 0, 2, 0)
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b
  } finally {
    await handle.close()
  }
}

/**
 * Reads a `.jsonl` or `.jsonl.gz` dump, streaming line by line. A line that does not parse is an
 * error (BENCH_DATA_INVALID, naming the file, the line number and the reason) unless
 * `skipBadLines`, where it is recorded in `badLines` and skipped. A missing file is
 * BENCH_DATA_MISSING; a dump with no problems is BENCH_DATA_INVALID.
 */
export async function readSampleDump(file: string, opts: { skipBadLines?: boolean } = {}): Promise<SampleDump> {
  let gzip: boolean
  try {
    gzip = await isGzip(file)
  } catch (error) {
    throw new BenchError('BENCH_DATA_MISSING', `cannot read sample dump ${file}: ${(error as Error).message}; check the path`, { cause: error })
  }
  const raw = createReadStream(file)
  const input = gzip ? raw.pipe(createGunzip()) : raw
  const byId = new Map<string, DumpProblem>()
  const badLines: BadLine[] = []
  let lineNo = 0
  try {
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      lineNo++
      if (text.trim() === '') continue
      const parsed = parseDumpLine(text)
      if ('reason' in parsed) {
        const bad = { file, line: lineNo, reason: parsed.reason }
        if (!opts.skipBadLines) {
          throw new BenchError('BENCH_DATA_INVALID', `${file}:${lineNo}: bad line: ${bad.reason} (fix the line, or pass --skip-bad-lines to skip it)`)
        }
        badLines.push(bad)
        continue
      }
      const problem = byId.get(parsed.id)
      if (problem) problem.samples.push(...parsed.samples)
      else byId.set(parsed.id, { id: parsed.id, samples: parsed.samples })
    }
  } catch (error) {
    raw.destroy()
    if (error instanceof BenchError) throw error
    throw new BenchError('BENCH_DATA_INVALID', `cannot read sample dump ${file} after line ${lineNo}: ${(error as Error).message}`, { cause: error })
  }
  if (byId.size === 0) throw new BenchError('BENCH_DATA_INVALID', `${file}: no problems found; expected JSON Lines of {"id", "samples"} or {"id", "reward"}`)
  return { file, problems: [...byId.values()], badLines }
}
