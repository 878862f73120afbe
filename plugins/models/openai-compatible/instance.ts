import type OpenAI from 'openai'
import type { ModelDescription, ModelInstance, ModelUsage, SampleRequest, SampleResult } from 'bonbench'
import { ConcurrencyBudget } from 'bonbench'
import { apiFailure, endpointUrl } from './api-client.js'
import { ModelApiError } from './model-api-error.js'
import type { ResolvedOpenAiCompatibleOptions } from './options.js'
import { type ApiAnswer, answerUsage, parseChoices } from './parse-choices.js'
import { RequestCache } from './request-cache.js'
import { type RequestBody, endpointPath, requestBody } from './request-body.js'
import { withRequestSignal } from './request-signal.js'
import { UsageMeter } from './usage-meter.js'

/** What an instance needs: the client, the served model name, and the cache folder when answers are kept. */
export interface InstanceSetup {
  client: OpenAI
  model: string
  options: ResolvedOpenAiCompatibleOptions
  cacheDir?: string
}

/**
 * A ModelInstance that samples over HTTP: one request per prompt (`n` completions each), at most
 * `concurrency` in flight, answers read from and written to the request cache. It has no
 * `update`, `logProb`, `clone` or `save`: it is evaluated, never trained.
 */
export function createApiInstance(setup: InstanceSetup): ModelInstance & { takeUsage(): ModelUsage } {
  const { client, model, options: o } = setup
  const path = endpointPath(o.endpoint)
  const url = endpointUrl(o, path)
  const cache = o.cache && setup.cacheDir !== undefined ? new RequestCache(setup.cacheDir) : undefined
  const inFlight = new ConcurrencyBudget(o.concurrency)
  const meter = new UsageMeter()

  async function answerFor(body: RequestBody, signal?: AbortSignal): Promise<{ answer: ApiAnswer; cached: boolean; key?: string }> {
    const key = cache ? RequestCache.key(path, body) : undefined
    if (cache && key) {
      const hit = await cache.get(key)
      if (hit !== undefined) return { answer: hit as ApiAnswer, cached: true, key }
    }
    try {
      // Each request gets its own signal, linked to the run's (withRequestSignal): no listener is left behind.
      const answer = await withRequestSignal(signal, (own) => client.post<ApiAnswer>(path, { body, signal: own }))
      return { answer, cached: false, key }
    } catch (error) {
      throw apiFailure(error, o, path, model)
    }
  }

  async function sampleOne(request: SampleRequest, signal?: AbortSignal): Promise<SampleResult> {
    const body = requestBody(request, model, o)
    const { answer, cached, key } = await answerFor(body, signal)
    if (answer === null || typeof answer !== 'object' || !Array.isArray(answer.choices))
      throw new ModelApiError('bad-answer', url, `${url} answered without a choices array; is it an OpenAI-compatible server?`)
    const completions = parseChoices(answer)
    if (completions.length < request.n)
      throw new ModelApiError(
        'too-few-choices',
        url,
        `${url} answered ${completions.length} choice(s) for prompt '${request.promptId}' where n = ${request.n} were asked; the server may cap n (then lower --pool-size) or ignore it.`,
      )
    // Only a complete, valid answer is kept: a cache never holds what a fresh request would reject.
    if (cache && key && !cached) await cache.set(key, answer)
    meter.add(answerUsage(answer), cached)
    return { promptId: request.promptId, completions: completions.slice(0, request.n) }
  }

  return {
    async sample(requests, opts) {
      return Promise.all(requests.map((r) => inFlight.run(() => sampleOne(r, opts?.signal))))
    },
    takeUsage: () => meter.take(),
    describe(): ModelDescription {
      return { parameters: 0, backend: 'http', device: o.baseUrl, model, endpoint: o.endpoint }
    },
  }
}
