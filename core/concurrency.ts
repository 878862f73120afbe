import { availableParallelism } from 'node:os'

/**
 * The one concurrency budget of a process. The scheduler creates it (default: the core count);
 * every pool in the product (model workers, sandbox isolates, matrix cells) draws slots from it,
 * so two cores are never oversubscribed.
 */
export class ConcurrencyBudget {
  readonly size: number
  #free: number
  #waiting: Array<{ slots: number; resolve: () => void }> = []

  constructor(size: number = availableParallelism()) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`concurrency must be a positive integer, got ${size}`)
    this.size = size
    this.#free = size
  }

  /** Slots not held right now. */
  get free(): number {
    return this.#free
  }

  /** Waits until `slots` (clamped to the budget size) are free and takes them; returns a release function. */
  async acquire(slots = 1): Promise<() => void> {
    const want = Math.max(1, Math.min(slots, this.size))
    if (this.#waiting.length === 0 && this.#free >= want) {
      this.#free -= want
    } else {
      await new Promise<void>((resolve) => this.#waiting.push({ slots: want, resolve }))
    }
    let released = false
    return () => {
      if (released) return
      released = true
      this.#free += want
      this.#drain()
    }
  }

  /** Takes up to `max` free slots without waiting (at least 1, waiting only for that one). */
  async acquireUpTo(max: number): Promise<{ slots: number; release: () => void }> {
    const slots = Math.max(1, Math.min(max, Math.max(this.#free, 1), this.size))
    const release = await this.acquire(slots)
    return { slots, release }
  }

  /** Runs `fn` holding `slots` slots. */
  async run<T>(fn: () => Promise<T>, slots = 1): Promise<T> {
    const release = await this.acquire(slots)
    try {
      return await fn()
    } finally {
      release()
    }
  }

  #drain() {
    while (this.#waiting.length > 0 && this.#free >= this.#waiting[0]!.slots) {
      const next = this.#waiting.shift()!
      this.#free -= next.slots
      next.resolve()
    }
  }
}

let processBudget: ConcurrencyBudget | undefined

/** The process-wide budget; `configureBudget` (called by the scheduler) sets its size first. */
export function getBudget(): ConcurrencyBudget {
  processBudget ??= new ConcurrencyBudget()
  return processBudget
}

/** Sets the process-wide budget size (the `--concurrency` option). */
export function configureBudget(size: number): ConcurrencyBudget {
  processBudget = new ConcurrencyBudget(size)
  return processBudget
}
