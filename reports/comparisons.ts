import { BenchError } from '../core/errors.js'
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
  /** Cap on the raised resample count (default 20000); never below what lets the smallest p pass Holm's first step (resamplesFor). */
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

/**
 * The most resamples {@link resamplesFor} raises a family to on its own: 10 × the default cap, about
 * 1.6 MB of replicates per comparison and ten times the default's time. A family that needs more
 * is refused rather than run for a long time.
 */
export const resampleLimit = 200_000

/** `x` rounded up to two significant digits (an α that is surely large enough, printed short). */
function roundUp(x: number): number {
  const step = 10 ** (Math.floor(Math.log10(x)) - 1)
  return Number((Math.ceil(x / step) * step).toPrecision(2))
}

/**
 * Resamples for a Holm family of `tests` at `alpha`, starting from the `base` asked for. A bootstrap
 * p-value is at least 1/(B + 1), and Holm's first step rejects only p ≤ α/m, so B + 1 ≥ m/α is the
 * least that lets anything be significant. The count is raised to 4m/α (room to spare), capped at
 * `cap`, but never below ⌈2m/α⌉, which keeps a factor of 2 over that least: a cap that would make
 * every rejection impossible does not apply. Where ⌈2m/α⌉ exceeds {@link resampleLimit} (and `base`
 * is smaller), throws BENCH_USAGE naming --alpha and --resamples. Pure.
 */
export function resamplesFor(tests: number, alpha: number, base: number, cap = 20_000): number {
  const least = Math.ceil((2 * tests) / alpha)
  const raised = Math.max(least, Math.min(cap, Math.ceil((4 * tests) / alpha)))
  if (least > resampleLimit && base < least) {
    throw new BenchError(
      'BENCH_USAGE',
      `α = ${alpha} over a family of ${tests} tests: Holm's first step rejects only p ≤ α/${tests}, and a bootstrap p-value is at least 1/(resamples + 1), ` +
        `so nothing could be significant with fewer than ${least} resamples, more than the ${resampleLimit} bench raises to on its own. ` +
        `Use --alpha ${roundUp((2 * tests) / resampleLimit)} or larger (in a config, the json reporter's alpha), or ask for that many with --resamples ${least} (slow: time grows with the resamples).`,
    )
  }
  return Math.max(base, raised)
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
