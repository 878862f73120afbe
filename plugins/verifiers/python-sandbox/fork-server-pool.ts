import { ForkServer, type ForkJob, type ForkRunResult, type ForkServerHello } from './fork-server.js'

/** Options of a ForkServerPool. */
export interface ForkServerPoolOptions {
  /** Most servers alive at once (each runs one candidate at a time). */
  size: number
  python: string
  /** First of the uids candidates run as when the host is root (server i uses uidBase + i). */
  uidBase?: number
}

/**
 * A bounded pool of warm fork servers. `run` takes an idle server (or starts one, up to `size`;
 * past that it waits), runs the candidate and returns the server; a server that broke is closed
 * and forgotten, so the next job starts a fresh one. An aborted `signal` closes the server running
 * that job at once (its candidate's whole group killed) and the job resolves with a breach, which
 * callers treat as "no verdict". `close` ends every server and waits until each has exited.
 */
export class ForkServerPool {
  readonly options: ForkServerPoolOptions
  #idle: ForkServer[] = []
  #all = new Set<ForkServer>()
  #slots: boolean[] = []
  #slotOf = new Map<ForkServer, number>()
  #waiting: Array<() => void> = []
  #started = 0
  #closed = false

  constructor(options: ForkServerPoolOptions) {
    this.options = options
  }

  /** Servers started so far (replacements included): tests use it to see a breach replace one. */
  get started(): number {
    return this.#started
  }

  /** The isolation of a live server (starting one if none is idle), for reports and tests. */
  async hello(): Promise<ForkServerHello> {
    const server = await this.#acquire()
    try {
      return await server.ready
    } finally {
      this.#release(server)
    }
  }

  /** Runs one candidate on a pooled server; never rejects. */
  async run(job: ForkJob, signal?: AbortSignal): Promise<ForkRunResult> {
    const server = await this.#acquire()
    let closing: Promise<void> | undefined
    const cancel = () => void (closing = server.close('verification was cancelled'))
    if (signal?.aborted) cancel()
    signal?.addEventListener('abort', cancel, { once: true })
    try {
      const run = await server.run(job)
      // Cancelled: answer only once the candidate's group is gone, so no process outlives the call.
      if (closing) await closing
      return run
    } finally {
      signal?.removeEventListener('abort', cancel)
      this.#release(server)
    }
  }

  /** Ends every server (SIGTERM, then SIGKILL to its group) and resolves once all have exited. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true
    const all = [...this.#all]
    this.#all.clear()
    this.#idle = []
    await Promise.all(all.map((s) => s.close('the sandbox was disposed')))
    for (const wake of this.#waiting.splice(0)) wake()
  }

  async #acquire(): Promise<ForkServer> {
    for (;;) {
      if (this.#closed) throw new Error('bonbench:python-sandbox: the fork-server pool was closed')
      while (this.#idle.length > 0) {
        const server = this.#idle.pop()!
        if (server.alive) return server
        this.#forget(server)
      }
      if (this.#all.size < this.options.size) {
        const slot = this.#slots.findIndex((used) => !used)
        const index = slot >= 0 ? slot : this.#slots.length
        this.#slots[index] = true
        const server = new ForkServer({ python: this.options.python, uid: this.options.uidBase === undefined ? undefined : this.options.uidBase + index })
        this.#started++
        this.#all.add(server)
        this.#slotOf.set(server, index)
        return server
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve))
    }
  }

  #release(server: ForkServer): void {
    if (server.alive && !this.#closed) {
      this.#idle.push(server)
      this.#waiting.shift()?.()
      return
    }
    // Its uid is reused only once it has exited, so its last sweep cannot reach a successor's candidate.
    void server.close().finally(() => {
      this.#forget(server)
      this.#waiting.shift()?.()
    })
  }

  #forget(server: ForkServer): void {
    if (!this.#all.delete(server)) return
    const index = this.#slotOf.get(server)
    this.#slotOf.delete(server)
    if (index !== undefined) this.#slots[index] = false
  }
}
