import { constants } from 'node:buffer'
import { createHash } from 'node:crypto'
import { type FileHandle, open, stat } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { StringDecoder } from 'node:string_decoder'
import { createGunzip, gunzipSync } from 'node:zlib'
import type { Problem, TaskData } from 'bonbench'
import { BenchError, deriveSeed, gunzipFailure, isZlibError, stripBom, utf16Sign } from 'bonbench'

/** One parsed line of a JSON Lines file: its 1-based line number and object. */
export interface JsonlRecord {
  line: number
  value: Record<string, unknown>
}

/** A JSON Lines file as read: records, where it was, and the sha256 of its bytes on disk. */
export interface JsonlFile {
  path: string
  sha256: string
  records: JsonlRecord[]
}

/** What a path is: a folder, something else (a file), absent, or an error of `stat` other than ENOENT/ENOTDIR. */
async function pathKind(file: string): Promise<'folder' | 'file' | 'missing' | NodeJS.ErrnoException> {
  try {
    return (await stat(file)).isDirectory() ? 'folder' : 'file'
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : (error as NodeJS.ErrnoException)
  }
}

/** The BENCH_DATA_MISSING of a path `stat` cannot follow: a symbolic link loop (ELOOP) said as such, else the system's reason. */
function unreachable(plugin: string, file: string, error: NodeJS.ErrnoException, hint: string): BenchError {
  const what =
    error.code === 'ELOOP'
      ? `${file} is a symbolic link loop (following its links leads back to a link already followed, so it names no file); make the link point at the real file or folder`
      : `cannot reach ${file} (${error.message})`
  return new BenchError('BENCH_DATA_MISSING', `${plugin}: data path ${what}. ${hint}`, { cause: error })
}

/**
 * Finds the data file of a dataset-backed task from the user's `--data` path: the file itself, or
 * in a folder the explicit `file` option or the first of `candidates` that exists. Runs in
 * `task.load`; throws BENCH_DATA_MISSING (naming the plugin and what to pass) when none is found,
 * and when a path cannot be followed (a symbolic link loop is called one).
 */
export async function resolveDataFile(plugin: string, dataPath: string | undefined, candidates: string[], file?: string): Promise<string> {
  const hint = `Pass --data <file.jsonl[.gz]> or a folder holding ${candidates.join(' or ')}.`
  if (!dataPath) throw new BenchError('BENCH_DATA_MISSING', `${plugin} loads a dataset but no data path was given. ${hint}`)
  const kind = await pathKind(dataPath)
  if (kind === 'missing') throw new BenchError('BENCH_DATA_MISSING', `${plugin}: data path ${dataPath} does not exist. ${hint}`)
  if (typeof kind !== 'string') throw unreachable(plugin, dataPath, kind, hint)
  if (kind === 'file') return dataPath
  for (const name of file ? [file] : candidates) {
    const full = path.join(dataPath, name)
    const found = await pathKind(full)
    if (found === 'file') return full
    if (typeof found !== 'string') throw unreachable(plugin, full, found, hint)
  }
  throw new BenchError('BENCH_DATA_MISSING', `${plugin}: found none of ${(file ? [file] : candidates).join(', ')} in ${dataPath}. ${hint}`)
}

/** The BenchError for a bad record: names the plugin, the file and the line. */
export function invalidLine(plugin: string, file: string, line: number, what: string): BenchError {
  return new BenchError('BENCH_DATA_INVALID', `${plugin}: ${file}:${line}: ${what}. Fix or remove that line, or point --data at an unmodified copy.`)
}

