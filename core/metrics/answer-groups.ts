import { BenchError } from '../errors.js'

/** One sample as the answer-based metrics see it: its final `answer` (absent: no answer) and `reward`. */
export interface AnsweredSample {
  answer?: string
  reward: number
}

/**
 * A pool grouped by final answer, built once per prompt. Answers are compared as exact strings
 * (normalise them before, as a task's verifier does). Samples without an answer are
 * *abstentions*: they fill a slot of a subset but cast no vote and count as no distinct answer.
 */
export interface AnswerGroups {
  n: number
  /** Copies of each distinct answer, in first-seen order. */
  counts: number[]
  /** Mean reward of each distinct answer's samples (what a vote for it earns, in expectation). */
  meanRewards: number[]
  /** Group index of each sample; −1 for an abstention. */
  groupOf: Int32Array
  abstainCount: number
  /** Mean reward of the abstentions (0 when there are none). */
  abstainMean: number
}

/** Groups one prompt's samples by answer; throws BENCH_USAGE for a non-finite reward. */
export function groupAnswers(samples: readonly AnsweredSample[]): AnswerGroups {
  const index = new Map<string, number>()
  const counts: number[] = []
  const sums: number[] = []
  const groupOf = new Int32Array(samples.length)
  let abstainCount = 0
  let abstainSum = 0
  samples.forEach((s, i) => {
    if (!Number.isFinite(s.reward)) throw new BenchError('BENCH_USAGE', `maj@k: every sample needs a finite reward (got ${s.reward})`)
    if (s.answer === undefined) {
      groupOf[i] = -1
      abstainCount++
      abstainSum += s.reward
      return
    }
    let g = index.get(s.answer)
    if (g === undefined) {
      g = counts.length
      index.set(s.answer, g)
      counts.push(0)
      sums.push(0)
    }
    groupOf[i] = g
    counts[g]++
    sums[g] += s.reward
  })
  return {
    n: samples.length,
    counts,
    meanRewards: counts.map((c, g) => sums[g]! / c),
    groupOf,
    abstainCount,
    abstainMean: abstainCount > 0 ? abstainSum / abstainCount : 0,
  }
}
