/**
 * `bon-rlb-p` — the positive-only closed form (the paper's HumanEval gain): on the pick y*_b of
 * each of the B subsets, selected by the environment reward R (`selection: 'reward'`),
 *
 *     w(y*_b) = R(y*_b) · ḡ⁺ / B,   ḡ⁺ = N p^{N−1}(1−p)/(1−p^N)   (ḡ⁺₁ = 1: positive-only REINFORCE)
 *
 * With the exact p it is unbiased for ∇pass@N, whatever the verifier. Options as bon-rlb without
 * `neg-sign` (`k`, `clip` — ḡ⁺ ≤ 1 so a clip ≥ 1 never bites — `p-fail`, and `select: 'verifier'`,
 * which picks by r: BIASED, not ∇pass@N). See bon-rlb.ts.
 */
import type { StrategyPlugin } from 'bonbench'
import { makeBonRlb } from './bon-rlb.js'

/** `bonbench:bon-rlb-p`: picks by R (`selection: 'reward'`) unless `select: 'verifier'` (biased). */
export function bonRlbP(options?: Record<string, unknown>): StrategyPlugin {
  return makeBonRlb(true, options)
}