/** One line of JSON Lines: undefined when blank, else its object; `bad(line, what)` for anything else. */
function parseJsonlLine(raw: string, line: number, bad: (line: number, what: string) => Error): JsonlRecord | undefined {
  if (raw.trim() === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch (error) {
    throw bad(line, `not valid JSON (${(error as Error).message})`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad(line, 'not a JSON object')
  return { line, value: value as Record<string, unknown> }
}

/**
 * Why a JSON Lines file could not be read as a whole: it cannot be opened or read, it starts with
 * the gzip magic bytes but does not decompress, or its text is UTF-16 (see {@link utf16Sign}).
 */
export type JsonlReadFailure = 'unreadable' | 'gzip' | 'utf16'

/** How {@link readJsonlObjects} reports what it cannot read; each caller names its own file and fix. */
export interface JsonlReadOptions {
  /** The error for a line that is not a JSON object, or is too long to read (`what` says which). */
  bad(line: number, what: string): Error
  /** The error for a file that cannot be opened or read, a gzip file that does not decompress, or UTF-16 text (the cause's message says what shows it). */
  failed(failure: JsonlReadFailure, cause: unknown): Error
  /** Sees every chunk of the bytes on disk, in order (e.g. to hash them). */
  onBytes?(chunk: Buffer): void
  /** The longest line read, in UTF-16 code units (default: the longest string Node.js can hold, buffer.constants.MAX_STRING_LENGTH). */
  maxLineChars?: number
}

/** The longest string V8 can make (about 512 MiB of UTF-16 code units on 64-bit Node.js). */
export const MAX_STRING_CHARS = constants.MAX_STRING_LENGTH

const MIB = 1024 * 1024

/** A size in MiB as the messages print it (one decimal below 10 MiB). */
function mib(n: number): string {
  return `${n / MIB < 10 ? (n / MIB).toFixed(1) : Math.round(n / MIB)} MiB`
}

/**
 * True for the error V8 or Node.js throws when a string would be longer than {@link MAX_STRING_CHARS}:
 * `RangeError: Invalid string length` (concatenation, join, repeat) or ERR_STRING_TOO_LONG
 * (`buffer.toString()` of more bytes than that).
 */
export function isStringTooLong(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  return (error as NodeJS.ErrnoException).code === 'ERR_STRING_TOO_LONG' || (error instanceof RangeError && error.message === 'Invalid string length')
}

/** The start of the message for a UTF-16 `file` ({@link utf16Sign} says what shows it): it is UTF-16, re-save it as UTF-8. */
export function utf16Message(file: string, sign: string): string {
  return `${file} is UTF-16 (${sign}): re-save it as UTF-8`
}

/**
 * Reads a `.jsonl` or `.jsonl.gz` file (gzip detected by its magic bytes 0x1f 0x8b) line by line,
 * streaming, so a file of any size reads as long as each line fits in one string. Blank lines are
 * skipped; a line that is not a JSON object, or is longer than `maxLineChars`, throws
 * `o.bad(line, what)`; a file that cannot be opened or read throws `o.failed('unreadable', cause)`,
 * and one that starts with the gzip magic bytes but does not decompress `o.failed('gzip', cause)`.
 * Lines are split at '\n' exactly as `text.split('\n')` would (a '\r' before it stays: JSON
 * ignores it), after UTF-8 decoding as Buffer.toString does.
 */
export async function readJsonlObjects(file: string, o: JsonlReadOptions): Promise<JsonlRecord[]> {
  const maxLineChars = o.maxLineChars ?? MAX_STRING_CHARS
  let handle: FileHandle
  let gzip: boolean
  try {
    handle = await open(file, 'r')
  } catch (cause) {
    throw o.failed('unreadable', cause)
  }
  try {
    const head = Buffer.alloc(2)
    try {
      const { bytesRead } = await handle.read(head, 0, 2, 0)
      gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b
    } catch (cause) {
      throw o.failed('unreadable', cause)
    }
    const records: JsonlRecord[] = []
    // The error of a bad line, as built by o.bad: it goes through as it is.
    let badLine: Error | undefined
    const bad = (at: number, what: string) => (badLine = o.bad(at, what))
    // The error of UTF-16 text, as built by o.failed: it goes through as it is too.
    let utf16: Error | undefined
    const decoder = new StringDecoder('utf8')
    let line = 1
    // The text of the current line so far, in pieces (a line can span many chunks).
    let parts: string[] = []
    let partsChars = 0
    const take = (text: string) => {
      let start = 0
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        add(text.slice(start, nl))
        const record = parseJsonlLine(parts.length === 1 ? parts[0]! : parts.join(''), line, bad)
        if (record) records.push(record)
        parts = []
        partsChars = 0
        line++
        start = nl + 1
      }
      if (start < text.length) add(start === 0 ? text : text.slice(start))
    }
    const add = (piece: string) => {
      partsChars += piece.length
      if (partsChars > maxLineChars)
        throw bad(
          line,
          `the line is longer than ${maxLineChars} characters (about ${mib(maxLineChars)}), the longest string Node.js can hold, so it cannot be read; split it into records of one line each, every line under that size`,
        )
      parts.push(piece)
    }
    const raw = handle.createReadStream({ start: 0, autoClose: false, highWaterMark: 1024 * 1024 })
    const hashed = async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of source) {
        o.onBytes?.(chunk)
        yield chunk
      }
    }
    const lines = async (source: AsyncIterable<Buffer>): Promise<void> => {
      let first = true
      for await (const chunk of source) {
        let text = decoder.write(chunk)
        if (first) {
          const sign = utf16Sign(chunk)
          if (sign !== undefined) throw (utf16 = o.failed('utf16', new Error(sign)))
        }
        // A UTF-8 byte-order mark (which some editors write) is no part of the first line.
        if (first && text !== '') {
          first = false
          text = stripBom(text)
        }
        take(text)
      }
      take(decoder.end())
      const record = parseJsonlLine(parts.join(''), line, bad)
      if (record) records.push(record)
    }
    try {
      await (gzip ? pipeline(raw, hashed, createGunzip(), lines) : pipeline(raw, hashed, lines))
    } catch (error) {
      if (utf16 !== undefined && error === utf16) throw error
      if (badLine !== undefined && error === badLine) {
        // A gzip stream checks its CRC at its end: garbage from a corrupt one says so.
        const corrupt = gzip ? await gunzipFailure(file) : undefined
        throw corrupt === undefined ? error : o.failed('gzip', corrupt)
      }
      if (gzip && isZlibError(error)) throw o.failed('gzip', error)
      throw o.failed('unreadable', error)
    }
    return records
  } finally {
    await handle.close().catch(() => undefined)
  }
}

