import { describe, expect, it } from 'vitest'
import { summarizeReplicates } from '../../../core/metrics/bootstrap.js'
import { pairedTwoLevelBootstrap, twoLevelBootstrapCI } from '../../../core/metrics/two-level-bootstrap.js'
import { IntDraws, createRng } from '../../../core/rng.js'
import { plainPairedReplicates } from '../../helpers/plain-bootstrap.js'
import { stratifiedContrastBootstrap } from '../../../reports/findings/contrast-bootstrap.js'

// The bootstraps' hot loops add weight × value over every prompt, zero weights included, over
// Float64Array rows, with integers drawn in batches (core/rng.ts IntDraws). That must not change a
// single bit of any committed document: these reference loops are the plain definitions (zero
// weights skipped, on the given number arrays, createRng's int() one draw at a time), drawing the
// same random streams, and the results must be identical, not close.

function referencePaired(a: number[][], b: number[][], seed: number, resamples: number, level: number) {
  const P = a[0]!.length
  const replicates = plainPairedReplicates(a, b, seed, resamples)
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

/**
 * Per-prompt values like the findings' (rates with many distinct fractions), seeds × prompts;
 * `shift` moves them below zero too (a skipped term is then −0 or +0).
 */
function matrix(seed: number, seeds: number, prompts: number, shift = 0): number[][] {
  const rng = createRng(seed)
  return Array.from({ length: seeds }, () => Array.from({ length: prompts }, () => Math.round(rng.next() * 32) / 32 + rng.next() * 1e-3 - shift))
}

describe('the bootstraps’ dense hot loops are bit-identical to the plain definitions', () => {
  // Equal seed counts take two resamples per pass (an odd count ends with one alone); unequal, one.
  for (const [seedsA, seedsB, P, shift, resamples] of [
    [3, 3, 300, 0, 400],
    [3, 3, 41, 0, 401],
    [5, 2, 37, 0, 400],
    [1, 4, 1, 0, 400],
    [3, 3, 150, 0.5, 400],
  ] as const) {
    it(`pairedTwoLevelBootstrap, ${seedsA} × ${seedsB} seeds, ${P} prompts, ${resamples} resamples${shift ? ', values of both signs' : ''}`, () => {
      const a = matrix(1, seedsA, P, shift)
      const b = matrix(2, seedsB, P, shift)
      const got = pairedTwoLevelBootstrap(a, b, { seed: 9, resamples, level: 0.95 })
      const want = referencePaired(a, b, 9, resamples, 0.95)
      expect(summary(got)).toStrictEqual(summary(want))
    })
  }

  for (const [seedsA, seedsB, resamples] of [
    [3, 2, 400],
    [3, 3, 401],
  ] as const) {
    it(`stratifiedContrastBootstrap, ${seedsA} × ${seedsB} seeds, 120 prompts, ${resamples} resamples`, () => {
      const a = matrix(3, seedsA, 120)
      const b = matrix(4, seedsB, 120)
      const hard = Array.from({ length: 120 }, (_, p) => p % 3 === 0)
      const got = stratifiedContrastBootstrap(a, b, hard, { seed: 5, resamples, level: 0.9 })
      const want = referenceContrast(a, b, hard, 5, resamples, 0.9)
      expect(summary(got)).toStrictEqual(summary(want))
    })
  }

  it('every bootstrap refuses a value that is not finite (the dense sums equal the definition only for finite values)', () => {
    const a = matrix(7, 2, 6)
    const b = matrix(8, 2, 6)
    b[1]![4] = Number.NaN
    const hard = [true, false, true, false, true, false]
    expect(() => pairedTwoLevelBootstrap(a, b, { resamples: 10 })).toThrow('every value must be finite (got NaN)')
    expect(() => twoLevelBootstrapCI(b, { resamples: 10 })).toThrow('every value must be finite (got NaN)')
    expect(() => stratifiedContrastBootstrap(a, b, hard, { resamples: 10 })).toThrow('every value must be finite (got NaN)')
  })

  it('twoLevelBootstrapCI, 4 seeds, 90 prompts of both signs', () => {
    const values = matrix(6, 4, 90, 0.5)
    const P = 90
    const rng = createRng(11)
    const weights = new Float64Array(P)
    const replicates = new Float64Array(300)
    for (let r = 0; r < 300; r++) {
      const seeds = Array.from({ length: 4 }, () => rng.int(4))
      weights.fill(0)
      for (let i = 0; i < P; i++) weights[rng.int(P)]++
      let s = 0
      for (const sd of seeds) for (let p = 0; p < P; p++) if (weights[p] !== 0) s += weights[p]! * values[sd]![p]!
      replicates[r] = s / (4 * P)
    }
    const mean = values.flat().reduce((s, v) => s + v, 0) / (4 * P)
    const want = summarizeReplicates(mean, replicates, 0.95)
    const got = twoLevelBootstrapCI(values, { seed: 11, resamples: 300, level: 0.95 })
    expect([got.mean, got.lower, got.upper, got.stdErr]).toStrictEqual([mean, want.lower, want.upper, want.stdErr])
  })
})

describe('IntDraws (core/rng.ts)', () => {
  it('draws the integers of createRng(seed).int(n), in the same order, whatever the batch', () => {
    for (const seed of [0, 1, 0xffffffff, 123456789]) {
      const rng = createRng(seed)
      const draws = new IntDraws(seed)
      const got: number[] = []
      const want: number[] = []
      const batch = new Int32Array(7)
      draws.fill(13, batch)
      got.push(...batch)
      for (let i = 0; i < 7; i++) want.push(rng.int(13))
      const counts = new Float64Array(5)
      draws.count(5, 40, counts)
      const wantCounts = new Float64Array(5)
      for (let i = 0; i < 40; i++) wantCounts[rng.int(5)]!++
      expect([...counts]).toEqual([...wantCounts])
      const items = Int32Array.from([4, 0, 2])
      const among = new Float64Array(5)
      draws.countAmong(items, 30, among)
      const wantAmong = new Float64Array(5)
      for (let i = 0; i < 30; i++) wantAmong[items[rng.int(3)]!]!++
      expect([...among]).toEqual([...wantAmong])
      draws.fill(1000, batch)
      got.push(...batch)
      for (let i = 0; i < 7; i++) want.push(rng.int(1000))
      expect(got).toEqual(want)
    }
  })
})
