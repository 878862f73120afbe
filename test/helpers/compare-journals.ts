import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readJournal } from '../../core/run/journal.js'
import type { JournalRecord } from '../../core/run/journal-types.js'

/**
 * Keys dropped from every record before two journals are compared: wall times, and where a file
 * lives (run directories differ between runs). Everything else — losses, grad norms, pool texts
 * and verdicts, every metric, facts of prepared components — must be equal, bit for bit.
 */
const ALWAYS_IGNORED = new Set(['wallMs', 'prepareMs', 'dir'])

/** How a comparison treats the records. */
export interface CompareOptions {
  /**
   * Extra keys to drop, each with the reason in the test (e.g. `kl`: a run with `train.evalEvery`
   * adds divergence estimates that a run without it does not have).
   */
  ignore?: string[]
}

/** The first place two journals part, or undefined when they are the same record for record. */
export interface JournalDifference {
  /** 0-based record index. */
  index: number
  /** Where in the record (e.g. `result.metrics.passAtN[2]`), or `length` when one journal is shorter. */
  path: string
  expected: unknown
  actual: unknown
  /** The record's type and cell, to read the message without opening the files. */
  record: string
}

/** The records of a journal file with the ignored keys removed (deeply). Fails on a torn line. */
export function normalisedJournal(path: string, opts: CompareOptions = {}): unknown[] {
  const { records, badLines } = readJournal(path)
  if (badLines.length > 0) throw new Error(`${path}: unparseable journal lines ${badLines.map((b) => b.line).join(', ')}`)
  const ignored = new Set([...ALWAYS_IGNORED, ...(opts.ignore ?? [])])
  return records.map((r) => strip(r, ignored))
}

function strip(value: unknown, ignored: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => strip(v, ignored))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) if (!ignored.has(k)) out[k] = strip(v, ignored)
    return out
  }
  return value
}

function describe(record: unknown): string {
  const r = record as Partial<JournalRecord> & { cellId?: string; promptId?: string; name?: string; log?: { step?: number } }
  if (!r || typeof r !== 'object') return String(record)
  return [r.type, r.cellId ?? r.name, r.promptId, r.log?.step !== undefined ? `step ${r.log.step}` : undefined].filter((x) => x !== undefined).join(' ')
}

/** The first differing leaf between two JSON values, as [path, expected, actual]. */
function firstDifference(a: unknown, b: unknown, path: string): [string, unknown, unknown] | undefined {
  if (Object.is(a, b)) return undefined
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return [`${path}.length`, a.length, b.length]
      const d = firstDifference(a[i], b[i], `${path}[${i}]`)
      if (d) return d
    }
    return undefined
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k)
      if (d) return d
    }
    return undefined
  }
  return [path || '(record)', a, b]
}

/** Compares two journal files record by record after normalising; the first difference, if any. */
export function compareJournals(expectedPath: string, actualPath: string, opts: CompareOptions = {}): JournalDifference | undefined {
  const expected = normalisedJournal(expectedPath, opts)
  const actual = normalisedJournal(actualPath, opts)
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    if (i >= expected.length || i >= actual.length) {
      const extra = i >= expected.length ? actual[i] : expected[i]
      return {
        index: i,
        path: 'length',
        expected: expected.length,
        actual: actual.length,
        record: `${i >= expected.length ? 'extra' : 'missing'} ${describe(extra)}`,
      }
    }
    const d = firstDifference(expected[i], actual[i], '')
    if (d) return { index: i, path: d[0], expected: d[1], actual: d[2], record: describe(expected[i]) }
  }
  return undefined
}

/** A one-line account of a difference, for assertion messages. */
export function formatDifference(d: JournalDifference | undefined): string {
  if (!d) return 'the journals are the same record for record'
  const show = (v: unknown) => {
    const text = JSON.stringify(v)
    return text === undefined ? 'undefined' : text.length > 160 ? `${text.slice(0, 160)}…` : text
  }
  return `record ${d.index} (${d.record}) differs at ${d.path}: expected ${show(d.expected)}, got ${show(d.actual)}`
}

/** Throws, with the first difference in the message, unless the journals match record for record. */
export function expectSameJournal(expectedPath: string, actualPath: string, opts: CompareOptions = {}): void {
  const d = compareJournals(expectedPath, actualPath, opts)
  if (d) throw new Error(`journals differ: ${formatDifference(d)}\n  expected: ${expectedPath}\n  actual:   ${actualPath}`)
}

/**
 * A run's results.json without what names the run (ids, times, folders, the command line) or
 * measures wall time: what two runs of the same matrix must agree on, whatever ran them.
 */
export function comparableResults(runDir: string): unknown {
  const drop = new Set(['generatedAt', 'run', 'provenance', ...ALWAYS_IGNORED])
  return JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'), (k, v: unknown) => (drop.has(k) ? undefined : v))
}