/**
 * Reads a `.jsonl` or `.jsonl.gz` file (gzip detected by its magic bytes) line by line, so its size
 * is bounded by memory alone. Blank lines are skipped; a line that is not a JSON object (or too
 * long for one string) throws BENCH_DATA_INVALID naming file and line; only a file that starts
 * with the gzip magic bytes and does not decompress is called "not a readable gzip file". The
 * sha256 is of the bytes on disk, for the run manifest.
 */
export async function readJsonl(plugin: string, file: string): Promise<JsonlFile> {
  const hash = createHash('sha256')
  const records = await readJsonlObjects(file, {
    bad: (line, what) => invalidLine(plugin, file, line, what),
    failed: (failure, cause) =>
      failure === 'gzip'
        ? new BenchError('BENCH_DATA_INVALID', `${plugin}: ${file} is not a readable gzip file. Re-download it or pass the uncompressed .jsonl.`, { cause })
        : failure === 'utf16'
          ? new BenchError('BENCH_DATA_INVALID', `${plugin}: ${utf16Message(file, (cause as Error).message)} and point --data at that copy.`, { cause })
          : new BenchError('BENCH_DATA_MISSING', `${plugin}: cannot read ${file}. Check the --data path.`, { cause }),
    onBytes: (chunk) => hash.update(chunk),
  })
  return { path: file, sha256: hash.digest('hex'), records }
}

