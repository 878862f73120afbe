import { BenchError } from 'bonbench'

/** Why a request to an OpenAI-compatible server failed: each has its own fix in the message. */
export type ModelApiFailure =
  /** No connection: nothing listens at the base URL, DNS failed, or the server dropped it on every try. */
  | 'unreachable'
  /** 401/403: the key is missing or wrong. */
  | 'unauthorized'
  /** The server does not serve the model name asked for. */
  | 'unknown-model'
  /** An answer with fewer choices than the `n` asked for. */
  | 'too-few-choices'
  /** Every try timed out. */
  | 'timeout'
  /** Another HTTP status after the last retry (429, 5xx) or one that is not retried (400, 404, …). */
  | 'http-status'
  /** A 2xx answer that is not an OpenAI completion. */
  | 'bad-answer'

/**
 * The error of a failed request to an OpenAI-compatible server (code BENCH_MODEL_API): names the
 * endpoint (URL), the HTTP status where there was one, and what to do. A cell that meets it fails;
 * the pools journaled before stay, and `bench run --resume` draws only the rest.
 */
export class ModelApiError extends BenchError {
  readonly failure: ModelApiFailure
  readonly endpoint: string
  readonly status?: number

  constructor(failure: ModelApiFailure, endpoint: string, message: string, opts: { status?: number; cause?: unknown } = {}) {
    super('BENCH_MODEL_API', `bonbench:openai-compatible: ${message}`, { cause: opts.cause })
    this.name = 'ModelApiError'
    this.failure = failure
    this.endpoint = endpoint
    if (opts.status !== undefined) this.status = opts.status
  }
}
