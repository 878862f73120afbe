/**
 * Test harness for weight rules (DESIGN §2.2 "How to test a rule"): one prompt, a handful of
 * answers under the real `tabular` model, so π, p_fail, π_bon and every expectation can be
 * written out independently of the rules; plus a seeded Monte Carlo driver that averages a rule's
 * update Σ wᵢ ∇log π(yᵢ) in logit space over many groups.
 */
import { expect } from 'vitest'
import { createRng } from '../../../core/rng.js'
import type { WeightedSequence } from '../../../core/plugin-api/model.js'
import type { ScoredGroup, ScoredSample, StrategyOutput, StrategyParams, StrategyPlugin } from '../../../core/plugin-api/strategy.js'
import { softmax, tabular, type TabularInstance } from '../../../plugins/models/tabular/index.js'

/** The enumerable policy of one prompt: answers with logits, environment rewards R and verifier scores r. */
export interface Setup {
  answers: string[]
  logits: number[]
  R: number[]
  r: number[]
  /** Logits of the frozen reference policy (vbon, bond); defaults to `logits`. */
  refLogits?: number[]
  /** Index of the expert answer (sft, bon-sft). */
  expert?: number
}

export const PROMPT = 'q: pick one\nchoices: a | b | c | d | e\nanswer:'

/** e_y − π: ∇_θ log π(y) in logit space. */
export function grad(pi: readonly number[], y: number): number[] {
  return pi.map((p, k) => (k === y ? 1 : 0) - p)
}

export function add(acc: number[], v: readonly number[], scale = 1): number[] {
  for (let k = 0; k < acc.length; k++) acc[k]! += scale * v[k]!
  return acc
}

export function zeros(n: number): number[] {
  return new Array<number>(n).fill(0)
}

export function norm(v: readonly number[]): number {
  return Math.sqrt(v.reduce((a, b) => a + b * b, 0))
}

/** p_fail = P_π(R < 1). */
export function failRate(pi: readonly number[], R: readonly number[]): number {
  return pi.reduce((acc, p, k) => acc + (R[k]! >= 1 ? 0 : p), 0)
}

/**
 * π_bon by DESIGN §2.1 with random tie-breaking: π(y)·[F(r_y)^N − F⁻(r_y)^N]/[F(r_y) − F⁻(r_y)],
 * F(s) = P(r ≤ s), F⁻(s) = P(r < s).
 */
export function bonDistribution(pi: readonly number[], scores: readonly number[], n: number): number[] {
  return pi.map((p, y) => {
    let F = 0
    let Fm = 0
    for (let k = 0; k < pi.length; k++) {
      if (scores[k]! <= scores[y]!) F += pi[k]!
      if (scores[k]! < scores[y]!) Fm += pi[k]!
    }
    return F - Fm === 0 ? 0 : (p * (F ** n - Fm ** n)) / (F - Fm)
  })
}

/** Calls `visit(tuple, probability)` for every ordered n-tuple of answers drawn i.i.d. from π. */
export function enumerateTuples(pi: readonly number[], n: number, visit: (tuple: number[], prob: number) => void): void {
  const tuple = new Array<number>(n).fill(0)
  const rec = (i: number, prob: number): void => {
    if (i === n) return visit([...tuple], prob)
    for (let k = 0; k < pi.length; k++) {
      if (pi[k] === 0) continue
      tuple[i] = k
      rec(i + 1, prob * pi[k]!)
    }
  }
  rec(0, 1)
}

/** Central finite-difference gradient of J at θ. */
export function finiteDifference(J: (logits: number[]) => number, logits: readonly number[], h = 1e-5): number[] {
  return logits.map((_, k) => {
    const up = [...logits]
    const down = [...logits]
    up[k]! += h
    down[k]! -= h
    return (J(up) - J(down)) / (2 * h)
  })
}

/** C(n, k) as a float. */
export function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0
  let c = 1
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i
  return c
}

/** A Monte Carlo mean of a vector with its per-component standard error. */
export interface McResult {
  mean: number[]
  se: number[]
  groups: number
}

