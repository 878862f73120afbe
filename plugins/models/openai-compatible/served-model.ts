import type OpenAI from 'openai'
import { apiFailure } from './api-client.js'
import { ModelApiError } from './model-api-error.js'
import { withRequestSignal } from './request-signal.js'
import type { ResolvedOpenAiCompatibleOptions } from './options.js'

/**
 * The model name requests will carry, checked against `GET /models`: the option when given (an
 * unknown name is a named error listing the served ones), else the first model the server lists.
 * A server without `/models` (404) is taken at its word for a given name. An unreachable server
 * or a refused key fails here, before any cell starts.
 */
export async function servedModel(client: OpenAI, o: ResolvedOpenAiCompatibleOptions, signal?: AbortSignal): Promise<string> {
  let ids: string[]
  try {
    const page = await withRequestSignal(signal, (own) => client.models.list({ signal: own }))
    ids = page.data.map((m) => m.id)
  } catch (error) {
    const failure = apiFailure(error, o, '/models', o.model)
    if (o.model !== undefined && failure instanceof ModelApiError && failure.failure === 'http-status' && failure.status === 404) return o.model
    throw failure
  }
  const url = `${o.baseUrl.replace(/\/+$/, '')}/models`
  if (o.model === undefined) {
    if (ids.length === 0) throw new ModelApiError('unknown-model', url, `${url} lists no models; name one with the option model.`)
    return ids[0]!
  }
  if (ids.length > 0 && !ids.includes(o.model))
    throw new ModelApiError('unknown-model', url, `the server does not serve the model '${o.model}'; it serves: ${ids.join(', ')}. Fix the option model.`, {
      status: 404,
    })
  return o.model
}
