import { metricLabel } from '../groups.js'

/**
 * Which strategies are BoN-aware and the metric each one trains for (DESIGN §2.2): the ones that
 * select or reward with the learned verifier climb Bo-N accuracy (pass-at-k included: it climbs
 * E[R(y*)] with y* the verifier's pick, which is pass@N only under an oracle verifier); the ones
 * that select and reward with the environment reward (or use its closed form) climb pass@N.
 */
export const bonAwareTargets: Readonly<Record<string, 'bestOfN' | 'passAtN'>> = {
  'bon-sft': 'bestOfN',
  'bon-rl': 'bestOfN',
  'bon-rl-v': 'bestOfN',
  vbon: 'bestOfN',
  bond: 'bestOfN',
  'pass-at-k': 'bestOfN',
  'bon-rl-s': 'passAtN',
  'bon-rlb': 'passAtN',
  'bon-rlb-p': 'passAtN',
}

/** Standard training with N′ = 1 (the paper's baselines). */
export const standardStrategies = ['sft', 'rl'] as const

/** True for a strategy the findings treat as BoN-aware. */
export function isBonAware(strategy: string): boolean {
  return Object.hasOwn(bonAwareTargets, strategy)
}

/** How a metric is named in the doc at N. */
export function metricName(metric: 'pass1' | 'passAtN' | 'bestOfN' | 'distinctAtN' | 'hardEasyGain', n: number): string {
  if (metric === 'distinctAtN') return `distinct@${n}`
  if (metric === 'hardEasyGain') return `hard−easy Δpass@${n}`
  return metricLabel(metric, n)
}
