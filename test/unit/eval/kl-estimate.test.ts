import { describe, expect, it } from 'vitest'
import { klEstimate, type KlSample } from '../../../core/eval/kl-estimate.js'
import { measureKl } from '../../../core/eval/measure-kl.js'
import type { ModelInstance } from '../../../core/plugin-api/model.js'
import type { Problem } from '../../../core/plugin-api/task.js'
import { createRng } from '../../../core/rng.js'
import { tabular, type TabularInstance } from '../../../plugins/models/tabular/index.js'

/** A hand-built pair of distributions over three completions of lengths 1, 4 and 10. */
const seqs = [
  { tokens: 1, pi: 0.5, base: 0.9 },
  { tokens: 4, pi: 0.2, base: 0.05 },
  { tokens: 10, pi: 0.3, base: 0.05 },
]
// Brute force: the exact sequence KL and the mean length under π, by enumeration.
const exactSeq = seqs.reduce((a, s) => a + s.pi * Math.log(s.pi / s.base), 0)
const meanLength = seqs.reduce((a, s) => a + s.pi * s.tokens, 0)

function drawFromPi(n: number, seed: number): KlSample[] {
  const rng = createRng(seed)
  return Array.from({ length: n }, () => {
    let u = rng.next()
    const s = seqs.find((q) => (u -= q.pi) < 0) ?? seqs[seqs.length - 1]!
    return { policyLogProb: Math.log(s.pi), baseLogProb: Math.log(s.base), tokens: s.tokens }
  })
}

describe('klEstimate (per-token KL(π‖π_base) from samples of π)', () => {
  it('converges to the exact sequence KL and to it over the mean length, not to the mean of per-sample ratios', () => {
    const prompts = Array.from({ length: 40 }, (_, i) => ({ promptId: `p${i}`, samples: drawFromPi(500, i + 1) }))
    const kl = klEstimate(prompts, { bootstrap: 400, seed: 3, source: 'pool' })
    if (kl.state !== 'measured') throw new Error(kl.reason)
    expect(kl.perSequence).toBeCloseTo(exactSeq, 1)
    expect(kl.perSequenceCi[0]).toBeLessThan(exactSeq)
    expect(kl.perSequenceCi[1]).toBeGreaterThan(exactSeq)
    // The ratio of means estimates KL_seq / E|y| (slightly biased at finite n, by much less than its CI here).
    expect(Math.abs(kl.perToken - exactSeq / meanLength)).toBeLessThan(0.01)
    expect(kl.meanTokens).toBeCloseTo(meanLength, 1)
    expect(kl.samples).toBe(40 * 500)
    // The rejected estimator, the mean of per-sample ratios, converges to something else — negative here.
    const meanOfRatios = seqs.reduce((a, s) => a + (s.pi * Math.log(s.pi / s.base)) / s.tokens, 0)
    expect(meanOfRatios).toBeLessThan(0)
    expect(exactSeq / meanLength).toBeGreaterThan(0)
  })

  it('is exactly 0 when the policy and the base score every sample the same', () => {
    const samples = drawFromPi(50, 9).map((s) => ({ ...s, baseLogProb: s.policyLogProb }))
    const kl = klEstimate([{ promptId: 'p', samples }], { bootstrap: 10, seed: 0, source: 'pool' })
    expect(kl).toMatchObject({ state: 'measured', perToken: 0, perSequence: 0, ci: [0, 0] })
  })

  it('is absent, not zero, when there is nothing to score or a log-probability is not finite', () => {
    expect(klEstimate([], { bootstrap: 10, seed: 0, source: 'pool' }).state).toBe('absent')
    const bad = klEstimate([{ promptId: 'p', samples: [{ policyLogProb: -1, baseLogProb: -Infinity, tokens: 1 }] }], { bootstrap: 10, seed: 0, source: 'pool' })
    expect(bad).toMatchObject({ state: 'absent' })
  })
})

describe('measureKl on the tabular model (π enumerable: KL by brute force)', () => {
  const answers = ['a', 'b', 'c', 'd']
  const problems: Problem[] = [0, 1, 2].map((i) => ({ id: `q${i}`, prompt: `question ${i}` }))
  const policyLogits = [
    [1, 0, -1, 0.5],
    [0, 2, 0, 0],
    [-1, -1, 1, 0],
  ]
  const baseLogits = [
    [0, 0, 0, 0],
    [0.5, 0, 0, -0.5],
    [0, 0, 0, 0],
  ]
  const exact = (() => {
    const softmax = (l: number[]) => {
      const z = l.reduce((a, v) => a + Math.exp(v), 0)
      return l.map((v) => Math.exp(v) / z)
    }
    return (
      policyLogits.reduce((acc, l, i) => {
        const p = softmax(l)
        const q = softmax(baseLogits[i]!)
        return acc + p.reduce((a, pk, k) => a + pk * Math.log(pk / q[k]!), 0)
      }, 0) / problems.length
    )
  })()

  async function models(): Promise<{ policy: TabularInstance; base: TabularInstance }> {
    const base = (await tabular({ answers }).create({ seed: 1, corpus: '', concurrency: 1 })) as TabularInstance
    problems.forEach((p, i) => base.setLogits(p.prompt, baseLogits[i]!))
    const policy = await base.clone()
    problems.forEach((p, i) => policy.setLogits(p.prompt, policyLogits[i]!))
    return { policy, base }
  }
  const common = { problems, seed: 5, samples: 4000, generation: {}, bootstrap: 200, bootstrapSeed: 1 }

  it('matches the exact KL (one token per answer: per token = per sequence); at T ≠ 1 it draws its own samples at T = 1', async () => {
    const { policy, base } = await models()
    for (const temperature of [1, 2]) {
      const { kl, samplesDrawn } = await measureKl({ ...common, model: policy, reference: base, temperature })
      if (kl.state !== 'measured') throw new Error(kl.reason)
      expect(kl.source).toBe('draw')
      expect(samplesDrawn).toBe(3 * 4000)
      expect(kl.perToken).toBeCloseTo(kl.perSequence, 12)
      expect(Math.abs(kl.perToken - exact)).toBeLessThan(0.03)
    }
  })

  it('reuses the pools at T = 1, gives exactly 0 for the base itself, and is absent for a model without logProb', async () => {
    const { policy, base } = await models()
    const pools = problems.map((p) => ({ promptId: p.id, samples: answers.map((text) => ({ text, reward: 0, score: 0, tokens: 1 })) }))
    const pooled = await measureKl({ ...common, model: policy, reference: base, temperature: 1, pools })
    expect(pooled).toMatchObject({ samplesDrawn: 0, kl: { state: 'measured', source: 'pool', samples: 12 } })
    const self = await measureKl({ ...common, model: base, reference: base, temperature: 1, pools })
    expect(self.kl).toMatchObject({ state: 'measured', perToken: 0, perSequence: 0, ci: [0, 0] })
    const samplingOnly: ModelInstance = { sample: policy.sample.bind(policy), describe: policy.describe.bind(policy) }
    const absent = await measureKl({ ...common, model: samplingOnly, reference: base, modelName: 'remote', temperature: 1, pools })
    expect(absent.kl).toEqual({ state: 'absent', reason: "model 'remote' cannot score log-probabilities (it has no logProb())" })
  })
})
