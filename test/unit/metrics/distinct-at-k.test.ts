import { describe, expect, it } from 'vitest'
import { distinctAtK } from '../../../core/metrics/index.js'
import { bruteDistinct, randomPool } from './brute-force.js'

describe('distinctAtK', () => {
  it('matches enumeration of every k-subset on 200 random pools (abstentions count as no answer)', () => {
    for (let seed = 3000; seed < 3200; seed++) {
      const pool = randomPool(seed)
      const ks = Array.from({ length: pool.length }, (_, i) => i + 1)
      const values = distinctAtK(pool, ks)
      ks.forEach((k, j) => expect(values[j]).toBeCloseTo(bruteDistinct(pool, k), 12))
    }
  })

  it('is 1 at k = 1 when every sample answers, and the answer count at k = n', () => {
    const pool = ['a', 'b', 'a', 'c'].map((answer) => ({ answer, reward: 0 }))
    expect(distinctAtK(pool, [1, 4])).toEqual([expect.closeTo(1, 14), 3])
  })
})
