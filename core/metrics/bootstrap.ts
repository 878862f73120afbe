import { BenchError } from '../errors.js'
import { createRng } from '../rng.js'

/** Shared knobs of every bootstrap here. Defaults: seed 0, 2000 resamples, level 0.95. */
export interface BootstrapOptions {
  seed?: number
  resamples?: number
  /** Two-sided coverage of the interval, in (0, 1). */
  level?: number
}

/** A percentile bootstrap interval for a mean. */
export interface BootstrapInterval {
  /** The statistic on the original data (the plain mean). */
  mean: number
  lower: number
  upper: number
  /** Standard deviation of the bootstrap means. */
  stdErr: number
  level: number
  resamples: number
}

/** A paired comparison of two systems: the mean difference a − b, its interval and a two-sided p-value. */
export interface PairedComparison {
  diff: number
  lower: number
  upper: number
  stdErr: number
  /**
   * Two-sided bootstrap p-value for "no difference": the share of resampled differences, shifted
   * to mean zero, at least as far from zero as the observed one; (1 + hits)/(1 + resamples), so never 0.
   */
  pValue: number
  level: number
  resamples: number
}

/** Resolved options; throws BENCH_USAGE naming the bad one. Runs at the top of every bootstrap. */
export function resolveBootstrapOptions(opts: BootstrapOptions): Required<BootstrapOptions> {
  const resolved = { seed: opts.seed ?? 0, resamples: opts.resamples ?? 2000, level: opts.level ?? 0.95 }
  if (!Number.isInteger(resolved.resamples) || resolved.resamples < 2) {
    throw new BenchError('BENCH_USAGE', `bootstrap: resamples must be an integer ≥ 2 (got ${resolved.resamples})`)
  }
  if (!(resolved.level > 0 && resolved.level < 1)) {
    throw new BenchError('BENCH_USAGE', `bootstrap: level must lie strictly between 0 and 1 (got ${resolved.level})`)
  }
  return resolved
}

/** Checks a vector of per-prompt values: non-empty and finite. */
export function assertValues(values: readonly number[], what: string): void {
  if (values.length === 0) throw new BenchError('BENCH_USAGE', `${what}: needs at least one value`)
  for (const v of values) if (!Number.isFinite(v)) throw new BenchError('BENCH_USAGE', `${what}: every value must be finite (got ${v})`)
}

/** The q-quantile of ascending `sorted` by linear interpolation between order statistics. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

/** Interval, standard error and two-sided shifted p-value from bootstrap replicates of a statistic. */
export function summarizeReplicates(estimate: number, replicates: Float64Array, level: number): Omit<PairedComparison, 'diff' | 'level' | 'resamples'> {
  const B = replicates.length
  let sum = 0
  for (const r of replicates) sum += r
  const centre = sum / B
  let sq = 0
  let hits = 0
  const tol = 1e-12 * Math.max(1, Math.abs(estimate))
  for (const r of replicates) {
    sq += (r - centre) ** 2
    if (Math.abs(r - estimate) >= Math.abs(estimate) - tol) hits++
  }
  const sorted = Float64Array.from(replicates).sort()
  const alpha = (1 - level) / 2
  return {
    lower: quantileSorted(sorted, alpha),
    upper: quantileSorted(sorted, 1 - alpha),
    stdErr: Math.sqrt(sq / (B - 1)),
    pValue: (1 + hits) / (1 + B),
  }
}

function mean(values: readonly number[]): number {
  let s = 0
  for (const v of values) s += v
  return s / values.length
}

/**
 * Percentile bootstrap CI of the mean of per-prompt values (resampling prompts with
 * replacement). Seeded: the same inputs and seed give the same interval. O(resamples · prompts).
 */
export function bootstrapCI(perPromptValues: readonly number[], opts: BootstrapOptions = {}): BootstrapInterval {
  const { seed, resamples, level } = resolveBootstrapOptions(opts)
  assertValues(perPromptValues, 'bootstrapCI')
  const P = perPromptValues.length
  const rng = createRng(seed)
  const replicates = new Float64Array(resamples)
  for (let b = 0; b < resamples; b++) {
    let s = 0
    for (let i = 0; i < P; i++) s += perPromptValues[rng.int(P)]!
    replicates[b] = s / P
  }
  const m = mean(perPromptValues)
  const { lower, upper, stdErr } = summarizeReplicates(m, replicates, level)
  return { mean: m, lower, upper, stdErr, level, resamples }
}

/**
 * Paired bootstrap of the mean difference a − b of two systems measured on the same prompts
 * (a[i] and b[i] belong to prompt i): resamples prompts, keeping each pair together, so
 * prompt difficulty cancels. Returns the difference, its percentile CI and a two-sided p-value.
 * Throws BENCH_USAGE when the lengths differ.
 */
export function pairedBootstrap(a: readonly number[], b: readonly number[], opts: BootstrapOptions = {}): PairedComparison {
  const { seed, resamples, level } = resolveBootstrapOptions(opts)
  if (a.length !== b.length) {
    throw new BenchError('BENCH_USAGE', `pairedBootstrap: both systems need a value for the same prompts (got ${a.length} and ${b.length})`)
  }
  assertValues(a, 'pairedBootstrap')
  assertValues(b, 'pairedBootstrap')
  const d = a.map((v, i) => v - b[i]!)
  const P = d.length
  const rng = createRng(seed)
  const replicates = new Float64Array(resamples)
  for (let r = 0; r < resamples; r++) {
    let s = 0
    for (let i = 0; i < P; i++) s += d[rng.int(P)]!
    replicates[r] = s / P
  }
  const diff = mean(d)
  return { diff, ...summarizeReplicates(diff, replicates, level), level, resamples }
}
