import { BenchError } from '../errors.js'
import type { Interval } from '../plugin-api/results.js'
import { deriveSeed } from '../rng.js'
import { bestOfN } from './best-of-n.js'
import { bootstrapCI } from './bootstrap.js'
import { distinctAtK } from './distinct-at-k.js'
import { majorityAtK } from './majority-at-k.js'
import type { MajorityOptions } from './majority-at-k.js'
import { countCorrect, passAtKCurve } from './pass-at-k.js'

/** One problem's pool as the summary needs it (a `DumpProblem` or an evaluator pool both fit). */
export interface PoolProblem {
  id: string
  samples: readonly { reward: number; score?: number; answer?: string }[]
}

/** Knobs of `summarizePools`. */
export interface PoolSummaryOptions {
  /** The k grid; default `defaultKGrid(smallest n)`. Every k must be ≤ the smallest pool. */
  ks?: readonly number[]
  /** pass@k counts reward ≥ threshold (default 1). */
  threshold?: number
  /** Seeds the bootstrap and the maj@k Monte Carlo fallback (default 0). */
  seed?: number
  resamples?: number
  level?: number
  majority?: Omit<MajorityOptions, 'seed'>
}

/** One metric over the k grid: the mean over problems, its bootstrap CI, and the per-problem values. */
export interface MetricCurve {
  values: number[]
  ci: Interval[]
  /** perProblem[i][j]: problem i at k = ks[j]. */
  perProblem: number[][]
}

/** Every metric of a set of pools over one k grid; sections absent from the data are null with a note saying why. */
export interface PoolSummary {
  problems: number
  /** Smallest and largest pool size; every k ≤ nMin. */
  nMin: number
  nMax: number
  k: number[]
  threshold: number
  level: number
  resamples: number
  seed: number
  meanReward: number
  passAtK: MetricCurve
  bestOfN: MetricCurve | null
  majorityAtK: (MetricCurve & { stdErr: number[]; exact: boolean[] }) | null
  distinctAtK: number[] | null
  notes: string[]
}

/**
 * The default k grid for pools of (smallest) size n: powers of two up to n, then n itself when it
 * is not a power of two (so the full-pool value is always shown).
 */
export function defaultKGrid(n: number): number[] {
  const ks: number[] = []
  for (let k = 1; k <= n; k *= 2) ks.push(k)
  if (ks[ks.length - 1] !== n) ks.push(n)
  return ks
}

function curve(perProblem: number[][], ks: readonly number[], boot: { seed: number; resamples: number; level: number }): MetricCurve {
  const values: number[] = []
  const ci: Interval[] = []
  ks.forEach((_, j) => {
    const column = perProblem.map((row) => row[j]!)
    const interval = bootstrapCI(column, boot)
    values.push(interval.mean)
    ci.push([interval.lower, interval.upper])
  })
  return { values, ci, perProblem }
}

/**
 * Computes pass@k, Bo-k (only when every sample has a score), maj@k and distinct@k (when any
 * sample has an answer; samples without one abstain) per problem over one k grid, averages them
 * with equal weight per problem, and attaches percentile bootstrap CIs over problems (the same
 * resampled problem sets for every metric and k). Problems may have different pool sizes; the
 * grid must fit the smallest (BENCH_USAGE names it otherwise). Deterministic given the seed.
 */
export function summarizePools(problems: readonly PoolProblem[], opts: PoolSummaryOptions = {}): PoolSummary {
  if (problems.length === 0) throw new BenchError('BENCH_USAGE', 'summarizePools: needs at least one problem')
  const threshold = opts.threshold ?? 1
  const seed = opts.seed ?? 0
  const boot = { seed, resamples: opts.resamples ?? 2000, level: opts.level ?? 0.95 }
  let smallest = problems[0]!
  let nMax = 0
  for (const p of problems) {
    if (p.samples.length < smallest.samples.length) smallest = p
    nMax = Math.max(nMax, p.samples.length)
  }
  const nMin = smallest.samples.length
  if (nMin === 0) throw new BenchError('BENCH_USAGE', `problem '${smallest.id}' has no samples`)
  const ks = [...(opts.ks ?? defaultKGrid(nMin))]
  if (ks.length === 0) throw new BenchError('BENCH_USAGE', 'the k grid is empty; give at least one k')
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1 || k > nMin) {
      throw new BenchError(
        'BENCH_USAGE',
        `k = ${k} does not fit: every k must be an integer from 1 to the smallest pool, n = ${nMin} (problem '${smallest.id}'); drop it from --k`,
      )
    }
  }

  const notes: string[] = []
  // Mean reward: the mean over problems of each pool's mean, as every other metric here and a run's
  // meanReward average over problems (a pooled mean over samples would weigh large pools more).
  let rewardSum = 0
  let sampleCount = 0
  for (const p of problems) {
    let poolSum = 0
    for (const s of p.samples) poolSum += s.reward
    rewardSum += poolSum / p.samples.length
    sampleCount += p.samples.length
  }
  const pass = problems.map((p) =>
    passAtKCurve(
      p.samples.length,
      countCorrect(
        p.samples.map((s) => s.reward),
        threshold,
      ),
      ks,
    ),
  )

  const missingScores = problems.reduce((sum, p) => sum + p.samples.filter((s) => s.score === undefined).length, 0)
  let bestCurve: MetricCurve | null = null
  if (missingScores === 0) {
    bestCurve = curve(
      problems.map((p) => bestOfN(p.samples as { reward: number; score: number }[], ks)),
      ks,
      boot,
    )
  } else if (missingScores < sampleCount) {
    notes.push(`Bo-N skipped: ${missingScores} of ${sampleCount} samples carry no score (Bo-N needs a score on every sample)`)
  }

  const answered = problems.some((p) => p.samples.some((s) => s.answer !== undefined))
  let majority: PoolSummary['majorityAtK'] = null
  let distinct: number[] | null = null
  if (answered) {
    const results = problems.map((p) => majorityAtK(p.samples, ks, { ...opts.majority, seed: deriveSeed(seed, 'maj@k', p.id) }))
    const stdErr = ks.map((_, j) => Math.sqrt(results.reduce((s, r) => s + r.stdErr[j]! ** 2, 0)) / problems.length)
    const exact = ks.map((_, j) => results.every((r) => r.exact[j]))
    majority = {
      ...curve(
        results.map((r) => r.values),
        ks,
        boot,
      ),
      stdErr,
      exact,
    }
    const perProblemDistinct = problems.map((p) => distinctAtK(p.samples, ks))
    distinct = ks.map((_, j) => perProblemDistinct.reduce((s, row) => s + row[j]!, 0) / problems.length)
    const abstaining = problems.reduce((sum, p) => sum + p.samples.filter((s) => s.answer === undefined).length, 0)
    if (abstaining > 0)
      notes.push(
        `maj@k: ${abstaining} of ${sampleCount} samples carry no answer; they abstain (take a slot, never win, unless every sample drawn abstains: then the pick is one of them)`,
      )
  }

  return {
    problems: problems.length,
    nMin,
    nMax,
    k: ks,
    threshold,
    level: boot.level,
    resamples: boot.resamples,
    seed,
    meanReward: rewardSum / problems.length,
    passAtK: curve(pass, ks, boot),
    bestOfN: bestCurve,
    majorityAtK: majority,
    distinctAtK: distinct,
    notes,
  }
}
