import { holm } from '../core/metrics/holm.js'
import { pairedTwoLevelBootstrap } from '../core/metrics/two-level-bootstrap.js'
import type { Interval } from '../core/plugin-api/results.js'
import { deriveSeed } from '../core/rng.js'
import type { CellGroup, MetricName } from './groups.js'
import { metricMatrix, sharedPrompts } from './groups.js'

/** One metric at one N to compare (`n` is 1 for pass1). */
export interface MetricAt {
  metric: Exclude<MetricName, 'majorityAtN'>
  n: number
}

/** A requested comparison: `diff` will be b − a on the prompts both groups share. */
export interface ComparisonRequest extends MetricAt {
  a: CellGroup
  b: CellGroup
  /** The prompts to compare on (default: every prompt both groups hold, sharedPrompts). */
  prompts?: readonly string[]
}

/** A finished comparison, Holm-corrected within the family it was run with. */
export interface ComparisonOutcome extends MetricAt {
  a: string
  b: string
  /** Mean of b − a over seeds and shared prompts. */
  diff: number
  /** Percentile CI of the difference at `level`, resampling seeds (per system) and prompts (paired). */
  ci: Interval
  /** Bootstrap standard error of the difference (the spread the test's p-value is judged against). */
  se: number
  p: number
  pHolm: number
  /** pHolm ≤ α: the difference is real after correcting for every comparison of the family. */
  significant: boolean
  prompts: number
  seeds: [number, number]
  /** Bootstrap resamples actually used (after raising for Holm). */
  resamples: number
}

/** Knobs of {@link compareGroups}. */
export interface ComparisonOptions {
  alpha?: number
  level?: number
  /** Bootstrap resamples; raised, when needed, so that the smallest p-value can pass Holm's first step. */
  resamples?: number
  /** Cap on the raised resample count (default 20000). */
  maxResamples?: number
  seed?: number
}

/**
 * The metrics compared for a grid: pass@1, then pass@N and Bo-N at each N > 1 (at N = 1 both
 * equal pass@1 for a binary reward, so testing them again would only cost power).
 */
export function comparisonMetrics(grid: readonly number[]): MetricAt[] {
  const out: MetricAt[] = [{ metric: 'pass1', n: 1 }]
  for (const metric of ['passAtN', 'bestOfN'] as const) for (const n of grid) if (n > 1) out.push({ metric, n })
  return out
}

/** Resamples needed so that p = 1/(B+1) can survive Holm's strictest step α/m, with room to spare. */
export function resamplesFor(tests: number, alpha: number, base: number, cap = 20_000): number {
  return Math.max(base, Math.min(cap, Math.ceil((4 * tests) / alpha)))
}

/**
 * Runs paired two-level bootstraps (core/metrics) for every request and Holm-corrects the whole
 * family. Runs when results.json is built and in `bench compare`. Deterministic given `seed`:
 * each comparison draws from a stream derived from its groups, metric and N. Requests whose
 * groups share no prompt are dropped (the caller warns).
 */
export function compareGroups(requests: readonly ComparisonRequest[], options: ComparisonOptions = {}): ComparisonOutcome[] {
  const alpha = options.alpha ?? 0.05
  const level = options.level ?? 0.95
  const seed = options.seed ?? 0
  const promptsOf = (r: ComparisonRequest) => r.prompts ?? sharedPrompts(r.a, r.b)
  const usable = requests.filter((r) => promptsOf(r).length > 0)
  const resamples = resamplesFor(usable.length, alpha, options.resamples ?? 2000, options.maxResamples)
  const raw = usable.map((r) => {
    const prompts = promptsOf(r)
    const a = metricMatrix(r.a, r.metric, r.n, prompts)
    const b = metricMatrix(r.b, r.metric, r.n, prompts)
    const result = pairedTwoLevelBootstrap(b, a, { resamples, level, seed: deriveSeed(seed, r.a.groupId, r.b.groupId, r.metric, r.n) })
    return { r, prompts: prompts.length, result }
  })
  const corrected = holm(
    raw.map((x) => x.result.pValue),
    alpha,
  )
  return raw.map(({ r, prompts, result }, i) => ({
    a: r.a.groupId,
    b: r.b.groupId,
    metric: r.metric,
    n: r.n,
    diff: result.diff,
    ci: [result.lower, result.upper],
    se: result.stdErr,
    p: result.pValue,
    pHolm: corrected.adjusted[i]!,
    significant: corrected.reject[i]!,
    prompts,
    seeds: [r.a.cells.length, r.b.cells.length],
    resamples,
  }))
}
