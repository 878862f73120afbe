import type { Problem } from '../plugin-api/task.js'
import type { VerifierPlugin } from '../plugin-api/verifier.js'
import type { ScoredSample } from '../plugin-api/strategy.js'
import { checkVerdicts } from '../plugin-api-checks/check-verdicts.js'

/** The two judges of a run: R (environment reward) and r (what BoN selects by). */
export interface Judges {
  reward: VerifierPlugin
  /** The selector verifier; the same object as `reward` for an oracle verifier. */
  selector: VerifierPlugin
  concurrency: number
  signal?: AbortSignal
}

/** A scored completion with its verdict's reason. */
export interface JudgedSample extends ScoredSample {
  reason: string
}

/**
 * Scores completions of one or more problems with both judges. The reward is the reward
 * verifier's `reward` (its `score` when absent); the score is the selector's `score`.
 * Runs both verifiers once over the whole batch. Each verifier's answer is checked (one
 * well-formed verdict per item): a broken one throws BENCH_PLUGIN_CONTRACT naming the verifier.
 */
export async function scoreSamples(items: Array<{ problem: Problem; completion: string }>, judges: Judges): Promise<JudgedSample[]> {
  if (items.length === 0) return []
  const ctx = { concurrency: judges.concurrency, signal: judges.signal }
  const rewards = checkVerdicts(judges.reward, items, await judges.reward.score(items, ctx))
  const scores = judges.selector === judges.reward ? rewards : checkVerdicts(judges.selector, items, await judges.selector.score(items, ctx))
  return items.map((item, i) => {
    const verdict = rewards[i]!
    const reward = verdict.reward ?? verdict.score
    return {
      completion: item.completion,
      reward,
      score: scores[i]!.score,
      answer: verdict.answer,
      reason: verdict.reason,
    }
  })
}
