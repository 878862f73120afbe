import { z } from 'zod'
import { BenchError } from '../errors.js'

/**
 * Selection rules (DESIGN §2.3): how one of N candidates is picked. Each is evaluated from the
 * same pool as pass@N and Bo-N, as the expected reward R of its pick over uniformly random
 * N-subsets of the pool (docs/selection-rules.md).
 *
 * - `argmax`: the candidate with the highest verifier score r (Bo-N).
 * - `majority`: the most frequent final answer (maj@N).
 * - `weighted-majority`: the final answer whose candidates' summed r is largest.
 * - `rbon-kl`: argmax of r(y) + β·log π_ref(y) — RBoN with the KL proximity term of Jinnai et
 *   al. (2024): for the point mass on y, KL(δ_y ‖ π_ref) = −log π_ref(y).
 * - `rbon-wd`: argmax of r(y) − β·(1/N)·Σ_{y′∈S} c(y, y′) — RBoN with the Wasserstein proximity
 *   term to the subset's empirical distribution (an MBR-style term), c a 0/1 cost.
 * - `srbon-kl`: the stochastic variant (SRBoN): a draw from softmax(r/β) over the subset, the
 *   maximiser of E_π[r] − β·KL(π ‖ π̂_S) with π̂_S the subset's empirical (uniform) distribution.
 */
export const SELECTION_RULE_NAMES = ['argmax', 'majority', 'weighted-majority', 'rbon-kl', 'rbon-wd', 'srbon-kl'] as const

/** A selection rule's name. */
export type SelectionRuleName = (typeof SELECTION_RULE_NAMES)[number]

/** A resolved selection rule: its name and options. */
export type SelectionRule =
  | { rule: 'argmax' }
  | { rule: 'majority' }
  | { rule: 'weighted-majority' }
  | { rule: 'rbon-kl'; beta: number }
  | { rule: 'rbon-wd'; beta: number; cost: 'answer' | 'text' }
  | { rule: 'srbon-kl'; beta: number }

const beta = z.number().positive({ error: 'must be a number > 0' }).finite().describe('β, the weight of the proximity term (srbon-kl: the softmax temperature)')
const noOptions = z.strictObject({})

/** The options schema of each rule (strict: an unknown option is an error). */
export const selectionRuleOptionSchemas = {
  argmax: noOptions,
  majority: noOptions,
  'weighted-majority': noOptions,
  'rbon-kl': z.strictObject({ beta }),
  'rbon-wd': z.strictObject({
    beta,
    cost: z
      .enum(['answer', 'text'])
      .default('answer')
      .describe("c(y, y′): 'answer' — 0 for the same final answer, else 1; 'text' — 0 for the same completion text, else 1"),
  }),
  'srbon-kl': z.strictObject({ beta }),
} satisfies Record<SelectionRuleName, z.ZodObject>

const ruleName = z.enum(SELECTION_RULE_NAMES, { error: `must be one of ${SELECTION_RULE_NAMES.join(', ')}` })

/** How a config names a rule: `'majority'` or `['rbon-kl', { beta: 0.1 }]`. */
export const selectionRuleRefSchema = z.union([ruleName, z.tuple([ruleName, z.record(z.string(), z.unknown())])], {
  error: `must be a rule name or [name, options], the name one of ${SELECTION_RULE_NAMES.join(', ')}`,
})

/** A rule as a config writes it. */
export type SelectionRuleRef = z.input<typeof selectionRuleRefSchema>

/** The rules every run evaluates (Bo-N and maj@N); listing them in `eval.selectionRules` adds nothing. */
export const DEFAULT_SELECTION_RULES: readonly SelectionRule[] = [{ rule: 'argmax' }, { rule: 'majority' }]

/** The stable id of a rule: its name, then its options in a fixed order (`rbon-wd(beta=0.5,cost=answer)`). */
export function selectionRuleId(rule: SelectionRule): string {
  switch (rule.rule) {
    case 'rbon-kl':
    case 'srbon-kl':
      return `${rule.rule}(beta=${rule.beta})`
    case 'rbon-wd':
      return `${rule.rule}(beta=${rule.beta},cost=${rule.cost})`
    default:
      return rule.rule
  }
}

/** A short human label of a rule (`Bo-N`, `maj@N`, `RBoN-KL β=0.1`). */
export function selectionRuleLabel(rule: SelectionRule): string {
  switch (rule.rule) {
    case 'argmax':
      return 'Bo-N'
    case 'majority':
      return 'maj@N'
    case 'weighted-majority':
      return 'weighted maj@N'
    case 'rbon-kl':
      return `RBoN-KL β=${rule.beta}`
    case 'rbon-wd':
      return `RBoN-WD β=${rule.beta}${rule.cost === 'text' ? ' (text)' : ''}`
    case 'srbon-kl':
      return `SRBoN-KL β=${rule.beta}`
  }
}

/** Whether a rule needs each sample's log-probability under the model that drew the pool. */
export function needsLogProb(rule: SelectionRule): boolean {
  return rule.rule === 'rbon-kl'
}

/**
 * Resolves the rules a config lists (`eval.selectionRules`): validates each rule's options
 * against its schema, applies defaults, and refuses a rule listed twice. Throws BENCH_CONFIG_INVALID
 * naming the entry and the fix. Runs once when the config is resolved.
 */
export function resolveSelectionRules(refs: readonly SelectionRuleRef[] | undefined): SelectionRule[] {
  const out: SelectionRule[] = []
  const seen = new Set<string>()
  ;(refs ?? []).forEach((ref, i) => {
    const [name, options] = typeof ref === 'string' ? [ref, {}] : ref
    const parsed = selectionRuleOptionSchemas[name].safeParse(options)
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`).join('; ')
      throw new BenchError(
        'BENCH_CONFIG_INVALID',
        `eval.selectionRules[${i}] (${name}): invalid options: ${problems}. Write it as ['${name}', { … }]; see docs/selection-rules.md for each rule's options`,
      )
    }
    const rule = { rule: name, ...parsed.data } as SelectionRule
    const id = selectionRuleId(rule)
    if (seen.has(id)) throw new BenchError('BENCH_CONFIG_INVALID', `eval.selectionRules[${i}]: ${id} is listed twice; list each rule once`)
    seen.add(id)
    out.push(rule)
  })
  return out
}

/** The rules beyond the defaults (Bo-N and maj@N, always computed): those that add curves of their own. */
export function extraSelectionRules(rules: readonly SelectionRule[]): SelectionRule[] {
  return rules.filter((r) => r.rule !== 'argmax' && r.rule !== 'majority')
}
