import ivm from 'isolated-vm'
import { ARM_SHIM_SOURCE } from './shim-source.js'
import { shimSnapshot } from './shim-snapshot.js'

/**
 * The shim's `run` in one context, as the host holds it (see shim/run-program.ts): called with the
 * candidate, its context and the tests' source it runs them; called with no argument it returns
 * the report.
 */
export type RunReference = ivm.Reference<(candidate?: ivm.Script, context?: ivm.Context, tests?: string) => string | undefined | Promise<undefined>>

/** A fresh context with the shim installed, not yet seen by any candidate. */
export interface FreshContext {
  context: ivm.Context
  run: RunReference
}

/**
 * One pooled isolate, created from the shim's startup snapshot (shim-snapshot.ts), with the
 * script that installs the shim in each of its contexts compiled once (a Script runs in any context
 * of its isolate).
 */
export interface IsolateSlot {
  isolate: ivm.Isolate
  arm: ivm.Script
  /** Candidates run on this isolate so far. */
  uses: number
  /** The next candidate's context, made on the isolate's own thread while the slot was idle. */
  next?: Promise<FreshContext | undefined>
  /** V8's used heap size when the isolate was new (bytes), before any candidate. */
  baselineHeap: number
}

/** Options of an IsolatePool. */
export interface IsolatePoolOptions {
  /** V8 heap limit of each isolate, in MB (isolated-vm's `memoryLimit`, at least 8). */
  memoryMb: number
  /** Captured console output per candidate, in characters (both streams together). */
  outputLimit: number
  /** An isolate is replaced after this many candidates, so heap fragmentation cannot build up. */
  maxUses: number
  /**
   * An isolate whose used heap, after a candidate, exceeds its size when new by more than this
   * many bytes is replaced (default: 1/4 of the heap limit, at least 32 MiB; garbage not yet
   * collected counts too: a run of small candidates leaves about 10 MiB of it, the leakage tests' probe more): memory a
   * candidate left reachable in the isolate (V8's Symbol registry is per isolate and never
   * collected) must not shrink the heap of the candidates after it. What this misses (less than
   * the limit left behind) cannot change a verdict to 'memory': the verifier reruns such a
   * candidate in a new isolate (index.ts).
   */
  retainedHeapLimit?: number
}

/**
 * A pool of isolated-vm isolates reused across candidates. Each candidate gets a fresh context in
 * a pooled isolate (nothing a candidate does to its globals or built-in prototypes reaches the
 * next one); an isolate that breached a limit, was disposed by V8, or reached `maxUses` is
 * disposed on release and a fresh one is made on the next acquire. The pool never holds more idle
 * isolates than were in use at once, so its size follows the concurrency the caller grants.
 *
 * Making a context is half of a candidate's cost (about 0.4 ms of a 0.9 ms candidate, profiled on
 * HumanEval-X), so a released isolate starts making the next candidate's context at once, with the
 * asynchronous API: on the isolate's own thread, in parallel with the other isolates and off the
 * host's event loop. `freshContext` takes that context (or makes one when none is ready).
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

  /**
   * An idle isolate, or a new one. Synchronous: creating an isolate takes about a millisecond (the
   * first one of a process and output limit also makes the snapshot, 0.1–0.2 s).
   */
  acquire(): IsolateSlot {
    if (this.#disposed) throw new Error('bonbench:js-sandbox: the isolate pool was disposed; create a new verifier')
    while (this.#idle.length > 0) {
      const slot = this.#idle.pop()!
      if (!slot.isolate.isDisposed) return slot
    }
    return this.#create()
  }

  /** A new isolate, never an idle one: for a candidate that must not run after another (a rerun). */
  acquireNew(): IsolateSlot {
    if (this.#disposed) throw new Error('bonbench:js-sandbox: the isolate pool was disposed; create a new verifier')
    return this.#create()
  }

  #create(): IsolateSlot {
    const snapshot = shimSnapshot(this.options.outputLimit)
    const isolate = new ivm.Isolate({ memoryLimit: Math.max(8, this.options.memoryMb), snapshot })
    this.#created++
    const arm = isolate.compileScriptSync(ARM_SHIM_SOURCE, { filename: 'bonbench-shim.js' })
    return { isolate, arm, uses: 0, baselineHeap: usedHeap(isolate) }
  }

  /**
   * A context no candidate has run in, with the shim installed: the one made while the slot was
   * idle, else a new one. Throws only when the isolate is gone (a limit breach disposed it).
   */
  async freshContext(slot: IsolateSlot): Promise<FreshContext> {
    const made = slot.next
    slot.next = undefined
    const ready = made === undefined ? undefined : await made
    return ready ?? makeContext(slot)
  }

  /**
   * Returns a slot: kept when `healthy` (and starts making its next context), else — or when worn
   * out, or when the candidate left more heap in use than `retainedHeapLimit` — disposed.
   */
  release(slot: IsolateSlot, healthy: boolean): void {
    slot.uses++
    if (!healthy || this.#disposed || slot.isolate.isDisposed || slot.uses >= this.options.maxUses || this.#retainsHeap(slot)) {
      disposeQuietly(slot)
      return
    }
    slot.next = makeContext(slot).catch(() => undefined)
    this.#idle.push(slot)
  }

  /**
   * True when the isolate's used heap grew past `retainedHeapLimit` since it was new. V8's used
   * heap counts garbage not yet collected too, so a candidate that only allocated a lot may also
   * cost its isolate (a new one takes about a millisecond); one that kept memory reachable in the
   * isolate always does.
   */
  #retainsHeap(slot: IsolateSlot): boolean {
    const limit = this.options.retainedHeapLimit ?? Math.max(32 << 20, (this.options.memoryMb << 20) / 4)
    try {
      return usedHeap(slot.isolate) - slot.baselineHeap > limit
    } catch {
      return true
    }
  }

  /** Disposes every idle isolate; slots still out are disposed when released. */
  dispose(): void {
    this.#disposed = true
    for (const slot of this.#idle.splice(0)) disposeQuietly(slot)
  }
}

function usedHeap(isolate: ivm.Isolate): number {
  return isolate.getHeapStatisticsSync().used_heap_size
}

/** A new context (a copy of the snapshot's, the shim's objects in it) with the shim installed, both on the isolate's thread. */
async function makeContext(slot: IsolateSlot): Promise<FreshContext> {
  const context = await slot.isolate.createContext()
  try {
    const run = (await slot.arm.run(context, { reference: true })) as RunReference
    return { context, run }
  } catch (error) {
    if (!slot.isolate.isDisposed) context.release()
    throw error
  }
}

function disposeQuietly(slot: IsolateSlot): void {
  slot.next = undefined
  try {
    if (!slot.isolate.isDisposed) slot.isolate.dispose()
  } catch {
    // Already gone (a memory breach disposes the isolate from inside V8).
  }
}
