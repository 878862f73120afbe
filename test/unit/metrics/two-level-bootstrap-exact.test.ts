import { describe, expect, it } from 'vitest'
import { summarizeReplicates } from '../../../core/metrics/bootstrap.js'
import { pairedTwoLevelBootstrap } from '../../../core/metrics/two-level-bootstrap.js'
import { createRng } from '../../../core/rng.js'
import { stratifiedContrastBootstrap } from '../../../reports/findings/contrast-bootstrap.js'

// The bootstraps' hot loops add only the prompts drawn at least once (compacted) over Float64Array
// rows. That must not change a single bit of any committed document: these reference loops are the
// plain definitions (every prompt, zero weights skipped, on the given number arrays), drawing the
// same random streams, and the results must be identical, not close.

function referencePaired(a: number[][], b: number[][], seed: number, resamples: number, level: number) {
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
  const grand = (m: number[][]) => m.flat().reduce((s, v) => s + v, 0) / (m.length * P)
  const diff = grand(a) - grand(b)
  return { diff, ...summarizeReplicates(diff, replicates, level) }
}

function referenceContrast(a: number[][], b: number[][], hard: boolean[], seed: number, resamples: number, level: number) {
  const P = hard.length
  const hardIdx = hard.flatMap((h, p) => (h ? [p] : []))
  const easyIdx = hard.flatMap((h, p) => (h ? [] : [p]))
  const scale = hard.map((h) => (h ? 1 / hardIdx.length : -1 / easyIdx.length))
  const contrast = (values: number[][], seeds: number[], weights: ArrayLike<number>) => {
    let s = 0
    for (const sd of seeds) for (let p = 0; p < P; p++) if (weights[p] !== 0) s += weights[p]! * scale[p]! * values[sd]![p]!
    return s / seeds.length
  }
  const ones = new Float64Array(P).fill(1)
  const all = (m: unknown[]) => m.map((_, i) => i)
  const estimate = contrast(b, all(b), ones) - contrast(a, all(a), ones)
  const rng = createRng(seed)
  const weights = new Float64Array(P)
  const replicates = new Float64Array(resamples)
  for (let r = 0; r < resamples; r++) {
    const seedsA = Array.from({ length: a.length }, () => rng.int(a.length))
    const seedsB = Array.from({ length: b.length }, () => rng.int(b.length))
    weights.fill(0)
    for (let i = 0; i < hardIdx.length; i++) weights[hardIdx[rng.int(hardIdx.length)]!]++
    for (let i = 0; i < easyIdx.length; i++) weights[easyIdx[rng.int(easyIdx.length)]!]++
    replicates[r] = contrast(b, seedsB, weights) - contrast(a, seedsA, weights)
  }
  return { diff: estimate, ...summarizeReplicates(estimate, replicates, level) }
}

/** The numbers a comparison reports, for an exact (not close) match. */
const summary = (r: { diff: number; lower: number; upper: number; stdErr: number; pValue: number }) => [r.diff, r.lower, r.upper, r.stdErr, r.pValue]

/** Per-prompt values like the findings' (rates with many distinct fractions), seeds × prompts. */
function matrix(seed: number, seeds: number, prompts: number): number[][] {
  const rng = createRng(seed)
  return Array.from({ length: seeds }, () => Array.from({ length: prompts }, () => Math.round(rng.next() * 32) / 32 + rng.next() * 1e-3))
}

describe('the bootstraps’ compacted hot loops are bit-identical to the plain definitions', () => {
  for (const [seedsA, seedsB, P] of [
    [3, 3, 300],
    [5, 2, 37],
    [1, 4, 1],
  ] as const) {
    it(`pairedTwoLevelBootstrap, ${seedsA} × ${seedsB} seeds, ${P} prompts`, () => {
      const a = matrix(1, seedsA, P)
      const b = matrix(2, seedsB, P)
      const got = pairedTwoLevelBootstrap(a, b, { seed: 9, resamples: 400, level: 0.95 })
      const want = referencePaired(a, b, 9, 400, 0.95)
      expect(summary(got)).toStrictEqual(summary(want))
    })
  }

  it('stratifiedContrastBootstrap, 3 × 2 seeds, 120 prompts', () => {
    const a = matrix(3, 3, 120)
    const b = matrix(4, 2, 120)
    const hard = Array.from({ length: 120 }, (_, p) => p % 3 === 0)
    const got = stratifiedContrastBootstrap(a, b, hard, { seed: 5, resamples: 400, level: 0.9 })
    const want = referenceContrast(a, b, hard, 5, 400, 0.9)
    expect(summary(got)).toStrictEqual(summary(want))
  })
})
