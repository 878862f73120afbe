import { bestOfN } from '../metrics/best-of-n.js'
import { bootstrapCI } from '../metrics/bootstrap.js'
import { distinctAtK } from '../metrics/distinct-at-k.js'
import { majorityAtK } from '../metrics/majority-at-k.js'
import { countCorrect, passAtKCurve } from '../metrics/pass-at-k.js'
import { deriveSeed } from '../rng.js'
import type { CellMetrics, Interval, PromptMetrics, PromptPool } from '../plugin-api/results.js'

/** Settings of `computeCellMetrics`. */
export interface CellMetricsOptions {
  nGrid: readonly number[]
  /** pass@N counts reward ≥ threshold. */
  threshold: number
  /** Bootstrap resamples for the CIs over prompts. */
  bootstrap: number
  seed: number
}

/**
 * Every DESIGN §2.3 metric of one cell from its pools, for every N of the grid: per prompt
 * (pass@N, Bo-N, maj@N, p_fail) and the means over prompts with 95% bootstrap CIs over prompts.
 * N values above a prompt's pool size are skipped by the planner's check (poolSize ≥ max N).
 */
export function computeCellMetrics(pools: readonly PromptPool[], opts: CellMetricsOptions): { metrics: CellMetrics; prompts: PromptMetrics[] } {
  const grid = [...opts.nGrid]
  const majorityErr: number[][] = []
  const prompts: PromptMetrics[] = pools.map((pool) => {
    const rewards = pool.samples.map((s) => s.reward)
    const n = rewards.length
    const c = countCorrect(rewards, opts.threshold)
    const majority = majorityAtK(pool.samples, grid, { seed: deriveSeed(opts.seed, pool.promptId) })
    majorityErr.push(majority.stdErr)
    return {
      promptId: pool.promptId,
      passAtN: passAtKCurve(n, c, grid),
      bestOfN: bestOfN(pool.samples, grid),
      majorityAtN: majority.values,
      pFail: 1 - c / n,
      distinctAtN: distinctAtK(pool.samples, grid),
    }
  })
  const column = (pick: (p: PromptMetrics) => number[], i: number) => prompts.map((p) => pick(p)[i]!)
  const meanOf = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
  const ci = (values: number[], label: string): Interval => {
    const b = bootstrapCI(values, { seed: deriveSeed(opts.seed, label), resamples: opts.bootstrap })
    return [b.lower, b.upper]
  }
  const curve = (pick: (p: PromptMetrics) => number[]) => grid.map((_, i) => meanOf(column(pick, i)))
  const curveCI = (pick: (p: PromptMetrics) => number[], name: string) => grid.map((n, i) => ci(column(pick, i), `${name}@${n}`))
  const allRewards = pools.flatMap((p) => p.samples.map((s) => s.reward))
  const metrics: CellMetrics = {
    grid,
    passAtN: curve((p) => p.passAtN),
    bestOfN: curve((p) => p.bestOfN),
    majorityAtN: curve((p) => p.majorityAtN),
    // SE of a mean of independent per-prompt estimates.
    majorityStdErr: grid.map((_, i) => Math.sqrt(majorityErr.reduce((a, e) => a + e[i]! ** 2, 0)) / prompts.length),
    distinctAtN: curve((p) => p.distinctAtN!),
    pass1: meanOf(
      pools.map(
        (p) =>
          countCorrect(
            p.samples.map((s) => s.reward),
            opts.threshold,
          ) / p.samples.length,
      ),
    ),
    meanReward: meanOf(allRewards),
    ci: { passAtN: curveCI((p) => p.passAtN, 'pass'), bestOfN: curveCI((p) => p.bestOfN, 'bon'), majorityAtN: curveCI((p) => p.majorityAtN, 'maj') },
    threshold: opts.threshold,
  }
  return { metrics, prompts }
}
