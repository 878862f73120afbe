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
    })
  })
  return out as SampleResult[]
}
