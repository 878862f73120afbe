/**
 * `bon-rlb-p` — the positive-only closed form (the paper's HumanEval gain): on the verifier's
 * pick y*_b of each of the B subsets,
 *
 *     w(y*_b) = R(y*_b) · ḡ⁺ / B,   ḡ⁺ = N p^{N−1}(1−p)/(1−p^N)   (ḡ⁺₁ = 1: positive-only REINFORCE)
 *
 * With the exact p and a verifier equal to R it is unbiased for ∇pass@N. Options as bon-rlb
 * without `neg-sign` (`k`, `clip` — ḡ⁺ ≤ 1 so a clip ≥ 1 never bites — and `p-fail`). See bon-rlb.ts.
 */
import type { StrategyPlugin } from '../../core/plugin-api/strategy.js'
import { makeBonRlb } from './bon-rlb.js'

/** `bonbench:bon-rlb-p`. */
export function bonRlbP(options?: Record<string, unknown>): StrategyPlugin {
  return makeBonRlb(true, options)
}