/**
 * The UTF-8 text of file bytes, gunzipped first when they start with the gzip magic bytes 0x1f
 * 0x8b, without a leading UTF-8 byte-order mark; throws zlib's error for a corrupt gzip stream,
 * and an error saying so for text longer than one string can hold (over about 512 MiB: read such a
 * file with {@link readJsonlObjects}). UTF-16 bytes decode as garbled text: a caller that names the
 * file tells them first ({@link utf16Sign}).
 */
export function decodeMaybeGzip(bytes: Buffer): string {
  const gunzipped = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes
  const plain = gunzipped[0] === 0xef && gunzipped[1] === 0xbb && gunzipped[2] === 0xbf ? gunzipped.subarray(3) : gunzipped
  try {
    return plain.toString('utf8')
  } catch (error) {
    if (!isStringTooLong(error)) throw error
    throw new Error(`its text is ${mib(plain.length)}, more than the ${mib(MAX_STRING_CHARS)} Node.js can hold in one string`, { cause: error })
  }
}

/** A kind of data file a built-in task reads (or bench verify's samples file): how to tell one by its first record. */
interface DataShape {
  /** What the messages call it: the task's short name, or a phrase for a file no task reads. */
  label: string
  /** The task plugin that reads it; absent for a file no task reads. */
  plugin?: string
  /** Its records' fields, as the messages list them. */
  fields: string
  /** The file the task reads, as the messages name it. */
  file?: string
  /** True when a record has the fields of this kind with their types (the task's parser checks the rest). Pure. */
  matches(value: Record<string, unknown>): boolean
}

const isText = (v: unknown): v is string => typeof v === 'string'

/** The known kinds, most particular first: a HumanEval (Python) record also has what a MultiPL-E one needs. */
const DATA_SHAPES: readonly DataShape[] = [
  {
    label: 'mbpp',
    plugin: 'bonbench:mbpp',
    fields: 'task_id (an integer), text, code, test_list',
    file: 'mbpp.jsonl (mbpp/mbpp.jsonl in a data folder)',
    matches: (v) => Number.isInteger(v.task_id) && isText(v.text) && isText(v.code) && Array.isArray(v.test_list),
  },
  {
    label: 'gsm8k',
    plugin: 'bonbench:gsm8k',
    fields: 'question, answer',
    file: "GSM8K's test.jsonl (gsm8k/test.jsonl in a data folder)",
    matches: (v) => isText(v.question) && isText(v.answer),
  },
  {
    label: 'math500',
    plugin: 'bonbench:math500',
    fields: 'problem, solution, answer',
    file: 'math500_test.jsonl (math/math500_test.jsonl in a data folder), or the full MATH test set math_test_full.jsonl.gz',
    matches: (v) => isText(v.problem) && (isText(v.solution) || isText(v.answer)),
  },
  {
    label: 'humaneval',
    plugin: 'bonbench:humaneval',
    fields: 'task_id, prompt, canonical_solution, test, entry_point',
    file: 'HumanEval.jsonl.gz (humaneval/HumanEval.jsonl.gz in a data folder)',
    matches: (v) => isText(v.task_id) && isText(v.prompt) && isText(v.canonical_solution) && isText(v.test) && isText(v.entry_point),
  },
  {
    label: 'humaneval-js',
    plugin: 'bonbench:humaneval-js',
    fields: 'task_id, prompt, canonical_solution, test, declaration (HumanEval-X) or name, prompt, tests, stop_tokens (MultiPL-E)',
    file: 'humaneval_js.humaneval-x.jsonl.gz or humaneval-js.multiple-e.jsonl (in humaneval_js/ of a data folder)',
    matches: (v) =>
      isText(v.prompt) &&
      ((isText(v.canonical_solution) && isText(v.declaration)) || ((isText(v.tests) || isText(v.test)) && (isText(v.task_id) || isText(v.name)))),
  },
  { label: 'a samples file of bench verify', fields: 'task_id, completion', matches: (v) => isText(v.task_id) && isText(v.completion) },
]

