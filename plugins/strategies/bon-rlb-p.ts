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
import { defineStrategy } from 'bonbench'
import { bonRlbHooks, bonRlbOptionsSchema } from './bon-rlb.js'

/** `bonbench:bon-rlb-p`: picks by R (`selection: 'reward'`) unless `select: 'verifier'` (biased). */
export const bonRlbP = defineStrategy({
  name: 'bonbench:bon-rlb-p',
  meta: { version: '0.1.0', description: 'Binary-reward BoN RL, positive picks only (ḡ⁺); picks by the reward R' },
  options: bonRlbOptionsSchema.omit({ 'neg-sign': true }),
  // neg-sign is not an option here: the positive-only rule puts no weight on failed picks.
  create: (o) => bonRlbHooks(true, { ...o, 'neg-sign': -1 }),
})
