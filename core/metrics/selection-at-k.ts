import { BenchError } from '../errors.js'
import { deriveSeed } from '../rng.js'
import { groupAnswers } from './answer-groups.js'
import { bestOfN } from './best-of-n.js'
import { assertPoolAndK } from './binomial.js'
import { majorityAtK } from './majority-at-k.js'
import { type SelectionRule, selectionRuleId } from './selection-rules.js'
import { subsetExpectation } from './subset-expectation.js'
import { type PoolView, rbonWdPick, srbonKlPick, weightedMajorityPick, weightedScratch } from './subset-picks.js'

/** One sample as the selection rules see it. `logProb` is needed by `rbon-kl` only, `text` by `rbon-wd` with the text cost. */
export interface SelectionSample {
  reward: number
  /** The verifier score r the rules select by. */
  score: number
  answer?: string
  text?: string
  /** log π_ref(y): the log-probability of the completion under the model that drew the pool (T = 1). */
  logProb?: number
}

/** A rule's value for each k of a grid, aligned with it: the value, its standard error (0 where exact), and whether it is exact. */
export interface SelectionCurve {
  values: number[]
  stdErr: number[]
  exact: boolean[]
}

/** Settings of {@link selectionAtK}. */
export interface SelectionAtKOptions {
  /** Seed of the Monte Carlo estimates; each (rule, k) draws from its own derived stream. */
  seed: number
  /** Random k-subsets per Monte Carlo estimate (default 4000). */
  draws?: number
  /** Largest C(n, k) enumerated exactly (default 50,000). */
  enumerationLimit?: number
}

/**
 * Why a rule cannot be evaluated on this pool, or undefined when it can: `rbon-kl` needs a finite
 * log-probability on every sample, which a pool carries only when the run kept them (a rule that
 * needs them was configured) and the model gave them.
 */
export function selectionUnavailable(rule: SelectionRule, samples: readonly SelectionSample[]): string | undefined {
  if (rule.rule === 'rbon-kl' && samples.some((s) => s.logProb === undefined || !Number.isFinite(s.logProb))) {
    return 'rbon-kl needs log π_ref(y) of every sample, and this pool has samples without a finite log-probability (the model gave none, or the pools were drawn before the rule was configured)'
  }
  return undefined
}

/**
 * The expected reward R of a rule's pick from a uniformly random k-subset of one prompt's pool,
 * for each k of `ks` (DESIGN §2.3, docs/selection-rules.md). `argmax` and `rbon-kl` (argmax of the
 * per-sample objective r + β·log π_ref) are exact by order statistics (`bestOfN`); `majority` is
 * maj@k (`majorityAtK`); `weighted-majority`, `rbon-wd` and `srbon-kl`, whose pick depends on the
 * whole subset, are exact by enumeration where C(n, k) ≤ `enumerationLimit` and otherwise a
 * seeded Monte Carlo estimate with its standard error. Throws BENCH_USAGE for k ∉ 1..n, a
 * non-finite reward or score, or a rule whose inputs the pool lacks ({@link selectionUnavailable}).
 */
export function selectionAtK(samples: readonly SelectionSample[], ks: readonly number[], rule: SelectionRule, opts: SelectionAtKOptions): SelectionCurve {
  const id = selectionRuleId(rule)
  for (const k of ks) assertPoolAndK(samples.length, k, id)
  const missing = selectionUnavailable(rule, samples)
  if (missing) throw new BenchError('BENCH_USAGE', missing)
  const exactCurve = (values: number[]): SelectionCurve => ({ values, stdErr: values.map(() => 0), exact: values.map(() => true) })
  switch (rule.rule) {
    case 'argmax':
      return exactCurve(bestOfN(samples, ks))
    case 'rbon-kl':
      return exactCurve(
        bestOfN(
          samples.map((s) => ({ reward: s.reward, score: s.score + rule.beta * s.logProb! })),
          ks,
        ),
      )
    case 'majority': {
      const m = majorityAtK(samples, ks, { seed: opts.seed, ...(opts.draws !== undefined ? { monteCarloSamples: opts.draws } : {}) })
      return { values: m.values, stdErr: m.stdErr, exact: m.exact }
    }
    default:
      return subsetCurve(samples, ks, rule, id, opts)
  }
}

function subsetCurve(samples: readonly SelectionSample[], ks: readonly number[], rule: SelectionRule, id: string, opts: SelectionAtKOptions): SelectionCurve {
  const n = samples.length
  const view: PoolView = {
    rewards: Float64Array.from(samples, (s) => s.reward),
    scores: Float64Array.from(samples, (s) => s.score),
    groups: groupAnswers(samples),
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(view.scores[i])) throw new BenchError('BENCH_USAGE', `${id}: every sample needs a finite score (got ${view.scores[i]})`)
  }
  if (rule.rule === 'rbon-wd') Object.assign(view, costClasses(samples, rule.cost))
  const scratch = weightedScratch(view.groups.counts.length)
  const counts = new Int32Array(view.classes ?? 0)
  const valueOf = (subset: Int32Array, k: number): number => {
    if (rule.rule === 'weighted-majority') return weightedMajorityPick(view, subset, k, scratch)
    if (rule.rule === 'rbon-wd') return rbonWdPick(view, subset, k, rule.beta, counts)
    if (rule.rule === 'srbon-kl') return srbonKlPick(view, subset, k, rule.beta)
    throw new Error(`no per-subset pick for ${id}`)
  }
  const curve: SelectionCurve = { values: [], stdErr: [], exact: [] }
  for (const k of ks) {
    const e = subsetExpectation(n, k, valueOf, {
      seed: deriveSeed(opts.seed, id, k),
      ...(opts.draws !== undefined ? { draws: opts.draws } : {}),
      ...(opts.enumerationLimit !== undefined ? { enumerationLimit: opts.enumerationLimit } : {}),
    })
    curve.values.push(e.value)
    curve.stdErr.push(e.stdErr)
    curve.exact.push(e.exact)
  }
  return curve
}

/**
 * The 0/1 cost of rbon-wd as equivalence classes: 'answer' — samples with the same final answer
 * share a class, a sample without an answer is a class of its own; 'text' — the same completion text.
 */
function costClasses(samples: readonly SelectionSample[], cost: 'answer' | 'text'): { costClass: Int32Array; classes: number } {
  const index = new Map<string, number>()
  const costClass = new Int32Array(samples.length)
  let classes = 0
  samples.forEach((s, i) => {
    const key = cost === 'answer' ? s.answer : s.text
    if (cost === 'text' && key === undefined) throw new BenchError('BENCH_USAGE', 'rbon-wd with the text cost needs each sample’s text')
    if (key === undefined) {
      costClass[i] = classes++
      return
    }
    let c = index.get(key)
    if (c === undefined) {
      c = classes++
      index.set(key, c)
    }
    costClass[i] = c
  })
  return { costClass, classes }
}
