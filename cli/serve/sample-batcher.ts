import type { ModelInstance, SampleOptions, SampleRequest, SampleResult } from '../../core/plugin-api/model.js'

/** Text one completion of a request gained while its batch is sampled (`sampleIndex` in 0 … n − 1). */
export type OnRequestText = (sampleIndex: number, text: string) => void

interface Waiting {
  request: SampleRequest
  onText?: OnRequestText
  resolve: (result: SampleResult) => void
  reject: (error: unknown) => void
}

/**
 * Gathers the sampling requests of concurrent HTTP requests into one `model.sample` call: what
 * arrives while the model is busy (or in the same turn of the event loop) goes into the next
 * batch. A completion depends only on its request's seed (the model contract's `sample` rows are
 * seeded per request and completion index), so batching never changes an answer. A request that
 * asks for its text as it is decoded gets the model's `onToken` events for its own completions
 * (none when the model does not report them); the model is asked for them only when some request
 * of the batch wants them, and they change no completion either.
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

  /** Samples one request (its `n` completions) in the next batch; `onText` gets its text as it is decoded. */
  sample(request: SampleRequest, onText?: OnRequestText): Promise<SampleResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, onText, resolve, reject })
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
    try {
      const opts: SampleOptions = {}
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
      for (const w of batch) w.reject(error)
    } finally {
      this.#busy = false
      this.#schedule()
    }
  }
}
