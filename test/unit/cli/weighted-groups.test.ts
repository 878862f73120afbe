import { describe, expect, it } from 'vitest'
import { weightGroups, type WeightsOptions } from '../../../cli/weighted-groups.js'
import type { DumpProblem } from '../../../core/metrics/sample-dump.js'
import type { StrategyPlugin } from '../../../core/plugin-api/strategy.js'
import { createRng, deriveSeed } from '../../../core/rng.js'
import { lambdaFor } from '../../../core/train/lambda.js'
import { builtins } from '../../helpers/builtin-factories.js'

// Four samples with distinct verifier scores r, so every BoN pick is unique (no tie-breaking).
const texts = ['w', 'x', 'y', 'z']
const R = [1, 0, 1, 0]
const r = [0.2, 0.9, 0.5, 0.1]
const expertScore = 0.6
const problem = (id: string, samples = 4): DumpProblem => ({
  id,
  prompt: `prompt ${id}`,
  expert: 'e',
  expertScore,
  samples: Array.from({ length: samples }, (_, i) => ({ text: texts[i % 4]!, reward: R[i % 4]!, score: r[i % 4]! })),
})
const c = (a: number, b: number) => (a > b ? 1 : a === b ? 0.5 : 0)
const strategy = (name: string, options: Record<string, unknown>) => builtins[name]!(options) as StrategyPlugin
const settings = (nTrain: number): WeightsOptions => ({ nTrain, lambda: lambdaFor(nTrain), seed: 3, threshold: 1 })

/** bon-rl by its formula for one partition of 0..K−1 into N′-subsets: credit each pick R(pick) − mean of the other picks' R, over B. */
function bonRlFor(partition: number[][], includeDq: boolean, lambda: number): number[] {
  const K = partition.flat().length
  const B = partition.length
  const picks = partition.map((subset) => subset.reduce((best, i) => (r[i]! > r[best]! ? i : best)))
  const w = new Array<number>(K).fill(0)
  picks.forEach((pick, b) => {
    const others = picks.filter((_, j) => j !== b)
    const advantage = R[pick]! - others.reduce((s, o) => s + R[o]!, 0) / (B - 1)
    w[pick]! += advantage / B
    if (includeDq) for (let j = 0; j < K; j++) if (j !== pick) w[j]! += (lambda * advantage * c(r[pick]!, r[j]!)) / (B * (K - 1))
  })
  return w
}

/** bon-sft by its formula for one partition: +1 on the expert, λ·c(e, y_j)/K on each sample, −1/B on each pick and −λ·c(pick, y_j)/(B(K−1)) on the rest. */
function bonSftFor(partition: number[][], lambda: number): number[] {
  const K = partition.flat().length
  const B = partition.length
  const w = r.slice(0, K).map((s) => (lambda * c(expertScore, s)) / K)
  for (const subset of partition) {
    const pick = subset.reduce((best, i) => (r[i]! > r[best]! ? i : best))
    w[pick]! -= 1 / B
    for (let j = 0; j < K; j++) if (j !== pick) w[j]! -= (lambda * c(r[pick]!, r[j]!)) / (B * (K - 1))
  }
  return [...w, 1]
}

/** The 3 ways to cut 4 samples into 2 pairs: each equally likely under a uniform shuffle. */
const pairings = [
  [
    [0, 1],
    [2, 3],
  ],
  [
    [0, 2],
    [1, 3],
  ],
  [
    [0, 3],
    [1, 2],
  ],
]
const average = (rows: number[][]) => rows[0]!.map((_, i) => rows.reduce((s, row) => s + row[i]!, 0) / rows.length)

