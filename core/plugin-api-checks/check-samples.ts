import type { SampleRequest, SampleResult } from '../plugin-api/model.js'
import { describeValue, pluginContractError } from './contract-error.js'

/**
 * Checks a model instance's `sample()` answer right where the core receives it: one result per
 * request, in request order (same `promptId`), each with exactly `n` completions whose `text` is a
 * string, `tokens` an array and `logProb` a number. Throws BENCH_PLUGIN_CONTRACT naming the model
 * plugin, the call, what was expected and what came back; returns the results otherwise.
 */
export function checkSampleResults(model: string, requests: readonly SampleRequest[], out: unknown): SampleResult[] {
  const call = `sample() of ${requests.length} request(s)`
  const breach = (expected: string, got: string) => pluginContractError({ plugin: model, kind: 'model', call, expected, got })
  if (!Array.isArray(out)) throw breach(`an array of ${requests.length} results`, describeValue(out))
  if (out.length !== requests.length) throw breach(`${requests.length} results (one per request, in order)`, `${out.length} results`)
  out.forEach((r: unknown, i) => {
    const request = requests[i]!
    const where = `result ${i}`
    if (r === null || typeof r !== 'object') throw breach(`${where} to be an object { promptId, completions }`, describeValue(r))
    const result = r as Record<string, unknown>
    if (result.promptId !== request.promptId)
      throw breach(`${where} for prompt '${request.promptId}' (results in request order)`, `promptId ${describeValue(result.promptId)}`)
    if (!Array.isArray(result.completions))
      throw breach(`${where} (prompt '${request.promptId}') to hold an array of completions`, describeValue(result.completions))
    if (result.completions.length !== request.n)
      throw breach(`n = ${request.n} completions for prompt '${request.promptId}'`, `${result.completions.length} completions`)
    result.completions.forEach((c: unknown, j) => {
      const at = `completion ${j} of prompt '${request.promptId}'`
      if (c === null || typeof c !== 'object') throw breach(`${at} to be an object { text, tokens, logProb, finishReason }`, describeValue(c))
      const completion = c as Record<string, unknown>
      if (typeof completion.text !== 'string') throw breach(`${at} to have a string text`, describeValue(completion.text))
      if (!Array.isArray(completion.tokens)) throw breach(`${at} to have an array of tokens`, describeValue(completion.tokens))
      if (typeof completion.logProb !== 'number' || Number.isNaN(completion.logProb))
        throw breach(`${at} to have a number logProb`, describeValue(completion.logProb))
      if (completion.recorded !== undefined) checkRecorded(completion.recorded, (expected, got) => breach(`${at}: ${expected}`, got))
    })
  })
  return out as SampleResult[]
}

/** A recorded judgement: an object whose reward is in [0, 1], score finite, answer a string (each optional). */
function checkRecorded(recorded: unknown, breach: (expected: string, got: string) => Error): void {
  if (recorded === null || typeof recorded !== 'object') throw breach('recorded to be an object { reward?, score?, answer? }', describeValue(recorded))
  const r = recorded as Record<string, unknown>
  if (r.reward !== undefined && !(typeof r.reward === 'number' && r.reward >= 0 && r.reward <= 1))
    throw breach('recorded.reward to be a number in [0, 1]', describeValue(r.reward))
  if (r.score !== undefined && !(typeof r.score === 'number' && Number.isFinite(r.score)))
    throw breach('recorded.score to be a finite number', describeValue(r.score))
  if (r.answer !== undefined && typeof r.answer !== 'string') throw breach('recorded.answer to be a string', describeValue(r.answer))
}
