// Reference implementations by enumerating every k-subset of a small pool: slow, obviously right,
// and written without calling the estimators they check.
import { createRng } from '../../../core/rng.js'

export interface TestSample {
  reward: number
  score: number
  answer?: string
}

/** Every k-subset of 0..n−1, as index arrays. */
export function subsets(n: number, k: number): number[][] {
  const out: number[][] = []
  const pick: number[] = []
  const walk = (start: number): void => {
    if (pick.length === k) {
      out.push([...pick])
      return
    }
    for (let i = start; i <= n - (k - pick.length); i++) {
      pick.push(i)
      walk(i + 1)
      pick.pop()
    }
  }
  walk(0)
  return out
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length

export function brutePassAtK(samples: TestSample[], k: number, threshold = 1): number {
  return mean(subsets(samples.length, k).map((sub) => (sub.some((i) => samples[i]!.reward >= threshold) ? 1 : 0)))
}

/** BoN with uniform random tie-breaking inside the subset. */
export function bruteBestOfN(samples: TestSample[], k: number): number {
  return mean(
    subsets(samples.length, k).map((sub) => {
      const top = Math.max(...sub.map((i) => samples[i]!.score))
      return mean(sub.filter((i) => samples[i]!.score === top).map((i) => samples[i]!.reward))
    }),
  )
}

/**
 * Majority vote inside each subset: answers tally, tied top answers split evenly, the winner's
 * reward is that of a random subset member with the winning answer; all-abstain subsets take a
 * random subset member.
 */
export function bruteMajority(samples: TestSample[], k: number): number {
  return mean(
    subsets(samples.length, k).map((sub) => {
      const byAnswer = new Map<string, number[]>()
      for (const i of sub) {
        const a = samples[i]!.answer
        if (a === undefined) continue
        byAnswer.set(a, [...(byAnswer.get(a) ?? []), samples[i]!.reward])
      }
      if (byAnswer.size === 0) return mean(sub.map((i) => samples[i]!.reward))
      const top = Math.max(...[...byAnswer.values()].map((r) => r.length))
      const winners = [...byAnswer.values()].filter((r) => r.length === top)
      return mean(winners.map(mean))
    }),
  )
}

export function bruteDistinct(samples: TestSample[], k: number): number {
  return mean(subsets(samples.length, k).map((sub) => new Set(sub.map((i) => samples[i]!.answer).filter((a) => a !== undefined)).size))
}

/**
 * A random small pool: n in 1..maxN, scores from a few values (ties), answers from a few strings
 * with some missing, rewards binary or graded, with all-correct and none-correct pools mixed in.
 */
export function randomPool(seed: number, maxN = 9): TestSample[] {
  const rng = createRng(seed)
  const n = 1 + rng.int(maxN)
  const kind = rng.int(6)
  const levels = 1 + rng.int(4)
  const answers = 1 + rng.int(4)
  return Array.from({ length: n }, () => {
    const graded = kind === 3
    const reward = kind === 0 ? 1 : kind === 1 ? 0 : graded ? Math.round(rng.next() * 4) / 4 : rng.next() < 0.4 ? 1 : 0
    const answer = rng.next() < 0.15 ? undefined : `a${rng.int(answers)}`
    const sample: TestSample = { reward, score: rng.int(levels) }
    if (answer !== undefined) sample.answer = answer
    return sample
  })
}
