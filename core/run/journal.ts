import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs'
import type { JournalRecord } from './journal-types.js'

/**
 * TEST-ONLY: `BENCH_TEST_KILL_AFTER_RECORDS=k` (a positive integer) makes the process SIGKILL
 * itself right after the k-th record that this process appends has been fsync'd — so a test can
 * say "killed after record k" exactly, with no polling and no timers. Counted over every journal
 * the process appends to (a run has one). Unset, empty or invalid: no effect. Never set it
 * outside tests: the process dies without flushing anything else.
 */
export const KILL_AFTER_RECORDS_ENV = 'BENCH_TEST_KILL_AFTER_RECORDS'

let appended = 0

/** The k of BENCH_TEST_KILL_AFTER_RECORDS, read at each append (tests set it per child process). */
function killAfter(): number | undefined {
  const raw = process.env[KILL_AFTER_RECORDS_ENV]
  if (!raw || !/^[1-9]\d*$/.test(raw)) return undefined
  return Number(raw)
}

/**
 * The append-only JSONL journal of a run. Each record is written with one write and fsync'd
 * before `append` returns, so a killed run loses at most the record being written.
 */
export class Journal {
  readonly path: string
  #fd: number

  constructor(path: string) {
    this.path = path
    this.#fd = openSync(path, 'a')
  }

  /** Appends one record durably. */
  append(record: JournalRecord): void {
    writeSync(this.#fd, JSON.stringify(record) + '\n')
    fsyncSync(this.#fd)
    appended++
    if (appended === killAfter()) process.kill(process.pid, 'SIGKILL')
  }

  close(): void {
    if (this.#fd >= 0) closeSync(this.#fd)
    this.#fd = -1
  }
}

/** What reading a journal found: its records and the lines it could not parse. */
export interface JournalContents {
  records: JournalRecord[]
  /** Unparseable lines (1-based). A torn last line of a killed run is expected and reported here. */
  badLines: Array<{ line: number; text: string }>
}

/** Reads a journal; a missing file is an empty journal. Never throws on a bad line. */
export function readJournal(path: string): JournalContents {
  if (!existsSync(path)) return { records: [], badLines: [] }
  const records: JournalRecord[] = []
  const badLines: JournalContents['badLines'] = []
  const lines = readFileSync(path, 'utf8').split('\n')
  lines.forEach((text, index) => {
    if (text.trim() === '') return
    try {
      const record = JSON.parse(text) as JournalRecord
      if (typeof record !== 'object' || record === null || typeof record.type !== 'string') throw new Error('not a record')
      records.push(record)
    } catch {
      badLines.push({ line: index + 1, text: text.slice(0, 200) })
    }
  })
  return { records, badLines }
}

/**
 * Cuts a torn final line (a record half-written when the run was killed) so appends start on a
 * fresh line. Returns the number of bytes removed. Called before `--resume` appends.
 */
export function repairJournal(path: string): number {
  if (!existsSync(path)) return 0
  const buffer = readFileSync(path)
  if (buffer.length === 0 || buffer[buffer.length - 1] === 0x0a) return 0
  const keep = buffer.lastIndexOf(0x0a) + 1
  truncateSync(path, keep)
  return buffer.length - keep
}
