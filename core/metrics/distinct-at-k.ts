import { groupAnswers } from './answer-groups.js'
import type { AnsweredSample } from './answer-groups.js'
import { assertPoolAndK } from './binomial.js'
import { passAtK } from './pass-at-k.js'

/**
 * Expected number of distinct final answers among a uniformly random k-subset of one prompt's
 * pool, for each k of `ks` (the diversity metric of DESIGN §2.3 and prediction P4). Exact by
 * linearity: an answer with m copies appears with probability 1 − C(n−m, k)/C(n, k). Samples
 * without an answer are not an answer and add nothing. O(answers · k) per k.
 */
export function distinctAtK(samples: readonly AnsweredSample[], ks: readonly number[]): number[] {
  for (const k of ks) assertPoolAndK(samples.length, k, 'distinct@k')
  if (ks.length === 0) return []
  const { n, counts } = groupAnswers(samples.map((s) => ({ answer: s.answer, reward: 0 })))
  return ks.map((k) => counts.reduce((sum, m) => sum + passAtK(n, m, k), 0))
}
