import type { SampleRequest } from 'bonbench'
import type { ResolvedOpenAiCompatibleOptions } from './options.js'

/** The JSON body of one `POST /completions` or `/chat/completions`: what is sent, and what the request cache hashes. */
export type RequestBody = Record<string, unknown> & { model: string; n: number }

/**
 * One request of the core as an OpenAI request body: `n`, temperature, `top_p`, `max_tokens`,
 * `stop` and `seed` from the request (the plugin's options fill what the task leaves open). The
 * prompt goes as is to `completions`, as one user message to `chat`. Keys left undefined are
 * dropped, so the body (and its cache key) holds only what the server is told.
 */
export function requestBody(request: SampleRequest, model: string, o: ResolvedOpenAiCompatibleOptions): RequestBody {
  const stop = request.stop && request.stop.length > 0 ? request.stop : o.stop
  const body: Record<string, unknown> = {
    model,
    n: request.n,
    temperature: request.temperature,
    top_p: request.topP ?? o.topP,
    max_tokens: request.maxTokens ?? o.maxTokens,
    stop: stop && stop.length > 0 ? stop : undefined,
    seed: request.seed,
  }
  if (o.endpoint === 'chat') {
    body.messages = [{ role: 'user', content: request.prompt }]
    if (o.logprobs) body.logprobs = true
  } else {
    body.prompt = request.prompt
    // 0: the sampled token's log-probability alone (no alternatives).
    if (o.logprobs) body.logprobs = 0
  }
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as RequestBody
}

/** The path under the base URL that an endpoint answers at. */
export function endpointPath(endpoint: ResolvedOpenAiCompatibleOptions['endpoint']): string {
  return endpoint === 'chat' ? '/chat/completions' : '/completions'
}
