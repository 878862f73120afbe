import { normalQuantile } from './findings/power.js'
import type { MetricAt } from './comparisons.js'

/**
 * The statistical power of `bench compare`: which metrics of a cell are tested (the primary
 * family) and the smallest drop each test detects at 80% power. The MDE is analytic, from a
 * two-way (seed × prompt) variance decomposition of each run's `values[seed][prompt]`; see
 * docs/nightly.md.
 */

/** Power the MDE is stated at. */
export const mdePower = 0.8

/** The role of a primary metric in a cell. */
export type PrimaryRole = 'pass@1' | 'Bo-N′' | 'pass@max N'

/** A metric tested for regressions, and why it is in the family. */
export interface PrimaryMetric extends MetricAt {
  role: PrimaryRole
}

/**
 * The primary metrics of a cell: pass@1, Bo-N′ at the trained N′ (the base's cells use the N′
 * the strategies trained at, `fallbackNTrain`), and pass@N at the largest N. Metrics at other N
 * are strongly correlated with these and are reported, not tested. Duplicates (N′ = 1) are dropped.
 */
export function primaryMetrics(grid: readonly number[], nTrain: number, fallbackNTrain?: number): PrimaryMetric[] {
  const out: PrimaryMetric[] = [{ metric: 'pass1', n: 1, role: 'pass@1' }]
  const nPrime = nTrain > 1 ? nTrain : fallbackNTrain
  if (nPrime !== undefined && nPrime > 1 && grid.includes(nPrime)) out.push({ metric: 'bestOfN', n: nPrime, role: 'Bo-N′' })
  const maxN = Math.max(...grid)
  if (maxN > 1) out.push({ metric: 'passAtN', n: maxN, role: 'pass@max N' })
  return out
}

/** Variance components of one run's `values[seed][prompt]` (two-way ANOVA without replication). */
export interface VarianceParts {
  seeds: number
  prompts: number
  /** σ²_seed: how much a cell's mean moves from training seed to training seed (0 when not estimable). */
  seedVariance: number
  /** σ²_res: seed × prompt interaction plus sampling noise, per (seed, prompt) value. */
  residualVariance: number
  /** Variance of the run's grand mean once prompt effects cancel by pairing: σ²_seed/S + σ²_res/(S·P). */
  pairedVariance: number
  /** False with one seed: training noise cannot be estimated and `pairedVariance` leaves it out. */
  seedNoiseKnown: boolean
}

/** Decomposes `values[seed][prompt]` into seed and residual variance (method of moments). Pure. */
export function varianceParts(values: readonly (readonly number[])[]): VarianceParts {
  const S = values.length
  const P = values[0]?.length ?? 0
  if (S === 0 || P === 0) return { seeds: S, prompts: P, seedVariance: 0, residualVariance: 0, pairedVariance: 0, seedNoiseKnown: false }
  const rows = values.map((r) => r.reduce((s, v) => s + v, 0) / P)
  const cols = Array.from({ length: P }, (_, p) => values.reduce((s, r) => s + r[p]!, 0) / S)
  const grand = rows.reduce((s, v) => s + v, 0) / S
  if (S === 1) {
    // One seed: no residual degrees of freedom; the spread of per-prompt values around their mean
    // would include prompt difficulty, which pairing cancels, so nothing honest can be said.
    return { seeds: 1, prompts: P, seedVariance: 0, residualVariance: 0, pairedVariance: 0, seedNoiseKnown: false }
  }
  let ssRes = 0
  for (let s = 0; s < S; s++) for (let p = 0; p < P; p++) ssRes += (values[s]![p]! - rows[s]! - cols[p]! + grand) ** 2
  const msRes = P > 1 ? ssRes / ((S - 1) * (P - 1)) : 0
  const msSeed = (P * rows.reduce((s, r) => s + (r - grand) ** 2, 0)) / (S - 1)
  const seedVariance = Math.max(0, (msSeed - msRes) / P)
  return { seeds: S, prompts: P, seedVariance, residualVariance: msRes, pairedVariance: seedVariance / S + msRes / (S * P), seedNoiseKnown: true }
}

/** The detectable effect of one tested comparison. */
export interface DetectableEffect {
  /** Standard error of new − base under "no change", both runs' variance parts summed (analytic). */
  se: number
  /** The standard error the test judges its difference against (the bootstrap's), when given. */
  testSe?: number
  /** Smallest drop (in [0, 1] units) detected with probability {@link mdePower} at `alpha`. */
  mde: number
  /** The two-sided level each test is held to: α/m, Holm's strictest step over the m primary tests. */
  alpha: number
  /** False when a run has one seed: the MDE leaves training noise out and is a lower bound. */
  seedNoiseKnown: boolean
}

/**
 * The MDE of comparing `next` with `base` (each `values[seed][prompt]` on the same prompts).
 * SE = √(V_base + V_next) with V = σ²_seed/S + σ²_res/(S·P) is how much the difference really
 * varies; the test rejects once |diff| > z(1 − α/2m)·SE_test, with SE_test the bootstrap's (which
 * counts the seed × prompt residual at both levels, so it runs up to √2 wider). The drop detected
 * with probability 0.8 is then MDE = z(1 − α/2m)·SE_test + z(0.8)·SE; without `testSe`,
 * (z(1 − α/2m) + z(0.8))·SE. Pure.
 */
export function detectableEffect(
  base: readonly (readonly number[])[],
  next: readonly (readonly number[])[],
  familyAlpha: number,
  tests: number,
  testSe?: number,
): DetectableEffect {
  const a = varianceParts(base)
  const b = varianceParts(next)
  const se = Math.sqrt(a.pairedVariance + b.pairedVariance)
  const m = Math.max(1, tests)
  const mde = normalQuantile(1 - familyAlpha / (2 * m)) * (testSe ?? se) + normalQuantile(mdePower) * se
  return { se, ...(testSe !== undefined ? { testSe } : {}), mde, alpha: familyAlpha / m, seedNoiseKnown: a.seedNoiseKnown && b.seedNoiseKnown }
}
