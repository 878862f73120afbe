import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai'
import { BenchError } from 'bonbench'
import { ModelApiError } from './model-api-error.js'
import type { ResolvedOpenAiCompatibleOptions } from './options.js'

/**
 * The official `openai` client, set up from the options: base URL, the key read from the named
 * environment variable (a placeholder when it is unset: local servers take any key), the retry
 * budget (the client retries 408, 409, 429, 5xx, timeouts and dropped connections with exponential
 * backoff and jitter, honouring `Retry-After` and `retry-after-ms`) and the timeout. Its own
 * logging is off, so nothing it knows (the key included) reaches the run's output.
 */
export function apiClient(o: ResolvedOpenAiCompatibleOptions, env: NodeJS.ProcessEnv = process.env): OpenAI {
  const key = env[o.apiKeyEnv]
  return new OpenAI({
    baseURL: o.baseUrl,
    apiKey: key !== undefined && key !== '' ? key : 'no-key',
    maxRetries: o.maxRetries,
    timeout: o.timeoutMs,
    logLevel: 'off',
    // Never pick up an organisation or project from the environment: the options say everything sent.
    organization: null,
    project: null,
  })
}

/** The full URL of a path under the base URL, as errors name it. */
export function endpointUrl(o: ResolvedOpenAiCompatibleOptions, path: string): string {
  return `${o.baseUrl.replace(/\/+$/, '')}${path}`
}

/**
 * Turns what the client threw (after its last retry) into a named ModelApiError with the endpoint,
 * the status and the fix; an abort stays an abort (BENCH_ABORTED).
 */
export function apiFailure(error: unknown, o: ResolvedOpenAiCompatibleOptions, path: string, model?: string): Error {
  const url = endpointUrl(o, path)
  const tries = `${o.maxRetries + 1} ${o.maxRetries === 0 ? 'try' : 'tries'}`
  if (error instanceof APIUserAbortError) return new BenchError('BENCH_ABORTED', `bonbench:openai-compatible: request to ${url} was aborted`, { cause: error })
  if (error instanceof APIConnectionTimeoutError)
    return new ModelApiError('timeout', url, `${url} timed out after ${tries} (timeoutMs ${o.timeoutMs}); raise timeoutMs or check the server's load.`, {
      cause: error,
    })
  if (error instanceof APIConnectionError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
    return new ModelApiError(
      'unreachable',
      url,
      `cannot reach ${url} after ${tries}${cause}. Is the server running, and is the base URL (option baseUrl, --base-url ${o.baseUrl}) right?`,
      { cause: error },
    )
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status
    const detail = serverMessage(error)
    if (status === 401 || status === 403)
      return new ModelApiError(
        'unauthorized',
        url,
        `${url} answered ${status} (${detail}): the API key was refused. Put the key in the environment variable ${o.apiKeyEnv} (option apiKeyEnv names it).`,
        { status, cause: error },
      )
    if (status === 404 && model !== undefined && (error.code === 'model_not_found' || detail.includes(model)))
      return new ModelApiError(
        'unknown-model',
        url,
        `${url} does not serve the model '${model}' (${detail}). List the served models with GET ${endpointUrl(o, '/models')}.`,
        {
          status,
          cause: error,
        },
      )
    const retried = status === 408 || status === 409 || status === 429 || status >= 500 ? ` after ${tries}` : ''
    const hint = status === 404 ? ' Check that the base URL ends in /v1 and that the server offers this endpoint (option endpoint).' : ''
    return new ModelApiError('http-status', url, `${url} answered HTTP ${status}${retried}: ${detail}.${hint}`, { status, cause: error })
  }
  return error instanceof Error ? error : new Error(String(error))
}

function serverMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined
  return typeof body?.message === 'string' ? body.message : error.message
}
