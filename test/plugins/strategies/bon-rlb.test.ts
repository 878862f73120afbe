import { describe, expect, it } from 'vitest'
import { createRng } from '../../../core/rng.js'
import type { ScoredGroup } from '../../../core/plugin-api/strategy.js'
import { bonRlb } from '../../../plugins/strategies/bon-rlb.js'
import { bonRlbP } from '../../../plugins/strategies/bon-rlb-p.js'
import {
  add,
  bonDistribution,
  broken,
  choose,
  expectMatch,
  expectMismatch,
  failRate,
  grad,
  gradMean,
  gradPassAtN,
  monteCarloUpdate,
  monteCarloUpdates,
  policyOf,
  zeros,
  type Setup,
} from './enumerable-policy.js'

// A hard prompt (p_fail ≈ 0.72) with an oracle verifier (r = R): the closed forms of DESIGN §2.2 hold exactly.
const oracle: Setup = { answers: ['a', 'b', 'c', 'd', 'e'], logits: [-0.2, 0.6, 0.3, 0.0, 0.4], R: [1, 0, 0, 1, 0], r: [1, 0, 0, 1, 0] }
const { pi } = policyOf(oracle)
const p = failRate(pi, oracle.R)
const exact = { pFail: p }
const noClip = 1e9

describe('bon-rlb with the exact p (p-fail: exact, oracle verifier)', () => {
  for (const n of [2, 4]) {
    it(`+g⁻ is unbiased for ∇pass@N at N′ = ${n}; −g⁻ (the default) fails that check`, async () => {
      const target = gradPassAtN(oracle, n)
      // +g⁻ is the high-variance form (positive and negative picks nearly cancel): K = 4N′ (B = 4 picks) and more groups.
      const plus = await monteCarloUpdate({
        strategy: bonRlb({ 'neg-sign': 1, 'p-fail': 'exact', clip: noClip, k: 4 * n }),
        setup: oracle,
        nTrain: n,
        data: exact,
        groups: 60000,
        seed: 60 + n,
      })
      expectMatch(plus, target)
      const minus = await monteCarloUpdate({
        strategy: bonRlb({ 'p-fail': 'exact', clip: noClip }),
        setup: oracle,
        nTrain: n,
        data: exact,
        groups: 10000,
        seed: 60 + n,
      })
      expectMismatch(minus, target)
    })

    it(`−g⁻ is ∇pass@N inflated by (1+p)/(1−p) at N′ = ${n}; +g⁻ fails that check`, async () => {
      const inflated = gradPassAtN(oracle, n).map((g) => ((1 + p) / (1 - p)) * g)
      // Both signs on the same draws (each as monteCarloUpdate would run it alone).
      const [minus, plus] = await monteCarloUpdates({ setup: oracle, nTrain: n, data: exact, groups: 10000, seed: 70 + n }, [
        { strategy: bonRlb({ 'p-fail': 'exact', clip: noClip }) },
        { strategy: bonRlb({ 'neg-sign': 1, 'p-fail': 'exact', clip: noClip }) },
      ])
      expectMatch(minus!, inflated)
      expectMismatch(plus!, inflated)
    })

    it(`bon-rlb-p is unbiased for ∇pass@N at N′ = ${n}; without the (1−p) factor it fails`, async () => {
      const target = gradPassAtN(oracle, n)
      const [rule, noFactor] = await monteCarloUpdates({ setup: oracle, nTrain: n, data: exact, groups: 10000, seed: 80 + n }, [
        { strategy: bonRlbP({ 'p-fail': 'exact' }) },
        { strategy: bonRlbP({ 'p-fail': 'exact' }), transform: broken.scale(1 / (1 - p)) },
      ])
      expectMatch(rule!, target)
      expectMismatch(noFactor!, target)
    })
  }

  it('bon-rlb-p at N′ = 1 is positive-only REINFORCE (ḡ⁺₁ = 1): ∇E_π[R]', async () => {
    expectMatch(await monteCarloUpdate({ strategy: bonRlbP(), setup: oracle, nTrain: 1, groups: 10000, seed: 91 }), gradMean(oracle, oracle.R))
    const group: ScoredGroup = {
      problem: { id: 'q', prompt: 'p' },
      policy: ['a', 'b', 'd', 'e'].map((y) => ({ completion: y, reward: y === 'a' || y === 'd' ? 1 : 0, score: 0 })),
    }
    const weights = bonRlbP()
      .weights(group, { nTrain: 1, lambda: 0, rng: createRng(1) })
      .sequences.map((s) => s.weight)
    expect(weights).toEqual([0.25, 0, 0.25, 0])
  })
})

