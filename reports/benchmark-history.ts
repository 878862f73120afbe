import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { BenchmarkFile, BenchmarkRecord } from '../core/benchmark-format.js'
import { readBenchmarkResultsFiles } from '../core/benchmark-format.js'
import { BenchError } from '../core/errors.js'

/**
 * A benchmark number over earlier nights: the values of one record (suite › case › metric) in the
 * benchmark files of a history folder, and whether tonight's value left the band those values
 * drew. What the nightly shows for each ratio (issue 17), and how it tells a regression from the
 * night-to-night noise of a shared machine, which tinybench's within-run margin does not see.
 */

/** Fewest earlier values on a comparable machine for the history to judge a record. */
export const MIN_HISTORY = 3

/** How many robust standard deviations (1.4826 × MAD) from the median count as beyond noise. */
export const HISTORY_SIGMAS = 3

/** One earlier value of a record. */
export interface TrendPoint {
  createdAt: string
  commit?: string
  value: number
}

/** A record's history and tonight's value judged against it. */
export interface BenchmarkTrend {
  /** Earlier values on a machine like tonight's, oldest first (tonight's is `next`). */
  points: TrendPoint[]
  next: number
  /** Median of `points` (undefined below MIN_HISTORY values, or when it is 0). */
  median?: number
  /** Tonight against the median in percent, signed so that negative is worse. */
  changePct?: number
  /** The noise band in percent: max(threshold, HISTORY_SIGMAS robust SDs, tonight's own rme). */
  bandPct?: number
  /**
   * 'short': fewer than MIN_HISTORY comparable values (or a zero median), so the base run alone
   * judges the record; otherwise tonight against the band.
   */
  status: 'ok' | 'regression' | 'improvement' | 'short'
  /** The record's goal (`params.goal`, or `params.aim` for a ceiling) and whether tonight meets it. */
  goal?: { value: number; met: boolean }
}

/** Every `*.json` file under `folder`, at any depth, in path order. */
async function jsonFilesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true })
  const files: string[] = []
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(folder, entry.name)
    if (entry.isDirectory()) files.push(...(await jsonFilesUnder(full)))
    else if (entry.name.endsWith('.json')) files.push(full)
  }
  return files
}

/**
 * Loads a history: every benchmark results file under `folder` (one subfolder per night, as the
 * nightly workflow keeps them, or the files side by side). Files not in the format are skipped
 * with a warning naming them; the same file found twice (same suite and time) counts once.
 * Throws BENCH_DATA_MISSING when the folder does not exist.
 */
export async function loadBenchmarkHistory(folder: string): Promise<{ files: BenchmarkFile[]; warnings: string[] }> {
  try {
    if (!(await stat(folder)).isDirectory()) throw new Error('not a folder')
  } catch (error) {
    throw new BenchError(
      'BENCH_DATA_MISSING',
      `benchmark history not found at ${folder}; pass a folder that holds earlier nights' benchmark results (<night>/<suite>.json)`,
      { cause: error },
    )
  }
  const read = await readBenchmarkResultsFiles(await jsonFilesUnder(folder))
  const files = read.files
  const warnings = read.warnings.map((w) => `history: ${w}`)
  if (files.length === 0) warnings.push(`history: no benchmark results under ${folder}; each record is judged against the base run alone`)
  return { files, warnings }
}

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const ascending = (a: number, b: number) => a - b

/** The goal a record names in its params, if any, and whether `value` meets it. */
function goalOf(record: Pick<BenchmarkRecord, 'params' | 'higherIsBetter'>, value: number): BenchmarkTrend['goal'] {
  const goal = record.params?.goal ?? record.params?.aim
  if (typeof goal !== 'number') return undefined
  return { value: goal, met: record.higherIsBetter ? value >= goal : value <= goal }
}

/**
 * Judges tonight's `record` against its earlier values `points` (comparable machines only, any
 * order). Below MIN_HISTORY values the status is 'short'. Otherwise the band is the largest of
 * `thresholdPct`, HISTORY_SIGMAS robust standard deviations of the history (1.4826 × the median
 * absolute deviation, in percent of the median) and tonight's own rme; a value worse than the
 * median by more than the band regresses, better by more than it improves. Pure.
 */
export function judgeTrend(record: BenchmarkRecord, points: readonly TrendPoint[], thresholdPct: number): BenchmarkTrend {
  const ordered = [...points].sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  const trend: BenchmarkTrend = { points: ordered, next: record.value, status: 'short' }
  const goal = goalOf(record, record.value)
  if (goal) trend.goal = goal
  if (ordered.length < MIN_HISTORY) return trend
  const values = ordered.map((p) => p.value).sort(ascending)
  const center = median(values)
  if (center === 0) return trend
  const mad = median(values.map((v) => Math.abs(v - center)).sort(ascending))
  const raw = ((record.value - center) / Math.abs(center)) * 100
  const changePct = record.higherIsBetter ? raw : -raw
  const bandPct = Math.max(thresholdPct, (HISTORY_SIGMAS * 1.4826 * mad * 100) / Math.abs(center), record.rme ?? 0)
  const status = changePct < -bandPct ? 'regression' : changePct > bandPct ? 'improvement' : 'ok'
  return { ...trend, median: center, changePct, bandPct, status }
}

/** The name of one benchmark number across files: `suite › case › metric`. */
export function recordKey(suite: string, record: Pick<BenchmarkRecord, 'case' | 'metric'>): string {
  return `${suite} › ${record.case} › ${record.metric}`
}

/** What tells one results file from another: its suite, when it was written, and at which commit. */
export function benchmarkFileId(file: BenchmarkFile): string {
  return `${file.suite}\n${file.createdAt}\n${file.git?.commit ?? ''}`
}

/**
 * The earlier values of every record, keyed by `suite › case › metric`, from `files` (history and
 * base run together); a file counts once however often it appears (same suite, time and commit).
 * `comparable(file)` keeps only files from machines like tonight's.
 */
export function historyPoints(files: readonly BenchmarkFile[], comparable: (file: BenchmarkFile) => boolean): Map<string, TrendPoint[]> {
  const seen = new Set<string>()
  const points = new Map<string, TrendPoint[]>()
  for (const file of files) {
    const id = benchmarkFileId(file)
    if (seen.has(id) || !comparable(file)) continue
    seen.add(id)
    for (const record of file.records) {
      const key = recordKey(file.suite, record)
      const list = points.get(key) ?? []
      list.push({ createdAt: file.createdAt, ...(file.git ? { commit: file.git.commit } : {}), value: record.value })
      points.set(key, list)
    }
  }
  return points
}

const BARS = '▁▂▃▄▅▆▇█'

/** A one-line chart of `values` (oldest first), scaled between their minimum and maximum. */
export function sparkline(values: readonly number[]): string {
  const lo = Math.min(...values)
  const hi = Math.max(...values)
  return values.map((v) => BARS[hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))]).join('')
}
