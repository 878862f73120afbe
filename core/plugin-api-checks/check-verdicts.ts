import type { Verdict, VerifierPlugin, VerifyItem } from '../plugin-api/verifier.js'
import { describeValue, pluginContractError } from './contract-error.js'

/**
 * Checks a verifier's `score()` answer right where the core receives it: an array of exactly one
 * verdict per candidate, each with a finite `score`, a string `reason`, a `reward` in [0, 1] when
 * given, a boolean `pass` and a string `answer` when given. Throws BENCH_PLUGIN_CONTRACT naming
 * the verifier, the call, what was expected and what came back; returns the verdicts otherwise.
 */
export function checkVerdicts(verifier: VerifierPlugin, items: readonly VerifyItem[], out: unknown): Verdict[] {
  const call = `score() of ${items.length} candidate(s)`
  const breach = (expected: string, got: string) => pluginContractError({ plugin: verifier.name, kind: 'verifier', call, expected, got })
  if (!Array.isArray(out)) throw breach(`an array of ${items.length} verdicts`, describeValue(out))
  if (out.length !== items.length) throw breach(`${items.length} verdicts (one per candidate, in order)`, `${out.length} verdicts`)
  out.forEach((v: unknown, i) => {
    const where = `verdict ${i} (problem '${items[i]!.problem.id}')`
    if (v === null || typeof v !== 'object') throw breach(`${where} to be an object { score, reason, … }`, describeValue(v))
    const verdict = v as Record<string, unknown>
    if (typeof verdict.score !== 'number' || !Number.isFinite(verdict.score))
      throw breach(`${where} to have a finite number score`, describeValue(verdict.score))
    if (typeof verdict.reason !== 'string') throw breach(`${where} to have a string reason`, describeValue(verdict.reason))
    if (verdict.reward !== undefined && (typeof verdict.reward !== 'number' || !(verdict.reward >= 0 && verdict.reward <= 1)))
      throw breach(`${where} to have a reward in [0, 1] or none`, describeValue(verdict.reward))
    if (verdict.pass !== undefined && typeof verdict.pass !== 'boolean') throw breach(`${where} to have a boolean pass or none`, describeValue(verdict.pass))
    if (verdict.answer !== undefined && typeof verdict.answer !== 'string')
      throw breach(`${where} to have a string answer or none`, describeValue(verdict.answer))
  })
  return out as Verdict[]
}
