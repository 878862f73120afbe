import { join } from 'node:path'
import { parseJournal, readJournalBytes } from '../core/run/journal.js'
import { runFiles } from '../core/run/run-record.js'

/** Where a run's journal was cut: its last line is a record half-written when the run was killed. */
export interface JournalCut {
  /** The journal file. */
  journal: string
  /** The torn line's number (1-based). */
  line: number
}

/** True for the bytes `parseJournal` trims from an empty line (space, tab, CR, LF). */
const blank = (byte: number) => byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a

/**
 * The torn last line of a run's journal, or undefined when its last record is whole (or the
 * journal is missing or empty). `readRun` drops such a line silently, as a resume must; `bench
 * compare` calls this to say so, since for a base run it means a record the comparison lacks.
 * Parses only the last non-empty line, with the one journal parser (a torn line is one that does
 * not parse as a record), so a long journal is not parsed twice. Reads the file; writes nothing.
 */
export function journalCut(runDir: string): JournalCut | undefined {
  const journal = join(runDir, runFiles.journal)
  const bytes = readJournalBytes(journal)
  let end = bytes.length
  while (end > 0 && blank(bytes[end - 1]!)) end--
  if (end === 0) return undefined
  const start = bytes.lastIndexOf(0x0a, end - 1) + 1
  if (!parseJournal(bytes.subarray(start, end).toString('utf8')).torn) return undefined
  let line = 1
  for (let at = bytes.indexOf(0x0a); at !== -1 && at < start; at = bytes.indexOf(0x0a, at + 1)) line++
  return { journal, line }
}
