import { describe, expect, it } from 'vitest'
import { bestOfN, bestOfNAll, blockMeanRewards } from '../../../core/metrics/index.js'
import { createRng } from '../../../core/rng.js'
import { bruteBestOfN, randomPool } from './brute-force.js'

describe('bestOfN', () => {
  it('matches enumeration of every k-subset with random tie-breaking on 300 random pools', () => {
    for (let seed = 1000; seed < 1300; seed++) {
      const pool = randomPool(seed)
      const ks = Array.from({ length: pool.length }, (_, i) => i + 1)
      const values = bestOfN(pool, ks)
      const all = bestOfNAll(pool)
      for (const k of ks) {
        const expected = bruteBestOfN(pool, k)
        expect(values[k - 1]).toBeCloseTo(expected, 12)
        expect(all[k]).toBeCloseTo(expected, 12)
      }
    }
  })

  it('handles a pool that is one tied block: every k gives the mean reward', () => {
    const pool = [0, 1, 1, 0, 1].map((reward) => ({ reward, score: 2 }))
    expect(bestOfN(pool, [1, 3, 5])).toEqual([0.6, 0.6, 0.6].map((v) => expect.closeTo(v, 14)))
  })

  it('is 1 for all-correct pools, 0 for none-correct, and picks the top block at k = n', () => {
    const scores = [3, 1, 4, 1, 5]
    expect(
      bestOfN(
        scores.map((score) => ({ reward: 1, score })),
        [1, 2, 5],
      ),
    ).toEqual([1, 1, 1].map((v) => expect.closeTo(v, 14)))
    expect(
      bestOfN(
        scores.map((score) => ({ reward: 0, score })),
        [1, 2, 5],
      ),
    ).toEqual([0, 0, 0])
    const pool = [
      { reward: 0.2, score: 9 },
      { reward: 0.8, score: 9 },
      { reward: 1, score: 1 },
    ]
    expect(bestOfN(pool, [3])[0]).toBeCloseTo(0.5, 14)
    expect(bestOfN(pool, [1])[0]).toBeCloseTo(2 / 3, 14)
  })

  it('replaces each reward by its tied block mean, sorted by score', () => {
    const means = blockMeanRewards([
      { reward: 1, score: 2 },
      { reward: 0, score: 1 },
      { reward: 0, score: 2 },
    ])
    expect([...means]).toEqual([0, 0.5, 0.5])
  })

  it('stays finite in [0, 1] at n = 1024 and agrees between the grid and the all-k path', () => {
    const rng = createRng(7)
    const pool = Array.from({ length: 1024 }, () => ({ reward: rng.next() < 0.3 ? 1 : 0, score: Math.round(rng.next() * 50) }))
    const all = bestOfNAll(pool)
    const ks = [1, 2, 16, 512, 1000, 1024]
    const grid = bestOfN(pool, ks)
    ks.forEach((k, j) => {
      expect(Number.isFinite(grid[j]!)).toBe(true)
      expect(grid[j]!).toBeGreaterThanOrEqual(0)
      expect(grid[j]!).toBeLessThanOrEqual(1)
      expect(Math.abs(grid[j]! - all[k]!)).toBeLessThan(1e-12)
    })
    expect(grid[0]).toBeCloseTo(pool.reduce((s, p) => s + p.reward, 0) / 1024, 12)
  })

  it('rejects k outside 1..n and non-finite scores', () => {
    expect(() => bestOfN([{ reward: 1, score: 0 }], [2])).toThrow(expect.objectContaining({ code: 'BENCH_USAGE' }))
    expect(() => bestOfN([{ reward: 1, score: Number.NaN }], [1])).toThrow(/finite reward and score/)
  })
})
