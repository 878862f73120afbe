import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { BenchmarkFile, MachineFacts } from '../core/benchmark-format.js'
import { readBenchmarkResultsFiles } from '../core/benchmark-format.js'
import { BenchError } from '../core/errors.js'
import type { BenchmarkTrend } from './benchmark-history.js'
import { MIN_HISTORY, benchmarkFileId, historyPoints, judgeTrend, recordKey } from './benchmark-history.js'

/** One benchmark number compared between two result sets (matched by suite, case, metric). */
export interface BenchmarkDiff {
  suite: string
  case: string
  metric: string
  unit: string
  higherIsBetter: boolean
  base: number
  next: number
  /** Relative change in percent, signed so that negative is worse (whatever the direction). */
  changePct: number
  /**
   * The noise allowance used: the larger of the threshold and the two runs' summed rme, or, when
   * the history judged the record, its band (benchmark-history.ts).
   */
  allowancePct: number
  status: 'ok' | 'regression' | 'improvement' | 'not-comparable'
  /** What judged the record: the base run alone, or the history (enough earlier values). */
  judgedBy: 'base' | 'history'
  /** The record's earlier values and tonight's against them, when a history was given. */
  history?: BenchmarkTrend
  /** Earlier nights of this record from a machine like tonight's: the base run's and the history's. */
  nights: number
  /**
   * Set when the record's status does not count in the verdict: judged against the base run alone
   * (fewer than MIN_HISTORY earlier nights) without `strict`, e.g. 'not judged: 1 of 3 nights of
   * history'. Its status is still reported.
   */
  notJudged?: string
}

/** All benchmark differences, and what could not be matched. */
export interface BenchmarkComparison {
  thresholdPct: number
  diffs: BenchmarkDiff[]
  /**
   * Regressions on comparable machines that count (these fail `--fail-on-regression`): those the
   * history judged, and, with `strict`, those judged against the base run alone.
   */
  regressions: BenchmarkDiff[]
  /** Records worse than the base run beyond their allowance but not judged (too little history, not strict): reported only. */
  notJudged: BenchmarkDiff[]
  /** Whether a record judged against the base run alone counts (`bench compare --bench-strict`). */
  strict: boolean
  onlyInBase: string[]
  onlyInNext: string[]
  /** Suites whose machines differ (CPU model or count, backend): their regressions are shown, not counted. */
  machineMismatch: string[]
  /** How many benchmark files the history held, when one was given. */
  historyFiles?: number
  warnings: string[]
}

/**
 * Loads every benchmark results file of a folder (`*.json` in the shared format), or one file.
 * Files that are not in the format are skipped with a warning naming them. Throws
 * BENCH_DATA_MISSING when the path does not exist.
 */
export async function loadBenchmarkSet(target: string): Promise<{ files: BenchmarkFile[]; warnings: string[] }> {
  let info
  try {
    info = await stat(target)
  } catch (error) {
    throw new BenchError('BENCH_DATA_MISSING', `benchmark results not found at ${target}; pass a folder of <suite>.json files or one file`, { cause: error })
  }
  const paths = info.isDirectory()
    ? (await readdir(target))
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => path.join(target, f))
    : [target]
  return readBenchmarkResultsFiles(paths)
}

function sameMachine(a: MachineFacts, b: MachineFacts): boolean {
  return a.cpuModel === b.cpuModel && a.cpus === b.cpus && a.arch === b.arch && (a.backend ?? '') === (b.backend ?? '')
}

/** Knobs of {@link compareBenchmarks}. */
export interface CompareBenchmarksOptions {
  /**
   * Let a record judged against the base run alone (fewer than MIN_HISTORY earlier nights on a
   * like machine) count in the verdict. Default true here; `bench compare` passes false unless
   * `--bench-strict`: one night against one other night is mostly the shared machine's noise.
   */
  strict?: boolean
}

/**
 * Compares two sets of benchmark results record by record. A record regresses when it got worse
 * (in its own direction) by more than max(thresholdPct, rme_base + rme_new) percent — a change
 * inside the measurement's own noise is never called. Records of suites measured on different
 * machines are marked 'not-comparable' and never counted. Runs in `bench compare`.
 *
 * With a `history` (earlier nights' files, `bench compare --bench-history`), each record also gets
 * its earlier values from machines like tonight's (history and base run together), and once there
 * are MIN_HISTORY of them the history judges it instead of the base run alone: a regression is
 * then a value beyond the band those nights drew (benchmark-history.ts's judgeTrend).
 *
 * Without `options.strict`, a record judged against the base run alone is reported with its status
 * but marked `notJudged` ('not judged: N of 3 nights of history') and never counted in `regressions`.
 */
