import { closeSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs'
import type { JournalRecord } from './journal-types.js'
import { BenchError } from '../errors.js'
import { stripBom, UTF16_FIX, utf16Sign } from '../text-encoding.js'

/**
 * TEST-ONLY: `BENCH_TEST_KILL_AFTER_RECORDS=k` (a positive integer) makes the process SIGKILL
 * itself right after the k-th record that this process appends has been fsync'd — so a test can
 * say "killed after record k" exactly, with no polling and no timers. Counted over every journal
 * the process appends to (a run has one), and over the records a queue worker collects. Unset, empty or invalid: no effect. Never set it
 * outside tests: the process dies without flushing anything else.
 */
export const KILL_AFTER_RECORDS_ENV = 'BENCH_TEST_KILL_AFTER_RECORDS'

let appended = 0

/**
 * TEST-ONLY: `BENCH_TEST_NO_FSYNC=1` makes a journal skip its fsyncs. Each batch is still written
 * by `appendMany` before it returns, so a process that is killed (even by SIGKILL) leaves exactly
 * the journal it leaves with them: what an fsync adds is durability across a crash of the
 * machine, which no test observes. What it costs is a wait on the disk per record, most of a
 * tabular run's wall time on a busy disk and a quarter of its CPU; vitest.config.ts sets it for the
 * suite. Read when a journal is opened; any other value, or unset: fsync as always. Never set it
 * outside tests.
 */
export const NO_FSYNC_ENV = 'BENCH_TEST_NO_FSYNC'

/** The k of BENCH_TEST_KILL_AFTER_RECORDS, read at each append (tests set it per child process). */
function killAfter(): number | undefined {
  const raw = process.env[KILL_AFTER_RECORDS_ENV]
  if (!raw || !/^[1-9]\d*$/.test(raw)) return undefined
  return Number(raw)
}

/**
 * Counts one record made durable by this process, for BENCH_TEST_KILL_AFTER_RECORDS: the journal
 * calls it, and so does a queue worker for each record it will send back (core/queue).
 */
export function countAppendedRecord(): void {
  appended++
  if (appended === killAfter()) process.kill(process.pid, 'SIGKILL')
}

/**
 * The append-only JSONL journal of a run. Each record is written with one write and fsync'd
 * before `append` returns, so a killed run loses at most the record being written. `appendMany`
 * writes records someone else already holds durably (queue mode's coordinator: a cell's records,
 * kept in Redis until the run is journaled) with one write and one fsync.
 */
export class Journal {
  readonly path: string
  #fd: number
  /** False under BENCH_TEST_NO_FSYNC=1 (tests only). */
  readonly #sync: boolean

  constructor(path: string) {
    this.path = path
    this.#fd = openSync(path, 'a')
    this.#sync = process.env[NO_FSYNC_ENV] !== '1'
  }

  /** Appends one record durably: a batch of one. */
  append(record: JournalRecord): void {
    this.appendMany([record])
  }

  /**
   * Appends records with one write and one fsync (an fsync per record is most of a tabular
   * cell's cost on a busy disk). A process killed meanwhile leaves a prefix of them, its last line
   * possibly torn (`repairJournal` cuts it): for records that can be had again, never for a run's
   * only copy. BENCH_TEST_KILL_AFTER_RECORDS=k still kills right after the k-th record is durable:
   * the batch is cut there.
   */
  appendMany(records: readonly JournalRecord[]): void {
    const k = killAfter()
    const count = k !== undefined && k > appended ? Math.min(records.length, k - appended) : records.length
    if (count === 0) return
    const buffer = Buffer.from(
      records
        .slice(0, count)
        .map((record) => JSON.stringify(record) + '\n')
        .join(''),
    )
    // A write to a regular file may be partial: go on from where it stopped.
    let offset = 0
    while (offset < buffer.length) offset += writeSync(this.#fd, buffer, offset)
    if (this.#sync) fsyncSync(this.#fd)
    for (let i = 0; i < count; i++) countAppendedRecord()
  }

  close(): void {
    if (this.#fd >= 0) closeSync(this.#fd)
    this.#fd = -1
  }
}

/** A journal line that did not parse or is not a known record. Line numbers start at 1. */
export interface BadLine {
  line: number
  /** What is wrong with it: `not JSON (…)` or `unknown record type …`. */
  message: string
  /** The line's first 200 characters. */
  text: string
}

/** What parsing a journal's text found. */
export interface ParsedJournal {
  /** Every known record, in journal order. */
  records: JournalRecord[]
  /** Bad lines before the last non-empty line: damage to look at, since no killed write leaves them. */
  badLines: BadLine[]
  /** A bad last line: the record a killed run was writing (expected; `repairJournal` cuts it before a resume appends). */
  torn?: BadLine
}

// Satisfies the union: adding a record type to JournalRecord without naming it here fails to compile.
const recordTypes: Record<JournalRecord['type'], true> = {
  pool: true,
  train: true,
  checkpoint: true,
  'checkpoint-eval': true,
  prepare: true,
  cell: true,
  error: true,
}

type FieldKind = 'string' | 'number' | 'object' | 'array'

/** The fields every reader of a record type relies on, and what each must be. */
const requiredFields: Record<JournalRecord['type'], ReadonlyArray<readonly [string, FieldKind]>> = {
  pool: [
    ['cellId', 'string'],
    ['promptId', 'string'],
    ['samples', 'array'],
  ],
  train: [
    ['cellId', 'string'],
    ['log', 'object'],
  ],
  checkpoint: [
    ['cellId', 'string'],
    ['step', 'number'],
    ['dir', 'string'],
    ['hash', 'string'],
  ],
  'checkpoint-eval': [
    ['cellId', 'string'],
    ['step', 'number'],
  ],
  prepare: [
    ['name', 'string'],
    ['facts', 'object'],
  ],
  cell: [
    ['cellId', 'string'],
    ['key', 'object'],
    ['result', 'object'],
  ],
  error: [
    ['cellId', 'string'],
    ['key', 'object'],
    ['message', 'string'],
  ],
}

const isKind = (value: unknown, kind: FieldKind): boolean =>
  kind === 'array' ? Array.isArray(value) : kind === 'object' ? typeof value === 'object' && value !== null && !Array.isArray(value) : typeof value === kind

/** What is wrong with a record of a known type (a field its readers need, missing or of another kind), else undefined. */
function recordProblem(record: Record<string, unknown>, type: JournalRecord['type']): string | undefined {
  for (const [field, kind] of requiredFields[type]) {
    if (!isKind(record[field], kind))
      return `a '${type}' record whose ${field} is ${record[field] === undefined ? 'missing' : `not ${kind === 'array' ? 'an array' : `a${kind === 'object' ? 'n' : ''} ${kind}`}`}`
  }
  if (type === 'cell' && (record.result as { cellId?: unknown }).cellId !== record.cellId) return "a 'cell' record whose result is not that cell's"
  return undefined
}

/**
 * Splits journal text into records: the one parser of journal.jsonl (resume, rerun, reports,
 * compare). Never throws: a line that is not JSON, not a known record type or a record without a
 * field its readers need is a bad line, and
 * a bad last line is the torn write of a killed run, kept apart in `torn`.
 */
export function parseJournal(text: string): ParsedJournal {
  // bonbench writes no byte-order mark, but an editor that saved the journal may have.
  const lines = stripBom(text).split('\n')
  let last = lines.length - 1
  while (last >= 0 && lines[last]!.trim() === '') last--
  const records: JournalRecord[] = []
  const bad: BadLine[] = []
  lines.forEach((line, index) => {
    if (line.trim() === '') return
    const problem = (message: string) => bad.push({ line: index + 1, message, text: line.slice(0, 200) })
    let record: unknown
    try {
      record = JSON.parse(line)
    } catch (error) {
      problem(`not JSON (${(error as Error).message})`)
      return
    }
    const type = (record as { type?: unknown } | null)?.type
    if (typeof type !== 'string' || !Object.hasOwn(recordTypes, type)) {
      problem(`unknown record type ${JSON.stringify(type)}`)
      return
    }
    // A known type with a field its readers need missing (a hand-edited or foreign line) is a bad
    // line too, named here, never a TypeError in whatever reads it later.
    const shape = recordProblem(record as Record<string, unknown>, type as JournalRecord['type'])
    if (shape) {
      problem(shape)
      return
    }
    records.push(record as JournalRecord)
  })
  const torn = bad.at(-1)?.line === last + 1 ? bad.pop() : undefined
  return torn ? { records, badLines: bad, torn } : { records, badLines: bad }
}

/** What reading a journal found: its records and the lines it could not parse. */
export interface JournalContents {
  records: JournalRecord[]
  /** Unparseable lines (1-based), a torn last line of a killed run included (expected, and reported here). */
  badLines: BadLine[]
}

/**
 * The bytes of the journal at `path`; a missing file is an empty journal. Anything else that keeps
 * it from being read (a folder in its place, no permission, or UTF-16 text: an editor re-saved it)
 * is BENCH_RUN_INVALID naming the file. A UTF-8 byte-order mark stays: {@link parseJournal} skips it.
 */
export function readJournalBytes(path: string): Buffer {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return Buffer.alloc(0)
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `cannot read the run's journal ${path} (${code === 'EISDIR' ? 'a folder is in its place' : (error as Error).message})`,
      {
        cause: error,
      },
    )
  }
  // One look at the first bytes: every line of a UTF-16 journal would be a bad line, and a resume would append UTF-8 to it.
  if (utf16Sign(bytes) !== undefined)
    throw new BenchError('BENCH_RUN_INVALID', `the run's journal ${path} ${UTF16_FIX} (bonbench writes it as UTF-8; an editor that saved it changed that)`)
  return bytes
}

/** Reads a journal with {@link parseJournal}; a missing file is an empty journal. Never throws on a bad line. */
export function readJournal(path: string): JournalContents {
  const { records, badLines, torn } = parseJournal(readJournalBytes(path).toString('utf8'))
  return { records, badLines: torn ? [...badLines, torn] : badLines }
}

/**
 * Cuts a torn final line (a record half-written when the run was killed) so appends start on a
 * fresh line. Returns the number of bytes removed. Called before `--resume` appends.
 */
export function repairJournal(path: string): number {
  const buffer = readJournalBytes(path)
  if (buffer.length === 0 || buffer[buffer.length - 1] === 0x0a) return 0
  const keep = buffer.lastIndexOf(0x0a) + 1
  truncateSync(path, keep)
  return buffer.length - keep
}