export interface McOptions {
  strategy: StrategyPlugin
  setup: Setup
  nTrain: number
  lambda?: number
  /** K (default: the strategy's needs().policySamples). */
  k?: number
  /** Reference samples per group (default: needs().referenceSamples). */
  m?: number
  groups: number
  seed: number
  /** Problem data (e.g. { pFail }). */
  data?: Record<string, unknown>
  /** Turns the rule's output into a deliberately broken variant. */
  transform?: (out: StrategyOutput, group: ScoredGroup) => WeightedSequence[]
  /**
   * The cell's temperature T (default 1): groups are drawn from π_T = softmax(θ/T) and each
   * sequence moves along ∇θ log π_T(y) = (e_y − π_T)/T, the step the models take at T
   * (test/plugins/models/tabular.test.ts pins the tabular one).
   */
  temperature?: number
}

/**
 * Samples `groups` groups of K answers from the tabular policy (and M reference answers from the
 * reference policy), scores them with the setup's R and r, asks the rule for weights and returns
 * the mean and standard error of Σ wᵢ (e_{yᵢ} − π) over groups (at T ≠ 1: Σ wᵢ (e_{yᵢ} − π_T)/T,
 * samples from π_T). Seeded: the same options give
 * the same numbers.
 */
export async function monteCarloUpdate(o: McOptions): Promise<McResult> {
  return (await monteCarloUpdates(o, [o]))[0]!
}

/** What differs between the rules {@link monteCarloUpdates} runs on the same draws. */
export type McVariant = Pick<McOptions, 'strategy' | 'transform' | 'data'>

/**
 * {@link monteCarloUpdate} for several rules (or broken variants of one) on the same draws: the
 * groups are sampled once, and each variant gets the numbers `monteCarloUpdate({ ...o, ...variant })`
 * gives, bit for bit (its own rng seeded by `o.seed`, its own group objects, the same sums in the same
 * order). The variants must need the same K and M (they draw the same groups).
 */
export async function monteCarloUpdates(o: Omit<McOptions, 'strategy' | 'transform'>, variants: readonly McVariant[]): Promise<McResult[]> {
  const { setup } = o
  const plugin = tabular({ answers: setup.answers })
  const policy = (await plugin.create({ seed: 1, corpus: '', concurrency: 1 })) as TabularInstance
  policy.setLogits(PROMPT, setup.logits)
  const reference = (await policy.clone()) as TabularInstance
  reference.setLogits(PROMPT, setup.refLogits ?? setup.logits)
  const T = o.temperature ?? 1
  const pi = policy.policy(PROMPT, T)
  const counts = variants.map((v) => {
    const needs = v.strategy.needs({ nTrain: o.nTrain })
    return { K: o.k ?? needs.policySamples, M: o.m ?? needs.referenceSamples ?? 0 }
  })
  const { K, M } = counts[0]!
  if (counts.some((c) => c.K !== K || c.M !== M)) throw new Error(`monteCarloUpdates: the variants need different sample counts ${JSON.stringify(counts)}`)
  const index = new Map(setup.answers.map((a, i) => [a, i]))
  const scored = (text: string): ScoredSample => {
    const i = index.get(text)!
    return { completion: text, reward: setup.R[i]!, score: setup.r[i]! }
  }
  const requests = (n: number, salt: number) =>
    Array.from({ length: o.groups }, (_, g) => ({ promptId: 'q', prompt: PROMPT, n, temperature: T, seed: o.seed * 1_000_003 + g * 7 + salt }))
  const policySamples = await policy.sample(requests(K, 1))
  const referenceSamples = M > 0 ? await reference.sample(requests(M, 2)) : undefined
  const A = setup.answers.length
  // ∇log π(y) for each answer, computed once: grad(pi, y) is the same array of numbers every time.
  const grads = setup.answers.map((_, y) => grad(pi, y))
  return variants.map((variant) => {
    const data = variant.data ?? o.data
    const rng = createRng(o.seed)
    const params: StrategyParams = { nTrain: o.nTrain, lambda: o.lambda ?? 0, rng }
    const sum = zeros(A)
    const sumSq = zeros(A)
    const problem = { id: 'q', prompt: PROMPT, ...(data ? { data } : {}) }
    for (let g = 0; g < o.groups; g++) {
      const group: ScoredGroup = { problem, policy: policySamples[g]!.completions.map((c) => scored(c.text)) }
      if (referenceSamples) group.reference = referenceSamples[g]!.completions.map((c) => scored(c.text))
      if (setup.expert !== undefined) {
        group.expert = setup.answers[setup.expert]!
        group.expertScored = scored(group.expert)
      }
      const out = variant.strategy.weights(group, params)
      const sequences = variant.transform ? variant.transform(out, group) : out.sequences
      const u = zeros(A)
      for (const s of sequences) add(u, grads[index.get(s.completion)!]!, s.weight / T)
      for (let k = 0; k < A; k++) {
        sum[k]! += u[k]!
        sumSq[k]! += u[k]! ** 2
      }
    }
    const G = o.groups
    const mean = sum.map((s) => s / G)
    const se = sumSq.map((s, k) => Math.sqrt(Math.max(0, s / G - mean[k]! ** 2) / (G - 1)))
    return { mean, se, groups: G }
  })
}

