import type { Rng } from '../plugin-api/common.js'
import type { ScoredGroup, ScoredSample, StrategyNeeds } from '../plugin-api/strategy.js'
import type { Problem } from '../plugin-api/task.js'

/** The kinds of scored group a strategy must handle: the edge cases of BoN weighting. */
export const groupScenarios = ['mixed', 'all-correct', 'none-correct', 'tied-scores', 'oracle-scores', 'duplicate-texts', 'continuous-reward'] as const

/** One of {@link groupScenarios}. */
export type GroupScenario = (typeof groupScenarios)[number]

/** The problem every generated group is about. */
export const contractProblem: Problem = { id: 'contract-problem', prompt: 'Q: 2 + 2 =', answer: '4', expert: ' 4 because 2 + 2 = 4' }

/**
 * A scored group shaped by `needs` (K policy samples, M reference samples, the expert and its
 * score when asked for), with rewards and scores following `scenario`. Deterministic in `rng`.
 * Completion texts are `policy-<i>` / `reference-<i>` (repeating under 'duplicate-texts').
 */
export function scoredGroup(needs: StrategyNeeds, scenario: GroupScenario, rng: Rng): ScoredGroup {
  const policy = samples('policy', needs.policySamples, scenario, rng)
  const reference = (needs.referenceSamples ?? 0) > 0 ? samples('reference', needs.referenceSamples!, scenario, rng) : undefined
  const group: ScoredGroup = { problem: { ...contractProblem }, policy }
  if (reference) group.reference = reference
  if (needs.expert) {
    group.expert = contractProblem.expert!
    group.expertScored = { completion: contractProblem.expert!, reward: 1, score: scenario === 'tied-scores' ? 0.5 : 0.9, answer: '4' }
  }
  return group
}

function samples(prefix: string, count: number, scenario: GroupScenario, rng: Rng): ScoredSample[] {
  return Array.from({ length: count }, (_, i) => {
    const correct = scenario === 'all-correct' ? true : scenario === 'none-correct' ? false : rng.next() < 0.5
    const reward = scenario === 'continuous-reward' ? Math.round(rng.next() * 100) / 100 : correct ? 1 : 0
    const noisy = Math.min(1, Math.max(0, reward * 0.6 + rng.next() * 0.4))
    const score = scenario === 'tied-scores' ? 0.5 : scenario === 'oracle-scores' ? reward : noisy
    const text = scenario === 'duplicate-texts' ? `${prefix}-${i % 2}` : `${prefix}-${i}`
    // Under duplicate texts the judgements follow the text, as a deterministic verifier's would.
    const dup = scenario === 'duplicate-texts'
    return {
      completion: text,
      reward: dup ? i % 2 : reward,
      score: dup ? (i % 2) * 0.8 + 0.1 : score,
      answer: dup ? String(i % 2) : correct ? '4' : String(5 + (i % 3)),
    }
  })
}
