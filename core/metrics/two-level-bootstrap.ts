import { BenchError } from '../errors.js'
import { IntDraws } from '../rng.js'
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

/**
 * The hot loops below add `weight × value` over **every** prompt, zero weights included, in prompt
 * order. That is bit-identical to the definition, which skips the prompts not drawn: values are
 * finite (assertValues), so a skipped term is 0 × v = ±0, and adding ±0 leaves a running sum that
 * starts at +0 unchanged (it is never −0: an exact cancellation rounds to +0). Summing densely is
 * faster than compacting each resample to the drawn prompts first, whose data-dependent branch
 * the processor mispredicts about once in three prompts. test/unit/metrics/two-level-bootstrap-exact
 * pins the identity against the plain definition.
 */

/** Prompt multiplicities of one resample (P prompts drawn with replacement), into `into`. */
function drawPromptWeights(draws: IntDraws, into: Float64Array): void {
  into.fill(0)
  draws.count(into.length, into.length, into)
}

/** The rows of `values` as Float64Arrays (the same doubles; faster to index in the hot loop). */
export function asRows(values: readonly (readonly number[])[]): Float64Array[] {
  return values.map((row) => Float64Array.from(row))
}

/**
 * Σ over the drawn seeds, in draw order, of Σ_p factor[p] × row[p] over every prompt, as one
 * running sum (the hot loop of every bootstrap here). `factor` is the resample's prompt weights,
 * or per-prompt products of them computed once per resample.
 */
export function weightedSum(values: readonly Float64Array[], seeds: Int32Array, factor: Float64Array): number {
  const P = factor.length
  let s = 0
  for (let i = 0; i < seeds.length; i++) {
    const row = values[seeds[i]!]!
    for (let p = 0; p < P; p++) s += factor[p]! * row[p]!
  }
  return s
}

/**
 * weightedSum for two systems over the same prompt weights, written into `out` ([a, b]). With as
 * many seeds drawn for both, one loop runs the two running sums side by side: each is the same
 * chain of additions as its own weightedSum (bit-identical), and the processor overlaps the two.
 * Otherwise two weightedSum calls.
 */
export function pairedWeightedSums(
  valuesA: readonly Float64Array[],
  seedsA: Int32Array,
  valuesB: readonly Float64Array[],
  seedsB: Int32Array,
  factor: Float64Array,
  out: Float64Array,
): void {
  if (seedsA.length !== seedsB.length) {
    out[0] = weightedSum(valuesA, seedsA, factor)
    out[1] = weightedSum(valuesB, seedsB, factor)
    return
  }
  const P = factor.length
  let a = 0
  let b = 0
  for (let i = 0; i < seedsA.length; i++) {
    const rowA = valuesA[seedsA[i]!]!
    const rowB = valuesB[seedsB[i]!]!
    for (let p = 0; p < P; p++) {
      const f = factor[p]!
      a += f * rowA[p]!
      b += f * rowB[p]!
    }
  }
  out[0] = a
  out[1] = b
}

/**
 * pairedWeightedSums for two resamples at once (as many seeds drawn for both systems), into `out`
 * ([a, b] of the first resample, then of the second): four running sums side by side, each the
 * same chain of additions as its own weightedSum (bit-identical). The processor overlaps four
 * chains where it overlaps two, so a pair of resamples costs little more than one.
 */
function pairedWeightedSumsTwice(
  valuesA: readonly Float64Array[],
  valuesB: readonly Float64Array[],
  first: Resample,
  second: Resample,
  out: Float64Array,
): void {
  const f1 = first.factor
  const f2 = second.factor
  const P = f1.length
  let a1 = 0
  let b1 = 0
  let a2 = 0
  let b2 = 0
  for (let i = 0; i < first.seedsA.length; i++) {
    const rowA1 = valuesA[first.seedsA[i]!]!
    const rowB1 = valuesB[first.seedsB[i]!]!
    const rowA2 = valuesA[second.seedsA[i]!]!
    const rowB2 = valuesB[second.seedsB[i]!]!
    for (let p = 0; p < P; p++) {
      const f = f1[p]!
      const g = f2[p]!
      a1 += f * rowA1[p]!
      b1 += f * rowB1[p]!
      a2 += g * rowA2[p]!
      b2 += g * rowB2[p]!
    }
  }
  out[0] = a1
  out[1] = b1
  out[2] = a2
  out[3] = b2
}

