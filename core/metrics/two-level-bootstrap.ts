import { BenchError } from '../errors.js'
import { createRng } from '../rng.js'
import type { Rng } from '../plugin-api/common.js'
import type { BootstrapInterval, BootstrapOptions, PairedComparison } from './bootstrap.js'
import { assertValues, resolveBootstrapOptions, summarizeReplicates } from './bootstrap.js'

/**
 * Two-level (hierarchical) bootstrap for results that vary over both training seeds and prompts:
 * `values[seed][prompt]`. Each replicate resamples seeds with replacement and, independently,
 * prompts with replacement, then averages the chosen cells — so the interval carries
 * seed-to-seed (training) noise as well as prompt sampling noise. With one seed it is the plain
 * prompt bootstrap.
 */

/** Options of the two-level bootstraps. */
export interface TwoLevelOptions extends BootstrapOptions {
  /**
   * Paired comparisons only: resample the same seed indices for both systems (default false).
   * Set it when seed s of both systems shares its randomness (same data order and sample seeds).
   */
  pairSeeds?: boolean
}

function checkGrid(values: readonly (readonly number[])[], what: string): number {
  if (values.length === 0) throw new BenchError('BENCH_USAGE', `${what}: needs values for at least one seed`)
  const P = values[0]!.length
  for (const row of values) {
    if (row.length !== P) throw new BenchError('BENCH_USAGE', `${what}: every seed needs a value for the same prompts (rows of ${P} and ${row.length})`)
    assertValues(row, what)
  }
  return P
}

function grandMean(values: readonly (readonly number[])[]): number {
  let s = 0
  for (const row of values) for (const v of row) s += v
  return s / (values.length * values[0]!.length)
}

/** Prompt multiplicities of one resample. */
function drawPromptWeights(rng: Rng, P: number, into: Float64Array): void {
  into.fill(0)
  for (let i = 0; i < P; i++) into[rng.int(P)]++
}

function drawSeeds(rng: Rng, S: number): number[] {
  return Array.from({ length: S }, () => rng.int(S))
}

function weightedMean(values: readonly (readonly number[])[], seeds: readonly number[], weights: Float64Array): number {
  const P = weights.length
  let s = 0
  for (const seed of seeds) {
    const row = values[seed]!
    for (let p = 0; p < P; p++) if (weights[p] !== 0) s += weights[p]! * row[p]!
  }
  return s / (seeds.length * P)
}

/** Percentile CI of the grand mean of `values[seed][prompt]`, resampling seeds and prompts. Seeded. */
export function twoLevelBootstrapCI(values: readonly (readonly number[])[], opts: BootstrapOptions = {}): BootstrapInterval {
  const { seed, resamples, level } = resolveBootstrapOptions(opts)
  const P = checkGrid(values, 'twoLevelBootstrapCI')
  const rng = createRng(seed)
  const weights = new Float64Array(P)
  const replicates = new Float64Array(resamples)
  for (let r = 0; r < resamples; r++) {
    const seeds = drawSeeds(rng, values.length)
    drawPromptWeights(rng, P, weights)
    replicates[r] = weightedMean(values, seeds, weights)
  }
  const mean = grandMean(values)
  const { lower, upper, stdErr } = summarizeReplicates(mean, replicates, level)
  return { mean, lower, upper, stdErr, level, resamples }
}

/**
 * Paired two-level comparison of systems a and b on the same prompts, each given as
 * `values[seed][prompt]` (the seed counts may differ). Every replicate draws one prompt resample
 * shared by both systems (the pairing) and a seed resample per system (shared when `pairSeeds`).
 * Returns the grand-mean difference a − b, its CI and a two-sided p-value.
 */
export function pairedTwoLevelBootstrap(a: readonly (readonly number[])[], b: readonly (readonly number[])[], opts: TwoLevelOptions = {}): PairedComparison {
  const { seed, resamples, level } = resolveBootstrapOptions(opts)
  const P = checkGrid(a, 'pairedTwoLevelBootstrap')
  if (checkGrid(b, 'pairedTwoLevelBootstrap') !== P) {
    throw new BenchError('BENCH_USAGE', `pairedTwoLevelBootstrap: both systems need values for the same prompts (${P} and ${b[0]!.length})`)
  }
  if (opts.pairSeeds && a.length !== b.length) {
    throw new BenchError('BENCH_USAGE', `pairedTwoLevelBootstrap: pairSeeds needs the same seeds for both systems (${a.length} and ${b.length})`)
  }
  const rng = createRng(seed)
  const weights = new Float64Array(P)
  const replicates = new Float64Array(resamples)
  for (let r = 0; r < resamples; r++) {
    const seedsA = drawSeeds(rng, a.length)
    const seedsB = opts.pairSeeds ? seedsA : drawSeeds(rng, b.length)
    drawPromptWeights(rng, P, weights)
    replicates[r] = weightedMean(a, seedsA, weights) - weightedMean(b, seedsB, weights)
  }
  const diff = grandMean(a) - grandMean(b)
  return { diff, ...summarizeReplicates(diff, replicates, level), level, resamples }
}