/** The verdict of one expectation check. */
export interface CheckResult {
  ok: boolean
  /** ‖SE‖ / ‖expected‖ (must be < 0.05). */
  seRatio: number
  /** ‖mean − expected‖ / ‖SE‖: the deviation in standard errors (must be ≤ zLimit). */
  z: number
}

/**
 * The DESIGN §2.2 check: the Monte Carlo standard error is below 5% of the expectation's norm
 * and the mean lies within `zLimit` standard errors of the expectation, measured as Euclidean
 * norms in logit space (a per-component z misfires on answers so rare that no group picks them).
 */
export function checkExpectation(mc: McResult, expected: readonly number[], zLimit = 4): CheckResult {
  const seRatio = norm(mc.se) / norm(expected)
  const z = norm(mc.mean.map((m, k) => m - expected[k]!)) / Math.max(norm(mc.se), 1e-12)
  return { ok: seRatio < 0.05 && z <= zLimit, seRatio, z }
}

/** Probabilities of the setup's policy, reference policy. */
export function policyOf(setup: Setup): { pi: number[]; piRef: number[] } {
  return { pi: softmax(setup.logits), piRef: softmax(setup.refLogits ?? setup.logits) }
}

/** Broken variants built from a rule's output. */
export const broken = {
  flipSign: (out: StrategyOutput): WeightedSequence[] => out.sequences.map((s) => ({ ...s, weight: -s.weight })),
  dropNegative: (out: StrategyOutput): WeightedSequence[] => out.sequences.filter((s) => s.weight > 0),
  absolute: (out: StrategyOutput): WeightedSequence[] => out.sequences.map((s) => ({ ...s, weight: Math.abs(s.weight) })),
  scale:
    (factor: number) =>
    (out: StrategyOutput): WeightedSequence[] =>
      out.sequences.map((s) => ({ ...s, weight: factor * s.weight })),
}

/** Asserts the rule's Monte Carlo mean matches `expected` (SE < 5% of its norm, deviation within 4 SE). */
export function expectMatch(mc: McResult, expected: readonly number[]): void {
  const check = checkExpectation(mc, expected)
  if (process.env.RULE_DEBUG) console.log('match', check)
  expect(check.seRatio, `SE is ${(100 * check.seRatio).toFixed(1)}% of the norm`).toBeLessThan(0.05)
  expect(check.z, `mean ${fmt(mc.mean)} vs expected ${fmt(expected)}`).toBeLessThanOrEqual(4)
}

/** Asserts a broken variant fails the same check. */
export function expectMismatch(mc: McResult, expected: readonly number[]): void {
  const check = checkExpectation(mc, expected)
  if (process.env.RULE_DEBUG) console.log('mismatch', check)
  expect(check.ok, `broken variant passed: mean ${fmt(mc.mean)} vs expected ${fmt(expected)}`).toBe(false)
}

function fmt(v: readonly number[]): string {
  return `[${v.map((x) => x.toFixed(4)).join(', ')}]`
}

/** The standard setup: five answers, two correct (R), an imperfect verifier r with a tie (c = d) that ranks a wrong answer (b) first. */
export const standardSetup: Setup = {
  answers: ['a', 'b', 'c', 'd', 'e'],
  logits: [0.6, 0.1, -0.2, 0.3, -0.8],
  R: [1, 0, 0, 1, 0],
  r: [0.8, 0.9, 0.3, 0.3, 0.1],
}

/** ∇E_π[v] by finite differences of the enumerated mean. */
export function gradMean(setup: Setup, values: readonly number[]): number[] {
  return finiteDifference((logits) => softmax(logits).reduce((acc, p, k) => acc + p * values[k]!, 0), setup.logits)
}

/** ∇pass@N = ∇(1 − p_fail^N) by finite differences. */
export function gradPassAtN(setup: Setup, n: number): number[] {
  return finiteDifference((logits) => 1 - failRate(softmax(logits), setup.R) ** n, setup.logits)
}