/** One resample's draws: each system's seed indices and the per-prompt factor (weights, or products of them). */
export interface Resample {
  seedsA: Int32Array
  seedsB: Int32Array
  factor: Float64Array
}

/**
 * Fills `replicates` with `replicate(ΣA, ΣB)` of one resample each (the pairedWeightedSums of
 * `valuesA` and `valuesB`), drawing each resample with `draw` in order. When both systems draw as
 * many seeds, two resamples per pass (pairedWeightedSumsTwice): the same draws in the same order
 * and the same sums as one at a time; an odd count ends with one alone.
 */
export function pairedReplicates(
  valuesA: readonly Float64Array[],
  valuesB: readonly Float64Array[],
  resample: () => Resample,
  draw: (into: Resample) => void,
  replicate: (sumA: number, sumB: number) => number,
  replicates: Float64Array,
): void {
  const first = resample()
  const second = resample()
  const sums = new Float64Array(4)
  let r = 0
  if (first.seedsA.length === first.seedsB.length) {
    for (; r + 1 < replicates.length; r += 2) {
      draw(first)
      draw(second)
      pairedWeightedSumsTwice(valuesA, valuesB, first, second, sums)
      replicates[r] = replicate(sums[0]!, sums[1]!)
      replicates[r + 1] = replicate(sums[2]!, sums[3]!)
    }
  }
  for (; r < replicates.length; r++) {
    draw(first)
    pairedWeightedSums(valuesA, first.seedsA, valuesB, first.seedsB, first.factor, sums)
    replicates[r] = replicate(sums[0]!, sums[1]!)
  }
}

/** Percentile CI of the grand mean of `values[seed][prompt]`, resampling seeds and prompts. Seeded. */
export function twoLevelBootstrapCI(values: readonly (readonly number[])[], opts: BootstrapOptions = {}): BootstrapInterval {
  const { seed, resamples, level } = resolveBootstrapOptions(opts)
  const P = checkGrid(values, 'twoLevelBootstrapCI')
  const draws = new IntDraws(seed)
  const rows = asRows(values)
  const weights = new Float64Array(P)
  const replicates = new Float64Array(resamples)
  const seeds = new Int32Array(values.length)
  for (let r = 0; r < resamples; r++) {
    draws.fill(seeds.length, seeds)
    drawPromptWeights(draws, weights)
    replicates[r] = weightedSum(rows, seeds, weights) / (seeds.length * P)
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
  const draws = new IntDraws(seed)
  const rowsA = asRows(a)
  const rowsB = asRows(b)
  const replicates = new Float64Array(resamples)
  // One resample's draws, in the stream's order: A's seeds, B's seeds (unless shared), the prompts.
  const resample = (): Resample => {
    const seedsA = new Int32Array(a.length)
    return { seedsA, seedsB: opts.pairSeeds ? seedsA : new Int32Array(b.length), factor: new Float64Array(P) }
  }
  const draw = (into: Resample) => {
    draws.fill(into.seedsA.length, into.seedsA)
    if (!opts.pairSeeds) draws.fill(into.seedsB.length, into.seedsB)
    drawPromptWeights(draws, into.factor)
  }
  pairedReplicates(rowsA, rowsB, resample, draw, (sumA, sumB) => sumA / (a.length * P) - sumB / (b.length * P), replicates)
  const diff = grandMean(a) - grandMean(b)
  return { diff, ...summarizeReplicates(diff, replicates, level), level, resamples }
}
