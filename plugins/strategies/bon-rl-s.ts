/**
 * `bon-rl-s` — bon-rl whose selection and reward are both the environment reward R:
 *
 *     w(y*_b) = (R(y*_b) − mean_{b'≠b} R(y*_{b'})) / B,   y*_b = argmax_R of subset b
 *
 * With binary R and p = p_fail: E[update] = (1−p^N)/(N(1−p)) · ∇pass@N — it climbs pass@N
 * (the paper's best pass@N). See bon-rl.ts.
 */
import { bonRlVariants, makeBonRl } from './bon-rl.js'

/** `bonbench:bon-rl-s`. Options as bon-rl (`k`, `include-dq`). */
export const bonRlS = makeBonRl(bonRlVariants['bon-rl-s'])
