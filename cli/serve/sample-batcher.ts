import type { ModelInstance, SampleOptions, SampleRequest, SampleResult } from '../../core/plugin-api/model.js'
import { BenchError } from '../../core/errors.js'

/** Text one completion of a request gained while its batch is sampled (`sampleIndex` in 0 … n − 1). */
export type OnRequestText = (sampleIndex: number, text: string) => void

interface Waiting {
  request: SampleRequest
  onText?: OnRequestText
  /** Aborted when whoever asked has gone (its client closed the connection). */
  signal?: AbortSignal
  resolve: (result: SampleResult) => void
  reject: (error: unknown) => void
}

/** What a request whose requester left rejects with (its answer has nobody to go to). */
const requesterGone = () => new BenchError('BENCH_ABORTED', 'bench serve: the client that asked for these completions went away')

/**
 * Gathers the sampling requests of concurrent HTTP requests into one `model.sample` call: what
 * arrives while the model is busy (or in the same turn of the event loop) goes into the next
 * batch. A completion depends only on its request's seed (the model contract's `sample` rows are
 * seeded per request and completion index), so batching never changes an answer. A request that
 * asks for its text as it is decoded gets the model's `onToken` events for its own completions
 * (none when the model does not report them); the model is asked for them only when some request
 * of the batch wants them, and they change no completion either.
 *
 * A request whose `signal` aborts (its client left) before its batch starts leaves the queue; once
 * every request of a running batch has aborted, the batch's own signal aborts `model.sample` (a
 * model that honours `SampleOptions.signal` stops there), so nobody's leftover work holds up the
 * next batch. A batch with one request still wanted runs to its end.
 */
export class SampleBatcher {
  #queue: Waiting[] = []
  #busy = false
  #scheduled = false
  /** Batches sampled so far, and the most requests one batch held (for logs and tests). */
  readonly stats = { batches: 0, largestBatch: 0, requests: 0 }

  constructor(private readonly model: ModelInstance) {}

  /** Requests waiting for the next batch (not yet handed to the model). */
  get waiting(): number {
    return this.#queue.length
  }

  /**
   * Samples one request (its `n` completions) in the next batch; `onText` gets its text as it is
   * decoded. `signal` says the requester went away: the request is dropped (rejected) if still
   * waiting, and counts towards stopping its batch if not.
   */
  sample(request: SampleRequest, onText?: OnRequestText, signal?: AbortSignal): Promise<SampleResult> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(requesterGone())
      const waiting: Waiting = { request, onText, signal, resolve, reject }
      this.#queue.push(waiting)
      signal?.addEventListener(
        'abort',
        () => {
          const at = this.#queue.indexOf(waiting)
          if (at < 0) return // already in a batch: the batch decides
          this.#queue.splice(at, 1)
          reject(requesterGone())
        },
        { once: true },
      )
      this.#schedule()
    })
  }

  /** Resolves once no batch is running or waiting. */
  async idle(): Promise<void> {
    while (this.#busy || this.#queue.length > 0) await new Promise((r) => setTimeout(r, 10))
  }

  #schedule(): void {
    if (this.#busy || this.#scheduled) return
    this.#scheduled = true
    // setImmediate: requests whose bodies arrived in this turn of the event loop join the batch.
    setImmediate(() => {
      this.#scheduled = false
      void this.#drain()
    })
  }

  async #drain(): Promise<void> {
    if (this.#busy || this.#queue.length === 0) return
    this.#busy = true
    const batch = this.#queue
    this.#queue = []
    this.stats.batches++
    this.stats.requests += batch.length
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length)
    const stop = new AbortController()
    const unwatch = watchRequesters(batch, () => stop.abort(requesterGone()))
    try {
      const opts: SampleOptions = { signal: stop.signal }
      if (batch.some((w) => w.onText))
        opts.onToken = (e) => {
          const w = batch[e.requestIndex]
          try {
            w?.onText?.(e.sampleIndex, e.text)
          } catch {
            // A listener that fails (a socket error) loses its own later events, never the batch.
            w!.onText = undefined
          }
        }
      const results = await this.model.sample(
        batch.map((w) => w.request),
        opts,
      )
      batch.forEach((w, i) => w.resolve(results[i]!))
    } catch (error) {
      for (const w of batch) w.reject(stop.signal.aborted ? requesterGone() : error)
    } finally {
      unwatch()
      this.#busy = false
      this.#schedule()
    }
  }
}

/**
 * Calls `allGone` once every request of `batch` has an aborted signal (never when one has no
 * signal: its requester cannot leave). Returns the function that removes the listeners.
 */
function watchRequesters(batch: Waiting[], allGone: () => void): () => void {
  if (batch.some((w) => !w.signal)) return () => {}
  // Distinct signals: the prompts of one HTTP request share its signal (and one listener).
  const watched = [...new Set(batch.map((w) => w.signal!))].filter((s) => !s.aborted)
  if (watched.length === 0) {
    allGone()
    return () => {}
  }
  let left = watched.length
  const onAbort = () => {
    if (--left === 0) allGone()
  }
  for (const s of watched) s.addEventListener('abort', onAbort, { once: true })
  return () => {
    for (const s of watched) s.removeEventListener('abort', onAbort)
  }
}
