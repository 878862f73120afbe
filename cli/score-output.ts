import type { Interval } from '../core/plugin-api/results.js'
import type { MetricCurve, PoolSummary } from '../core/metrics/pool-summary.js'
import type { BadLine } from '../core/metrics/sample-dump.js'

/**
 * What `bench score` prints: the `--json` object and the readable table, both built from one
 * PoolSummary. The JSON keys are stable (scripts read them); metrics the dump cannot support
 * (no scores: Bo-N; no answers: maj@k, distinct@k) are null.
 */

type ByK<T> = Record<string, T>

/** The `bench score --json` object. */
export interface ScoreJson {
  file: string
  /** Smallest pool size (every k ≤ n); `nMax` is the largest. */
  n: number
  nMax: number
  problems: number
  k: number[]
  threshold: number
  meanReward: number
  passAtK: ByK<number>
  bestOfN: ByK<number> | null
  majorityAtK: ByK<number> | null
  /** Standard error of maj@k from its Monte Carlo part (0 where every problem was exact). */
  majorityStdErr: ByK<number> | null
  majorityExact: ByK<boolean> | null
  distinctAtK: ByK<number> | null
  ci: {
    level: number
    resamples: number
    seed: number
    passAtK: ByK<Interval>
    bestOfN: ByK<Interval> | null
    majorityAtK: ByK<Interval> | null
  }
  skippedLines: { line: number; reason: string }[]
  notes: string[]
}

function byK<T>(ks: readonly number[], values: readonly T[]): ByK<T> {
  return Object.fromEntries(ks.map((k, j) => [String(k), values[j]!]))
}

/** Builds the `--json` object of one scored dump. */
export function scoreJson(file: string, summary: PoolSummary, badLines: readonly BadLine[]): ScoreJson {
  const ks = summary.k
  const maj = summary.majorityAtK
  return {
    file,
    n: summary.nMin,
    nMax: summary.nMax,
    problems: summary.problems,
    k: ks,
    threshold: summary.threshold,
    meanReward: summary.meanReward,
    passAtK: byK(ks, summary.passAtK.values),
    bestOfN: summary.bestOfN ? byK(ks, summary.bestOfN.values) : null,
    majorityAtK: maj ? byK(ks, maj.values) : null,
    majorityStdErr: maj ? byK(ks, maj.stdErr) : null,
    majorityExact: maj ? byK(ks, maj.exact) : null,
    distinctAtK: summary.distinctAtK ? byK(ks, summary.distinctAtK) : null,
    ci: {
      level: summary.level,
      resamples: summary.resamples,
      seed: summary.seed,
      passAtK: byK(ks, summary.passAtK.ci),
      bestOfN: summary.bestOfN ? byK(ks, summary.bestOfN.ci) : null,
      majorityAtK: maj ? byK(ks, maj.ci) : null,
    },
    skippedLines: badLines.map(({ line, reason }) => ({ line, reason })),
    notes: summary.notes,
  }
}

const fmt = (v: number): string => v.toFixed(4)
const cell = (c: MetricCurve, j: number, mark = ''): string => `${fmt(c.values[j]!)}${mark} [${fmt(c.ci[j]![0])}, ${fmt(c.ci[j]![1])}]`

/** Renders the readable table (plain text, no colour, fits 100 columns). */
export function scoreTable(file: string, summary: PoolSummary): string {
  const { k: ks, bestOfN, majorityAtK, distinctAtK } = summary
  const headers = ['k', 'pass@k']
  if (bestOfN) headers.push('Bo-k')
  if (majorityAtK) headers.push('maj@k')
  if (distinctAtK) headers.push('distinct@k')
  const rows = ks.map((k, j) => {
    const row = [String(k), cell(summary.passAtK, j)]
    if (bestOfN) row.push(cell(bestOfN, j))
    if (majorityAtK) row.push(cell(majorityAtK, j, majorityAtK.exact[j] ? '' : '*'))
    if (distinctAtK) row.push(distinctAtK[j]!.toFixed(2))
    return row
  })
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)))
  const line = (cells: string[]): string =>
    cells
      .map((v, c) => (c === 0 ? v.padStart(widths[c]!) : v.padEnd(widths[c]!)))
      .join('   ')
      .trimEnd()
  const pool = summary.nMin === summary.nMax ? `n = ${summary.nMin} samples each` : `n = ${summary.nMin}…${summary.nMax} samples (k up to ${summary.nMin})`
  const out = [
    `bench score ${file}`,
    `${summary.problems} problems · ${pool} · correct = reward ≥ ${summary.threshold} · mean reward ${fmt(summary.meanReward)}`,
    `values with ${Math.round(summary.level * 100)}% bootstrap CIs over problems (${summary.resamples} resamples, seed ${summary.seed})`,
    '',
    line(headers),
    ...rows.map(line),
  ]
  if (majorityAtK && majorityAtK.exact.some((e) => !e)) {
    const se = Math.max(...majorityAtK.stdErr)
    out.push('', `* maj@k estimated by seeded Monte Carlo on some problems (standard error ≤ ${se.toExponential(1)}); the rest is exact`)
  }
  if (bestOfN || majorityAtK) out.push('', 'Bo-k: best verifier score of k random samples, ties split evenly; maj@k: most frequent answer, ties split evenly')
  for (const note of summary.notes) out.push(`note: ${note}`)
  return `${out.join('\n')}\n`
}