export function compareBenchmarks(
  base: readonly BenchmarkFile[],
  next: readonly BenchmarkFile[],
  thresholdPct = 10,
  history?: readonly BenchmarkFile[],
  options: CompareBenchmarksOptions = {},
): BenchmarkComparison {
  const strict = options.strict ?? true
  const index = (files: readonly BenchmarkFile[]) => {
    const map = new Map<string, { file: BenchmarkFile; record: BenchmarkFile['records'][number] }>()
    for (const file of files) for (const record of file.records) map.set(recordKey(file.suite, record), { file, record })
    return map
  }
  const a = index(base)
  const b = index(next)
  const machineMismatch = new Set<string>()
  const warnings: string[] = []
  const diffs: BenchmarkDiff[] = []
  // Earlier values per record, from the files of machines like tonight's for that suite (tonight's
  // own file excluded: a history folder that already holds it must not judge it by itself).
  const pointsBySuite = new Map<string, ReturnType<typeof historyPoints>>()
  const pointsOf = (tonight: BenchmarkFile) => {
    let points = pointsBySuite.get(tonight.suite)
    if (!points) {
      points = historyPoints(
        [...(history ?? []), ...base],
        (f) => f.suite === tonight.suite && sameMachine(f.machine, tonight.machine) && benchmarkFileId(f) !== benchmarkFileId(tonight),
      )
      pointsBySuite.set(tonight.suite, points)
    }
    return points
  }
  for (const [key, { file, record }] of a) {
    const other = b.get(key)
    if (!other) continue
    const comparable = sameMachine(file.machine, other.file.machine)
    if (!comparable) machineMismatch.add(file.suite)
    const raw = record.value === 0 ? 0 : ((other.record.value - record.value) / Math.abs(record.value)) * 100
    const changePct = record.higherIsBetter ? raw : -raw
    const allowancePct = Math.max(thresholdPct, (record.rme ?? 0) + (other.record.rme ?? 0))
    let status: BenchmarkDiff['status'] = 'ok'
    if (record.unit !== other.record.unit) {
      status = 'not-comparable'
      warnings.push(`${key}: unit changed from ${record.unit} to ${other.record.unit}`)
    } else if (changePct < -allowancePct) status = comparable ? 'regression' : 'not-comparable'
    else if (changePct > allowancePct) status = comparable ? 'improvement' : 'not-comparable'
    const trend = history ? judgeTrend(other.record, pointsOf(other.file).get(key) ?? [], thresholdPct) : undefined
    const byHistory = trend !== undefined && trend.status !== 'short' && record.unit === other.record.unit
    if (byHistory) status = trend.status as BenchmarkDiff['status']
    // Without a history, the base run is the one earlier night (on a like machine).
    const nights = trend ? trend.points.length : comparable ? 1 : 0
    const notJudged =
      strict || byHistory || status === 'not-comparable'
        ? undefined
        : nights < MIN_HISTORY
          ? `not judged: ${nights} of ${MIN_HISTORY} nights of history`
          : 'not judged: the earlier nights have a median of 0'
    diffs.push({
      suite: file.suite,
      case: record.case,
      metric: record.metric,
      unit: record.unit,
      higherIsBetter: record.higherIsBetter,
      base: record.value,
      next: other.record.value,
      changePct,
      allowancePct: byHistory ? trend.bandPct! : allowancePct,
      status,
      judgedBy: byHistory ? 'history' : 'base',
      ...(trend ? { history: trend } : {}),
      nights,
      ...(notJudged ? { notJudged } : {}),
    })
  }
  return {
    thresholdPct,
    diffs,
    regressions: diffs.filter((d) => d.status === 'regression' && !d.notJudged),
    notJudged: diffs.filter((d) => d.status === 'regression' && d.notJudged),
    strict,
    onlyInBase: [...a.keys()].filter((k) => !b.has(k)),
    onlyInNext: [...b.keys()].filter((k) => !a.has(k)),
    machineMismatch: [...machineMismatch],
    ...(history ? { historyFiles: history.length } : {}),
    warnings,
  }
}