describe('bon-rlb with the estimated p̂ (the default)', () => {
  // An imperfect verifier (r ranks the failure b first and ties the failure c with the success d). The pick
  // follows R, not r; p̂ counts R among the K − N′ samples outside the pick's subset, so it is independent of the pick.
  const learned: Setup = { ...oracle, r: [0.8, 0.9, 0.3, 0.3, 0.1] }
  const gPlus = (n: number, q: number) => (n * q ** (n - 1)) / (1 - q ** n)
  const gMinus = (n: number, q: number) => (n * q) / (1 - q)

  /**
   * E[update] = Σ_y π_bon(y)∇log π(y)·E_p̂[clip(weight)] with π_bon the BoN distribution of selection by
   * `judge` (R for the rule), p̂ = Binomial(K−N′, p)/(K−N′) clipped into [1/(K+1), K/(K+1)], independent of the pick.
   */
  function expected(n: number, K: number, clip: number, negSign: number, judge: number[] = learned.R): number[] {
    const m = K - n
    let ePlus = 0
    let eMinus = 0
    for (let c = 0; c <= m; c++) {
      const prob = choose(m, c) * p ** c * (1 - p) ** (m - c)
      const q = Math.min(Math.max(c / m, 1 / (K + 1)), K / (K + 1))
      ePlus += prob * Math.min(gPlus(n, q), clip)
      eMinus += prob * Math.min(gMinus(n, q), clip)
    }
    const bon = bonDistribution(pi, judge, n)
    return bon.reduce((acc, b, y) => add(acc, grad(pi, y), b * (learned.R[y]! >= 1 ? ePlus : negSign * eMinus)), zeros(pi.length))
  }

  for (const n of [2, 4]) {
    it(`matches the binomial expectation over R-selected picks with the default clip N′ = ${n}; without the clip, or picking by r, it fails`, async () => {
      const K = 2 * n
      const want = expected(n, K, n, -1)
      // The rule, without its clip, and picking by r, on the same draws.
      const [mc, noClipMc, byVerifier] = await monteCarloUpdates({ setup: learned, nTrain: n, groups: 10000, seed: 100 + n }, [
        { strategy: bonRlb() },
        { strategy: bonRlb({ clip: noClip }) },
        { strategy: bonRlb({ select: 'verifier' }) },
      ])
      expectMatch(mc!, want)
      // The same expectation written for r-selected picks is not what the rule does.
      expectMismatch(mc!, expected(n, K, n, -1, learned.r))
      expectMismatch(noClipMc!, want)
      expectMismatch(byVerifier!, want)
      expectMatch(
        await monteCarloUpdate({ strategy: bonRlb({ 'neg-sign': 1 }), setup: learned, nTrain: n, groups: 20000, seed: 110 + n }),
        expected(n, K, n, 1),
      )
      // select: 'verifier' (biased, kept as an option) does what it says: the same binomial form over r-selected picks.
      expectMatch(
        await monteCarloUpdate({ strategy: bonRlb({ select: 'verifier' }), setup: learned, nTrain: n, groups: 20000, seed: 120 + n }),
        expected(n, K, n, -1, learned.r),
      )
    })
  }

  it('reports how often the clip bites (clipped / weighted) and declares K = max(2N′, 4)', () => {
    // All four fail: p̂ = 1, clipped into [1/5, 4/5] → 4/5; g⁻ = 2·0.8/0.2 = 8 > clip 2, so both picks weigh −2/B = −1.
    const group: ScoredGroup = { problem: { id: 'q', prompt: 'p' }, policy: ['b', 'c', 'e', 'b'].map((y) => ({ completion: y, reward: 0, score: 0 })) }
    const out = bonRlb().weights(group, { nTrain: 2, lambda: 0, rng: createRng(3) })
    expect(out.stats).toEqual({ weighted: 2, clipped: 2, picks: 2 })
    expect(out.sequences.map((s) => s.weight).sort()).toEqual([-1, -1, 0, 0])
    expect(bonRlb().needs({ nTrain: 4 })).toEqual({ policySamples: 8 })
    expect(bonRlbP().needs({ nTrain: 1 })).toEqual({ policySamples: 4 })
    // @ts-expect-error -- options are typed from the schema; these check the run-time rejection
    expect(() => bonRlbP({ 'neg-sign': 1 })).toThrow(/bonbench:bon-rlb-p: invalid options: unknown option 'neg-sign'/)
    // @ts-expect-error -- as above
    expect(() => bonRlb({ 'neg-sign': 2 })).toThrow(/bonbench:bon-rlb/)
    // @ts-expect-error -- as above
    expect(() => bonRlb({ select: 'oracle' })).toThrow(/select: Invalid option: expected one of "reward"\|"verifier" \(got "oracle"\)/)
    expect([bonRlb().selection, bonRlbP().selection, bonRlb({ select: 'verifier' }).selection, bonRlbP({ select: 'verifier' }).selection]).toEqual([
      'reward',
      'reward',
      'verifier',
      'verifier',
    ])
    expect(bonRlb({ select: 'verifier' }).meta.description).toMatch(/BIASED.*not the gradient of pass@N/)
    expect(bonRlb().meta.description).not.toMatch(/BIASED/)
    expect(() => bonRlb({ 'p-fail': 'exact' }).weights(group, { nTrain: 2, lambda: 0, rng: createRng(3) })).toThrow(/pFail/)
  })

  it('refuses a graded reward, naming the prompt and sample: g⁺/g⁻ weigh a pick that succeeds or fails, and R = 0.9 was pushed down as a failure', () => {
    const group: ScoredGroup = {
      problem: { id: 'q7', prompt: 'p' },
      policy: [0.9, 0, 0, 0, 0.9, 0, 0, 0].map((reward, i) => ({ completion: `y${i}`, reward, score: i })),
    }
    for (const strategy of [bonRlb(), bonRlbP()])
      expect(() => strategy.weights(group, { nTrain: 2, lambda: 0, rng: createRng(3) })).toThrow(
        /needs binary rewards R ∈ \{0, 1\} .*prompt q7 sample 0 has R = 0\.9/,
      )
    // 0 and 1 (true/false read as 1/0) are fine.
    const binary: ScoredGroup = { ...group, policy: group.policy.map((s) => ({ ...s, reward: s.reward > 0 ? 1 : 0 })) }
    expect(() => bonRlb().weights(binary, { nTrain: 2, lambda: 0, rng: createRng(3) })).not.toThrow()
  })

  it('an exact p of 1 (a prompt never solved): bon-rlb-p weighs the failed picks 0, not 0 × ∞; bon-rlb clips −∞ to −N′', () => {
    const group: ScoredGroup = {
      problem: { id: 'q', prompt: 'p', data: { pFail: 1 } },
      policy: ['b', 'c', 'e', 'b'].map((y) => ({ completion: y, reward: 0, score: 0 })),
    }
    const positive = bonRlbP({ 'p-fail': 'exact' }).weights(group, { nTrain: 2, lambda: 0, rng: createRng(3) })
    expect(positive.sequences.map((s) => s.weight)).toEqual([0, 0, 0, 0])
    expect(positive.stats).toEqual({ weighted: 0, clipped: 0, picks: 2 })
    const signed = bonRlb({ 'p-fail': 'exact' }).weights(group, { nTrain: 2, lambda: 0, rng: createRng(3) })
    expect(signed.sequences.map((s) => s.weight).sort()).toEqual([-1, -1, 0, 0])
    expect(signed.stats).toEqual({ weighted: 2, clipped: 2, picks: 2 })
  })
})
