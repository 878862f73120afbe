import { createRng } from '../../core/rng.js'

/**
 * The replicates of core/metrics' pairedTwoLevelBootstrap as its definition reads, with nothing
 * made fast: each replicate draws a's seeds, b's seeds, then P prompts with replacement, one
 * `createRng(seed).int()` at a time, and adds weight × value over the prompts drawn (zero weights
 * skipped), seed after seed. The exactness test compares the bootstrap with it bit for bit; the
 * metrics benchmark times the two side by side.
 */
export function plainPairedReplicates(a: number[][], b: number[][], seed: number, resamples: number): Float64Array {
  const P = a[0]!.length
  const rng = createRng(seed)
  const weights = new Float64Array(P)
  const mean = (values: number[][], seeds: number[]) => {
    let s = 0
    for (const sd of seeds) for (let p = 0; p < P; p++) if (weights[p] !== 0) s += weights[p]! * values[sd]![p]!
    return s / (seeds.length * P)
  }
  const replicates = new Float64Array(resamples)
  for (let r = 0; r < resamples; r++) {
    const seedsA = Array.from({ length: a.length }, () => rng.int(a.length))
    const seedsB = Array.from({ length: b.length }, () => rng.int(b.length))
    weights.fill(0)
    for (let i = 0; i < P; i++) weights[rng.int(P)]++
    replicates[r] = mean(a, seedsA) - mean(b, seedsB)
  }
  return replicates
}
