import type { ScoredSample, SelectionJudge } from 'bonbench'

/** A judge that picks: every {@link SelectionJudge} but `none`. */
export type PickingJudge = Exclude<SelectionJudge, 'none'>

/** The value `judge` ranks one sample by: R (`sample.reward`) for `reward`, r (`sample.score`) for `verifier`. */
export function judgeValue(sample: ScoredSample, judge: PickingJudge): number {
  return judge === 'reward' ? sample.reward : sample.score
}

/**
 * The values a strategy's BoN picks (and its win counts) are ranked by, read from its declared
 * `selection` — the one place a selecting built-in turns its declaration into numbers, so what it
 * declares and what it does cannot drift apart. Runs inside `weights`; pure.
 */
export function judgeValues(samples: readonly ScoredSample[], judge: PickingJudge): number[] {
  return samples.map((s) => judgeValue(s, judge))
}