/** The fields of a record as the messages list them: names, with the type of any that is not a string. */
function fieldList(value: Record<string, unknown>): string {
  const kind = (v: unknown) =>
    isText(v) ? '' : v === null ? ' (null)' : Array.isArray(v) ? ' (an array)' : typeof v === 'object' ? ' (an object)' : ` (a ${typeof v})`
  const keys = Object.keys(value)
  if (keys.length === 0) return 'no fields'
  const shown = keys.slice(0, 8).map((k) => `${k}${kind(value[k])}`)
  return `the fields ${shown.join(', ')}${keys.length > 8 ? ` and ${keys.length - 8} more` : ''}`
}

/**
 * The BENCH_DATA_INVALID for another task's data: undefined unless `plugin` is a built-in dataset
 * task and the `first` record of `file` lacks its fields (or has them with other types). The
 * message says which known kind the record looks like (another task's data, or a samples file),
 * lists its fields, and names the file the task reads. Call it on the first record only: a bad
 * line later in a file of the right kind is a bad line ({@link invalidLine}). Pure.
 */
export function wrongTaskData(plugin: string, file: string, first: JsonlRecord | undefined): BenchError | undefined {
  const own = DATA_SHAPES.find((s) => s.plugin === plugin)
  if (own === undefined || first === undefined || own.matches(first.value)) return undefined
  const other = DATA_SHAPES.find((s) => s !== own && s.matches(first.value))
  const looks =
    other === undefined ? `does not look like ${own.label} data` : `looks like ${other.plugin ? `${other.label} data` : other.label}, not ${own.label} data`
  const todo =
    other !== undefined && other.plugin === undefined ? `Pass it to bench verify as --samples, and point --data at ${own.file}` : `Point --data at ${own.file}`
  return new BenchError(
    'BENCH_DATA_INVALID',
    `${plugin}: ${file} ${looks}: its first line has ${fieldList(first.value)}, where ${own.label} reads records with ${own.fields}. ${todo}.`,
  )
}

/**
 * Parses every record of `data` with a task's `parse`, in file order; a rejected record, then a
 * repeated problem id (`duplicate <idLabel> '<id>'`), throws BENCH_DATA_INVALID naming file and
 * line, except a rejected first record of another kind of file ({@link wrongTaskData}). Returns the accepted results, extra fields included.
 */
export function parseUniqueRecords<R extends { ok: true; problem: { id: string } }>(
  plugin: string,
  data: JsonlFile,
  parse: (record: JsonlRecord) => R | { ok: false; reason: string },
  idLabel: string,
): R[] {
  const seen = new Set<string>()
  const results: R[] = []
  for (const record of data.records) {
    const result = parse(record)
    if (!result.ok)
      throw (record === data.records[0] ? wrongTaskData(plugin, data.path, record) : undefined) ?? invalidLine(plugin, data.path, record.line, result.reason)
    if (seen.has(result.problem.id)) throw invalidLine(plugin, data.path, record.line, `duplicate ${idLabel} '${result.problem.id}'`)
    seen.add(result.problem.id)
    results.push(result)
  }
  return results
}

/** TaskData of a dataset task: the first `limit` problems (all when unset), split by `trainFraction`, with the file's sha256. */
export function datasetSplit(data: JsonlFile, problems: Problem[], o: { limit?: number; trainFraction: number }): TaskData {
  const kept = o.limit ? problems.slice(0, o.limit) : problems
  return { ...splitByFraction(kept, o.trainFraction), files: [{ path: data.path, sha256: data.sha256 }] }
}

/** Fills `{name}` placeholders of a prompt template. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole)
}

/**
 * Splits evaluation data: a problem goes to train when a hash of its id falls below
 * `trainFraction` (0 → everything in test). Stable across runs and independent of file order.
 */
export function splitByFraction(problems: Problem[], trainFraction: number): { train: Problem[]; test: Problem[] } {
  const train: Problem[] = []
  const test: Problem[] = []
  for (const p of problems) (deriveSeed(0, 'split', p.id) / 2 ** 32 < trainFraction ? train : test).push(p)
  return { train, test }
}
