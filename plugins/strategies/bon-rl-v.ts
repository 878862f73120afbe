/**
 * `bon-rl-v` — bon-rl whose selection and reward are both the verifier score r:
 *
 *     w(y*_b) = (r(y*_b) − mean_{b'≠b} r(y*_{b'})) / B,   y*_b = argmax_r of subset b
 *
 * E[update] = Σ_y π_bon(y)(r(y) − E_bon[r])∇log π(y). The paper's best Bo-N accuracy. See bon-rl.ts.
 */
import { bonRlVariants, makeBonRl } from './bon-rl.js'

/** `bonbench:bon-rl-v`. Options as bon-rl (`k`, `include-dq`). */
export const bonRlV = makeBonRl(bonRlVariants['bon-rl-v'])
