import { BenchError } from '../../core/errors.js'
import type { PairedComparison } from '../../core/metrics/bootstrap.js'
import { assertValues, resolveBootstrapOptions, summarizeReplicates } from '../../core/metrics/bootstrap.js'
import { asRows, pairedReplicates, type Resample, weightedSum } from '../../core/metrics/two-level-bootstrap.js'
import { IntDraws } from '../../core/rng.js'

/**
 * The P4 effort contrast: [mean over hard prompts − mean over easy prompts] of b minus the same of
 * a, with `values[seed][prompt]` per arm and a fixed hard/easy split. A two-level bootstrap
 * stratified by the split: each replicate resamples hard prompts among the hard ones and easy
 * among the easy ones (shared by both arms, the pairing) and each arm's seeds. Keeping the stratum
 * sizes fixed matters: resampling prompts across the split would let the hard/easy mix wander and
 * add a variance the contrast does not have. Seeded; same summaries as core/metrics bootstraps.
 */
export function stratifiedContrastBootstrap(
  a: readonly (readonly number[])[],
  b: readonly (readonly number[])[],
  hard: readonly boolean[],
  opts: { seed?: number; resamples?: number; level?: number } = {},
): PairedComparison {
  const { seed, resamples, level } = resolveBootstrapOptions(opts)
  const hardIdx = hard.flatMap((h, p) => (h ? [p] : []))
  const easyIdx = hard.flatMap((h, p) => (h ? [] : [p]))
  if (hardIdx.length === 0 || easyIdx.length === 0)
    throw new BenchError('BENCH_USAGE', 'stratifiedContrastBootstrap: needs at least one hard and one easy prompt')
  for (const m of [a, b]) {
    if (m.length === 0 || m.some((row) => row.length !== hard.length))
      throw new BenchError('BENCH_USAGE', `stratifiedContrastBootstrap: every seed needs a value for each of the ${hard.length} prompts`)
    // Finite values: what makes the dense sums below equal the definition's (core/metrics/two-level-bootstrap.ts).
    for (const row of m) assertValues(row, 'stratifiedContrastBootstrap')
  }
  const P = hard.length
  const scale = Float64Array.from(hard, (h) => (h ? 1 / hardIdx.length : -1 / easyIdx.length))
  // Each resample's (weight × scale) per prompt, then Σ (weight × scale) × value over every prompt
  // (core/metrics' dense sums, bit-identical to skipping the prompts not drawn): the terms and
  // order of the definition.
  const rowsA = asRows(a)
  const rowsB = asRows(b)
  const weights = new Float64Array(P)
  const scaleWeights = (into: Float64Array) => {
    for (let p = 0; p < P; p++) into[p] = weights[p]! * scale[p]!
  }
  const all = (m: readonly unknown[]) => Int32Array.from(m, (_, i) => i)
  weights.fill(1)
  const unit = new Float64Array(P)
  scaleWeights(unit)
  const estimate = weightedSum(rowsB, all(b), unit) / b.length - weightedSum(rowsA, all(a), unit) / a.length
  const draws = new IntDraws(seed)
  const hardItems = Int32Array.from(hardIdx)
  const easyItems = Int32Array.from(easyIdx)
  const replicates = new Float64Array(resamples)
  // One resample's draws, in the stream's order: a's seeds, b's seeds, hard prompts, easy prompts.
  // pairedReplicates takes the first system as "A": here b.
  const resample = (): Resample => ({ seedsA: new Int32Array(b.length), seedsB: new Int32Array(a.length), factor: new Float64Array(P) })
  const draw = (into: Resample) => {
    draws.fill(a.length, into.seedsB)
    draws.fill(b.length, into.seedsA)
    weights.fill(0)
    draws.countAmong(hardItems, hardItems.length, weights)
    draws.countAmong(easyItems, easyItems.length, weights)
    scaleWeights(into.factor)
  }
  pairedReplicates(rowsB, rowsA, resample, draw, (sumB, sumA) => sumB / b.length - sumA / a.length, replicates)
  return { diff: estimate, ...summarizeReplicates(estimate, replicates, level), level, resamples }
}
