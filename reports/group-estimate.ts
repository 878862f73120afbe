import { twoLevelBootstrapCI } from '../core/metrics/two-level-bootstrap.js'
import { deriveSeed } from '../core/rng.js'
import type { CellGroup, MetricName } from './groups.js'
import { metricMatrix } from './groups.js'
import type { Estimate } from './results-schema.js'

/** Bootstrap settings of the seed-pooled estimates (those of results.json). */
export interface EstimateOptions {
  resamples: number
  level: number
  seed: number
}

/**
 * The bootstrap seed of every estimate of one group (or frontier point, named by `key`): it depends
 * on the group alone, not on the metric or N, so all of a group's estimates draw the same resamples
 * of seeds and prompts. Equal per-prompt values then get equal CIs wherever they are printed: pass@1
 * and pass@N at N = 1, Bo-N and pass@N under an oracle verifier, a selection rule and Bo-N.
 */
export function estimateSeed(opts: EstimateOptions, key: string): number {
  return deriveSeed(opts.seed, key)
}

/** A group's metric at N pooled over its seeds, with a two-level (seeds × prompts) bootstrap CI. */
export function estimateOf(group: CellGroup, metric: MetricName, n: number, opts: EstimateOptions, key = group.groupId): Estimate {
  return estimateOfMatrix(metricMatrix(group, metric, n), opts, key)
}

/** The mean of `values[seed][prompt]` with its two-level bootstrap CI, drawn from {@link estimateSeed}. */
export function estimateOfMatrix(values: readonly (readonly number[])[], opts: EstimateOptions, key: string): Estimate {
  const ci = twoLevelBootstrapCI(values, { resamples: opts.resamples, level: opts.level, seed: estimateSeed(opts, key) })
  return { value: ci.mean, ci: [ci.lower, ci.upper] }
}