describe('bench weights: the strategy’s own weights per group', () => {
  it('are exactly what the strategy’s weights() returns for the same group and seeded rng', () => {
    for (const [name, options] of [
      ['bon-rl', { k: 4 }],
      ['bon-rlb', { k: 4 }],
      ['bon-sft', { k: 4 }],
      ['rl', { k: 4 }],
    ] as const) {
      const s = strategy(name, options)
      const { lines, groups } = weightGroups([problem('a', 8)], s, settings(2))
      expect(groups).toBe(2)
      for (const g of [0, 1]) {
        const policy = Array.from({ length: 4 }, (_, i) => ({ completion: texts[i]!, reward: R[i]!, score: r[i]! }))
        const group = {
          problem: { id: 'a', prompt: 'prompt a' },
          policy,
          ...(name === 'bon-sft' ? { expert: 'e', expertScored: { completion: 'e', reward: 1, score: expertScore } } : {}),
        }
        const own = s.weights(group, { nTrain: 2, lambda: lambdaFor(2), rng: createRng(deriveSeed(3, 'weights', 'a', g)) })
        const mine = lines.filter((l) => l.group === g)
        expect(mine.map((l) => [l.completion, l.weight])).toEqual(own.sequences.map((q) => [q.completion, q.weight]))
        expect(mine.filter((l) => l.role === 'policy').map((l) => l.sample)).toEqual([0, 1, 2, 3].map((i) => g * 4 + i))
        expect(mine[0]!.group_stats).toMatchObject({ k: 4, n_train: 2, mean_reward: 0.5, n_correct: 2, ...own.stats })
      }
    }
  })

  it('bon-sft with one subset (K = N′ = 4): the brute-force formula, whatever the seed; bon-rl refuses one subset (no baseline)', () => {
    const lambda = lambdaFor(4)
    const all = [[0, 1, 2, 3]]
    expect(() => weightGroups([problem('a')], strategy('bon-rl', { k: 4, 'include-dq': true }), settings(4))).toThrow(/at N′ = 4 the rule needs K ≥ 8/)
    for (const seed of [0, 1, 2]) {
      const o = { ...settings(4), seed }
      const sft = weightGroups([problem('a')], strategy('bon-sft', { k: 4 }), o).lines
      sft.forEach((l, i) => expect(l.weight).toBeCloseTo(bonSftFor(all, lambda)[i]!, 12))
      expect(sft.at(-1)).toMatchObject({ role: 'expert', completion: 'e', weight: 1, score: expertScore })
    }
  })

  it('bon-rl and bon-sft with two subsets (K = 4, N′ = 2): each group is one of the 3 pairings’ brute-force weights, and they average to the enumeration', () => {
    const lambda = lambdaFor(2)
    const problems = Array.from({ length: 1500 }, (_, i) => problem(`p${i}`))
    for (const [name, options, formula] of [
      ['bon-rl', { k: 4, 'include-dq': true }, (p: number[][]) => bonRlFor(p, true, lambda)],
      ['bon-sft', { k: 4 }, (p: number[][]) => bonSftFor(p, lambda)],
    ] as const) {
      const { lines } = weightGroups(problems, strategy(name, options), settings(2))
      const candidates = pairings.map(formula)
      const perGroup = problems.map((p) => lines.filter((l) => l.prompt_id === p.id).map((l) => l.weight))
      const seen = new Set<string>()
      for (const weights of perGroup) {
        const which = candidates.findIndex((cand) => cand.every((w, i) => Math.abs(w - weights[i]!) < 1e-12))
        expect(which, `${name}: ${JSON.stringify(weights)} is no pairing's weights`).toBeGreaterThanOrEqual(0)
        seen.add(JSON.stringify(candidates[which]))
      }
      // Every distinct outcome of the pairings turns up (two pairings may give the same picks).
      expect(seen).toEqual(new Set(candidates.map((cand) => JSON.stringify(cand))))
      // Each pairing has probability 1/3: the mean weight per sample is within 5 standard errors of the exact expectation.
      const mean = average(perGroup)
      const exact = average(candidates)
      const spread = candidates.map((cand) => Math.max(...cand.map((w, i) => Math.abs(w - exact[i]!))))
      mean.forEach((m, i) => expect(Math.abs(m - exact[i]!)).toBeLessThanOrEqual((5 * Math.max(...spread)) / Math.sqrt(problems.length) + 1e-12))
    }
  })

  it('cuts groups in dump order and counts leftovers; r = R without scores; refuses what it cannot weight', () => {
    const out = weightGroups([problem('a', 6)], strategy('rl', { k: 4 }), settings(1))
    expect(out).toMatchObject({ groups: 1, leftover: 2, oracle: false })
    const unscored: DumpProblem = { id: 'u', prompt: 'P', samples: [0, 1, 1, 0].map((reward, i) => ({ reward, text: `t${i}` })) }
    const oracle = weightGroups([unscored], strategy('bon-rl', { k: 4 }), settings(2))
    expect(oracle.oracle).toBe(true)
    expect(oracle.lines.map((l) => l.score)).toEqual([0, 1, 1, 0])
    expect(() => weightGroups([problem('a')], strategy('vbon', {}), settings(2))).toThrow(/reference policy/)
    expect(() => weightGroups([{ ...unscored, prompt: undefined }], strategy('rl', { k: 4 }), settings(1))).toThrow(/'u' has no prompt/)
    expect(() => weightGroups([{ ...unscored, samples: [{ reward: 1 }, { reward: 0, text: 'b' }] }], strategy('rl', { k: 2 }), settings(1))).toThrow(
      /sample 0 of 'u' has no text/,
    )
    expect(() => weightGroups([unscored], strategy('bon-sft', { k: 4 }), settings(2))).toThrow(/needs an expert solution, but problem 'u' has none/)
    expect(() => weightGroups([{ ...problem('a'), expertScore: undefined }], strategy('bon-sft', { k: 4 }), settings(2))).toThrow(/add "expert_score"/)
    expect(() => weightGroups([problem('a', 3)], strategy('bon-rl', { k: 4 }), settings(2))).toThrow(/has 3 samples, fewer than the 4/)
  })
})
