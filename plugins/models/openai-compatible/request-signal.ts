/**
 * Runs one HTTP request with an abort signal of its own that follows `run`, the run's long-lived
 * signal: `run` aborting aborts the request, and the link is removed once the request settles.
 * Why: the `openai` client adds an abort listener to the signal it is given and never removes it,
 * so passing `run` itself would leave one listener per request on it (Node warns
 * `MaxListenersExceededWarning` after 10, and they are kept for the whole run). The listeners the
 * client leaves on the request's own signal go with it.
 */
export async function withRequestSignal<T>(run: AbortSignal | undefined, request: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
  if (!run) return request(undefined)
  const own = new AbortController()
  const follow = () => own.abort(run.reason)
  if (run.aborted) follow()
  else run.addEventListener('abort', follow, { once: true })
  try {
    return await request(own.signal)
  } finally {
    run.removeEventListener('abort', follow)
  }
}
