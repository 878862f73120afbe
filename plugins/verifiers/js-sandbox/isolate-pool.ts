import ivm from 'isolated-vm'
import { shimSource } from './shim-source.js'

/** One pooled isolate with the shim compiled into it (a Script runs in any context of its isolate). */
export interface IsolateSlot {
  isolate: ivm.Isolate
  shim: ivm.Script
  /** Candidates run on this isolate so far. */
  uses: number
}

/** Options of an IsolatePool. */
export interface IsolatePoolOptions {
  /** V8 heap limit of each isolate, in MB (isolated-vm's `memoryLimit`, at least 8). */
  memoryMb: number
  /** Captured console output per candidate, in characters (both streams together). */
  outputLimit: number
  /** An isolate is replaced after this many candidates, so heap fragmentation cannot build up. */
  maxUses: number
}

/**
 * A pool of isolated-vm isolates reused across candidates. Each candidate gets a fresh context in
 * a pooled isolate (nothing a candidate does to its globals or built-in prototypes reaches the
 * next one); an isolate that breached a limit, was disposed by V8, or reached `maxUses` is
 * disposed on release and a fresh one is made on the next acquire. The pool never holds more idle
 * isolates than were in use at once, so its size follows the concurrency the caller grants.
 */
export class IsolatePool {
  readonly options: IsolatePoolOptions
  #idle: IsolateSlot[] = []
  #created = 0
  #disposed = false

  constructor(options: IsolatePoolOptions) {
    this.options = options
  }

  /** Isolates created so far (replacements included); tests use it to see a breach replace one. */
  get created(): number {
    return this.#created
  }

  /** An idle isolate, or a new one. Synchronous: creating an isolate takes about a millisecond. */
  acquire(): IsolateSlot {
    if (this.#disposed) throw new Error('bonbench:js-sandbox: the isolate pool was disposed; create a new verifier')
    while (this.#idle.length > 0) {
      const slot = this.#idle.pop()!
      if (!slot.isolate.isDisposed) return slot
    }
    const isolate = new ivm.Isolate({ memoryLimit: Math.max(8, this.options.memoryMb) })
    this.#created++
    const shim = isolate.compileScriptSync(shimSource(this.options.outputLimit), { filename: 'bonbench-shim.js' })
    return { isolate, shim, uses: 0 }
  }

  /** Returns a slot: kept when `healthy`, else (or when worn out) disposed. */
  release(slot: IsolateSlot, healthy: boolean): void {
    slot.uses++
    if (!healthy || this.#disposed || slot.isolate.isDisposed || slot.uses >= this.options.maxUses) {
      disposeQuietly(slot)
      return
    }
    this.#idle.push(slot)
  }

  /** Disposes every idle isolate; slots still out are disposed when released. */
  dispose(): void {
    this.#disposed = true
    for (const slot of this.#idle.splice(0)) disposeQuietly(slot)
  }
}

function disposeQuietly(slot: IsolateSlot): void {
  try {
    if (!slot.isolate.isDisposed) slot.isolate.dispose()
  } catch {
    // Already gone (a memory breach disposes the isolate from inside V8).
  }
}
