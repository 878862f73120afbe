import type { WeightedSequence, StrategyOutput } from 'bonbench'

/**
 * Wraps a rule's sequences with the counters every strategy reports (summed over prompts by the
 * trainer): `weighted` — sequences with a non-zero weight; `clipped` — weights a clip changed
 * (clip rate = clipped / weighted); `picks` — BoN picks made (0 where the rule makes none).
 */
export function strategyOutput(sequences: WeightedSequence[], counters: { clipped?: number; picks?: number } = {}): StrategyOutput {
  let weighted = 0
  for (const s of sequences) if (s.weight !== 0) weighted++
  return { sequences, stats: { weighted, clipped: counters.clipped ?? 0, picks: counters.picks ?? 0 } }
}
