import { constants } from 'node:buffer'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { type FileHandle, open, stat } from 'node:fs/promises'
import path from 'node:path'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { StringDecoder } from 'node:string_decoder'
import { createGunzip, gunzipSync } from 'node:zlib'
import type { Problem, TaskData } from 'bonbench'
import { BenchError, deriveSeed } from 'bonbench'

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

async function isDirectory(file: string): Promise<boolean | undefined> {
  try {
    return (await stat(file)).isDirectory()
  } catch {
    return undefined
  }
}

/**
 * Finds the data file of a dataset-backed task from the user's `--data` path: the file itself, or
 * in a folder the explicit `file` option or the first of `candidates` that exists. Runs in
 * `task.load`; throws BENCH_DATA_MISSING (naming the plugin and what to pass) when none is found.
 */
export async function resolveDataFile(plugin: string, dataPath: string | undefined, candidates: string[], file?: string): Promise<string> {
  const hint = `Pass --data <file.jsonl[.gz]> or a folder holding ${candidates.join(' or ')}.`
  if (!dataPath) throw new BenchError('BENCH_DATA_MISSING', `${plugin} loads a dataset but no data path was given. ${hint}`)
  const kind = await isDirectory(dataPath)
  if (kind === undefined) throw new BenchError('BENCH_DATA_MISSING', `${plugin}: data path ${dataPath} does not exist. ${hint}`)
  if (!kind) return dataPath
  for (const name of file ? [file] : candidates) {
    const full = path.join(dataPath, name)
    if ((await isDirectory(full)) === false) return full
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

/** Why a JSON Lines file could not be read as a whole: it cannot be opened or read, or it starts with the gzip magic bytes but does not decompress. */
export type JsonlReadFailure = 'unreadable' | 'gzip'

/** How {@link readJsonlObjects} reports what it cannot read; each caller names its own file and fix. */
export interface JsonlReadOptions {
  /** The error for a line that is not a JSON object, or is too long to read (`what` says which). */
  bad(line: number, what: string): Error
  /** The error for a file that cannot be opened or read, or a gzip file that does not decompress. */
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

/** True for an error of node:zlib (a corrupt or truncated gzip stream): its code is Z_DATA_ERROR, Z_BUF_ERROR, … */
function isZlibError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code
  return typeof code === 'string' && code.startsWith('Z_')
}

/** The zlib error of decompressing the whole gzip `file`, or undefined when it decompresses (or cannot be read). */
async function gunzipFailure(file: string): Promise<Error | undefined> {
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() })
  try {
    await pipeline(createReadStream(file), createGunzip(), discard)
    return undefined
  } catch (error) {
    return isZlibError(error) ? (error as Error) : undefined
  }
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
      for await (const chunk of source) take(decoder.write(chunk))
      take(decoder.end())
      const record = parseJsonlLine(parts.join(''), line, bad)
      if (record) records.push(record)
    }
    try {
      await (gzip ? pipeline(raw, hashed, createGunzip(), lines) : pipeline(raw, hashed, lines))
    } catch (error) {
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
        : new BenchError('BENCH_DATA_MISSING', `${plugin}: cannot read ${file}. Check the --data path.`, { cause }),
    onBytes: (chunk) => hash.update(chunk),
  })
  return { path: file, sha256: hash.digest('hex'), records }
}

/**
 * The UTF-8 text of file bytes, gunzipped first when they start with the gzip magic bytes 0x1f
 * 0x8b; throws zlib's error for a corrupt gzip stream, and an error saying so for text longer
 * than one string can hold (over about 512 MiB: read such a file with {@link readJsonlObjects}).
 */
export function decodeMaybeGzip(bytes: Buffer): string {
  const plain = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes
  try {
    return plain.toString('utf8')
  } catch (error) {
    if (!isStringTooLong(error)) throw error
    throw new Error(`its text is ${mib(plain.length)}, more than the ${mib(MAX_STRING_CHARS)} Node.js can hold in one string`, { cause: error })
  }
}

/**
 * Parses every record of `data` with a task's `parse`, in file order; a rejected record, then a
 * repeated problem id (`duplicate <idLabel> '<id>'`), throws BENCH_DATA_INVALID naming file and
 * line. Returns the accepted results, extra fields included.
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
    if (!result.ok) throw invalidLine(plugin, data.path, record.line, result.reason)
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
