import { BenchError } from '../errors.js'
import { firstIds } from '../first-ids.js'
import type { Problem } from '../plugin-api/task.js'
import type { Verdict, VerifierPlugin } from '../plugin-api/verifier.js'
import type { RecordedJudgement } from '../plugin-api/model.js'
import type { ScoredSample } from '../plugin-api/strategy.js'
import { checkVerdicts } from '../plugin-api-checks/check-verdicts.js'
import { callHook } from '../run/hooks-in-flight.js'

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

/** One completion to judge, with the judgement a replayed sample carries (Completion.recorded). */
export interface ScoreItem {
  problem: Problem
  completion: string
  recorded?: RecordedJudgement
}

/**
 * Scores completions of one or more problems with both judges. The reward is the reward
 * verifier's `reward` (its `score` when absent); the score is the selector's `score`.
 * Runs each verifier once over the items it has to judge: a recorded reward (or score) is used
 * as it is and that item is not sent to the reward verifier (or the selector); an oracle
 * selector's score is then the recorded reward. Recorded scores count only when every item
 * carries one: items where some do and some do not throw BENCH_USAGE before any verifier runs,
 * since what would stand in for the missing scores (the reward, the selector's score) is on
 * another scale and Best-of-N would rank across the two (the `replay` model refuses such a dump
 * before the run; this guards every other source of recorded judgements). A recorded answer wins
 * over the verifier's; the reason of an item no verifier judged is `recorded`. Each verifier's
 * answer is checked (one well-formed verdict per item): a broken one throws BENCH_PLUGIN_CONTRACT
 * naming the verifier.
 */
export async function scoreSamples(items: ScoreItem[], judges: Judges): Promise<JudgedSample[]> {
  if (items.length === 0) return []
  refuseMixedScores(items, judges)
  const ctx = { concurrency: judges.concurrency, signal: judges.signal }
  const judge = async (verifier: VerifierPlugin, needs: (item: ScoreItem) => boolean): Promise<Array<Verdict | undefined>> => {
    const todo = items.flatMap((item, i) => (needs(item) ? [i] : []))
    if (todo.length === 0) return items.map(() => undefined)
    const batch = todo.map((i) => ({ problem: items[i]!.problem, completion: items[i]!.completion }))
    const verdicts = checkVerdicts(verifier, batch, await callHook(verifier, 'score', () => verifier.score(batch, ctx)))
    const out: Array<Verdict | undefined> = items.map(() => undefined)
    todo.forEach((i, j) => (out[i] = verdicts[j]))
    return out
  }
  const rewards = await judge(judges.reward, (item) => item.recorded?.reward === undefined)
  const oracle = judges.selector === judges.reward
  const scores = oracle ? rewards : await judge(judges.selector, (item) => item.recorded?.score === undefined)
  return items.map((item, i) => {
    const verdict = rewards[i]
    const recorded = item.recorded ?? {}
    const reward = recorded.reward ?? verdict!.reward ?? verdict!.score
    const score = recorded.score ?? (oracle ? (verdict?.score ?? reward) : scores[i]!.score)
    const answer = recorded.answer ?? verdict?.answer
    return { completion: item.completion, reward, score, answer, reason: verdict?.reason ?? 'recorded' }
  })
}

/** Throws BENCH_USAGE when some items carry a recorded score and others do not (see scoreSamples). */
function refuseMixedScores(items: readonly ScoreItem[], judges: Judges): void {
  const unscored = items.filter((item) => item.recorded?.score === undefined)
  if (unscored.length === 0 || unscored.length === items.length) return
  const ids = [...new Set(unscored.map((item) => item.problem.id))]
  const standIn = judges.selector === judges.reward ? `the reward (${judges.reward.name})` : `${judges.selector.name}'s score`
  throw new BenchError(
    'BENCH_USAGE',
    `${unscored.length} of ${items.length} replayed samples carry no recorded score (problems ${firstIds(ids, { quote: true })}) and the others do: Best-of-N would rank the recorded scores against ${standIn}, another scale. Replay a dump whose samples all carry a score, or none (then the selector scores every sample).`,
  )
}
