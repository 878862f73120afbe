import { describe, expect, it } from 'vitest'
import { bestOfN, defaultKGrid, majorityAtK, passAtK, summarizePools } from '../../../core/metrics/index.js'

const problems = [
  {
    id: 'p1',
    samples: [
      { reward: 1, score: 3, answer: 'x' },
      { reward: 0, score: 1, answer: 'y' },
      { reward: 0, score: 2, answer: 'y' },
    ],
  },
  {
    id: 'p2',
    samples: [
      { reward: 0.5, score: 1, answer: 'z' },
      { reward: 0, score: 1 },
      { reward: 1, score: 0, answer: 'w' },
      { reward: 1, score: 5, answer: 'w' },
    ],
  },
]

describe('summarizePools', () => {
  it('averages each metric per problem with equal weight, k capped by the smallest pool', () => {
    const s = summarizePools(problems, { threshold: 0.5 })
    expect(s.k).toEqual([1, 2, 3])
    expect([s.nMin, s.nMax, s.problems]).toEqual([3, 4, 2])
    s.k.forEach((k, j) => {
      expect(s.passAtK.values[j]).toBeCloseTo((passAtK(3, 1, k) + passAtK(4, 3, k)) / 2, 14)
      expect(s.bestOfN!.values[j]).toBeCloseTo((bestOfN(problems[0]!.samples, [k])[0]! + bestOfN(problems[1]!.samples, [k])[0]!) / 2, 14)
      const maj = problems.map((p) => majorityAtK(p.samples, [k]).values[0]!)
      expect(s.majorityAtK!.values[j]).toBeCloseTo((maj[0]! + maj[1]!) / 2, 14)
      const [lo, hi] = s.passAtK.ci[j]!
      expect(lo).toBeLessThanOrEqual(s.passAtK.values[j]!)
      expect(hi).toBeGreaterThanOrEqual(s.passAtK.values[j]!)
    })
    // Per problem, then averaged (as every metric here and a run's meanReward): Bo-1's value, not the pooled 3.5 / 7.
    expect(s.meanReward).toBeCloseTo((1 / 3 + 2.5 / 4) / 2, 14)
    expect(s.meanReward).toBeCloseTo(s.bestOfN!.values[0]!, 14)
    expect(s.notes).toEqual([expect.stringContaining('1 of 7 samples carry no answer')])
  })

  it('drops Bo-N with a note when some samples lack a score, and maj@k when none has an answer', () => {
    const s = summarizePools([{ id: 'a', samples: [{ reward: 1, score: 1 }, { reward: 0 }] }])
    expect(s.bestOfN).toBeNull()
    expect(s.majorityAtK).toBeNull()
    expect(s.distinctAtK).toBeNull()
    expect(s.notes[0]).toMatch(/Bo-N skipped: 1 of 2 samples/)
  })

  it('names the smallest problem when a k does not fit', () => {
    expect(() => summarizePools(problems, { ks: [4] })).toThrow(/smallest pool, n = 3 \(problem 'p1'\)/)
  })

  it('builds the default grid from powers of two plus n', () => {
    expect(defaultKGrid(8)).toEqual([1, 2, 4, 8])
    expect(defaultKGrid(12)).toEqual([1, 2, 4, 8, 12])
    expect(defaultKGrid(1)).toEqual([1])
  })
})
