import type { IncomingMessage, ServerResponse } from 'node:http'

/** One HTTP request and its response, from its headers until its response is finished or its connection closed. */
export interface Exchange {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  /** True while its body is still arriving: nothing of it has reached the sampler yet. */
  readingBody: boolean
  /** Aborted when the client goes away before its response is finished (the batcher then stops caring for it). */
  readonly gone: AbortSignal
}

/** What a stop cut: requests whose body was still arriving, and responses not finished by the deadline. */
export interface DrainReport {
  droppedReading: number
  cutUnfinished: number
}

/**
 * The exchanges a server holds, for a stop that answers what is in flight and waits for nothing
 * else. A response counts as finished on its 'finish' event — its last byte handed to the
 * operating system, however slowly the client reads — not when `end()` is called: Node 20's
 * `closeIdleConnections` (which its `server.close()` runs) treats a response that has called `end()`
 * as idle and would cut off megabytes still queued for a slow reader.
 */
export class OpenExchanges {
  readonly #open = new Set<Exchange>()
  #changed: (() => void) | undefined

  /** Tracks a new request until its response finishes or its connection closes. */
  add(req: IncomingMessage, res: ServerResponse): Exchange {
    const gone = new AbortController()
    const exchange: Exchange = { req, res, readingBody: false, gone: gone.signal }
    this.#open.add(exchange)
    const done = () => {
      if (!this.#open.delete(exchange)) return
      this.#changed?.()
    }
    res.on('finish', done)
    res.on('close', () => {
      if (!res.writableFinished) gone.abort()
      done()
    })
    return exchange
  }

  /** Exchanges whose response is not finished yet. */
  get size(): number {
    return this.#open.size
  }

  /**
   * For a stop, once the server no longer listens: destroys the connections of requests whose body
   * is still arriving (a client that never sends the rest would otherwise hold the stop forever),
   * then waits until every other response has finished, at most `deadlineMs`; the caller closes
   * what is left. Says how many of each it cut.
   */
  async drain(deadlineMs: number): Promise<DrainReport> {
    let droppedReading = 0
    for (const x of [...this.#open])
      if (x.readingBody) {
        droppedReading++
        x.res.destroy()
      }
    let timer: NodeJS.Timeout | undefined
    const finished = await new Promise<boolean>((resolve) => {
      this.#changed = () => {
        if (this.#open.size === 0) resolve(true)
      }
      this.#changed()
      timer = setTimeout(() => resolve(false), deadlineMs)
    })
    clearTimeout(timer)
    this.#changed = undefined
    return { droppedReading, cutUnfinished: finished ? 0 : this.#open.size }
  }
}
