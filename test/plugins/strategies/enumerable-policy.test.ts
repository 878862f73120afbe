import { describe, expect, it } from 'vitest'
import { bonDistribution, enumerateTuples, policyOf, standardSetup } from './enumerable-policy.js'

describe('the rule-test harness itself', () => {
  it('π_bon by the DESIGN §2.1 formula (ties split at random) equals enumeration over N-tuples', () => {
    const { pi } = policyOf(standardSetup)
    for (const scores of [standardSetup.r, standardSetup.R, [1, 1, 1, 1, 1]]) {
      for (const n of [1, 2, 3, 5]) {
        const enumerated = pi.map(() => 0)
        enumerateTuples(pi, n, (tuple, prob) => {
          const best = Math.max(...tuple.map((y) => scores[y]!))
          const tops = tuple.filter((y) => scores[y] === best)
          for (const y of tops) enumerated[y]! += prob / tops.length
        })
        const formula = bonDistribution(pi, scores, n)
        formula.forEach((b, y) => expect(b).toBeCloseTo(enumerated[y]!, 12))
      }
    }
  })
})
