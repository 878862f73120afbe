import { isDeepStrictEqual } from 'node:util'
import { Worker } from 'node:worker_threads'
import type { Completion } from 'bonbench'
import { BenchError } from 'bonbench'
import { abortError, type OnRowText, type RowRequest } from './generate.js'
import type { WorkerInit, WorkerReply, WorkerRequest, WorkerText } from './worker-protocol.js'

/** A request sent to a worker and not yet answered. */
interface Pending {
  resolve: (r: WorkerReply) => void
  reject: (e: Error) => void
  onText?: OnRowText
}

interface Slot {
  worker: Worker
  /**
   * Whose weights (a `weightsKey`) the worker holds once it has taken every request sent to it so
   * far; undefined: none, or unknown after a failed request. Only saves sending the weights: the
   * worker itself refuses a request whose key it does not hold.
   */
  holds?: string
  pending: Map<number, Pending>
  exited: boolean
}

/** The weights a sample call samples with: `key` names them (engine identity and version, unique in the process), `read` reads them from the device. */
export interface PoolWeights {
  key: string
  read: () => Promise<Float32Array[]>
}

/**
 * A pool of sampling workers, one model replica each (the WASM backend is single-threaded in
 * Node, so threads are how sampling uses more than one core). Rows are split into contiguous
 * chunks, one per worker; each row carries its own seed, so the completions equal those of one
 * worker (or of in-process sampling). Workers start on first use; a worker that exits fails the
 * requests it held and is replaced at the next call. The instances of one model that share a
 * `WorkerInit` share a pool (`acquirePool`): each request names its instance's weights and carries
 * them whenever its worker holds others, and a worker takes its requests one at a time, so calls
 * of different instances may overlap.
 */
export class SamplerPool {
  #slots: Slot[] = []
  #nextId = 0

  constructor(
    readonly size: number,
    readonly init: WorkerInit,
  ) {}

  /** The `size` workers, starting those not running (the first time, or after one exited). */
  #live(): Slot[] {
    for (let i = 0; i < this.size; i++) if (!this.#slots[i] || this.#slots[i]!.exited) this.#slots[i] = this.#spawn()
    return this.#slots
  }

  #spawn(): Slot {
    const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: this.init })
    const slot: Slot = { worker, pending: new Map(), exited: false }
    worker.on('message', (reply: WorkerReply | WorkerText) => {
      const p = slot.pending.get(reply.id)
      if (reply.type === 'text') {
        try {
          p?.onText?.(reply.pieces)
        } catch (error) {
          // The caller's callback failed: its sample call fails (the worker's late reply is dropped).
          this.#drop(slot, reply.id, error as Error)
        }
        return
      }
      // A failed request may have cost the worker its weights: the next request sends them again.
      // An aborted one did not (the worker takes a request's weights before it looks at the abort).
      if (!reply.ok && reply.error.code !== 'BENCH_ABORTED') slot.holds = undefined
      this.#take(slot, reply.id)?.resolve(reply)
    })
    const failAll = (error: Error) => {
      for (const p of slot.pending.values()) p.reject(error)
      slot.pending.clear()
    }
    worker.on('error', failAll)
    worker.on('exit', (code) => {
      slot.exited = true
      failAll(new Error(`sampling worker exited with code ${code}`))
    })
    worker.unref()
    return slot
  }

  #call(slot: Slot, msg: WorkerRequest, onText?: OnRowText): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      slot.pending.set(msg.id, { resolve, reject, onText })
      // Referenced only while a request is out, so an idle pool never keeps the process alive.
      slot.worker.ref()
      slot.worker.postMessage(msg)
    })
  }

  /** Request `id`'s pending entry, no longer pending (the worker unreferenced once none is); undefined: settled already. */
  #take(slot: Slot, id: number): Pending | undefined {
    const p = slot.pending.get(id)
    if (!p) return undefined
    slot.pending.delete(id)
    if (slot.pending.size === 0) slot.worker.unref()
    return p
  }

  /** Fails request `id` now with `error` and tells its worker to stop it (its late reply is dropped). */
  #drop(slot: Slot, id: number, error: Error): void {
    const p = this.#take(slot, id)
    if (!p) return
    slot.worker.postMessage({ id, type: 'abort' } satisfies WorkerRequest)
    p.reject(error)
  }

  /**
   * Samples `rows` across the workers with `weights` (read from the device only when some worker
   * will not hold them). With `onText`, the workers report each step's text as it is decoded (row
   * indices into `rows`), all before this resolves. `signal` fails the call at once and stops its
   * requests in the workers; other calls' requests go on.
   */
  async sample(
    rows: RowRequest[],
    weights: PoolWeights,
    signal?: AbortSignal,
    onText?: OnRowText,
  ): Promise<{ completions: Completion[]; threadIds: number[] }> {
    if (signal?.aborted) throw abortError()
    const k = Math.min(this.size, rows.length)
    const stale = this.#live()
      .slice(0, k)
      .some((slot) => slot.holds !== weights.key)
    const fresh = stale ? await weights.read() : undefined
    // From here until the requests are posted nothing awaits, so no other call changes what the
    // workers will hold in between; a worker that exited during the read is replaced below and
    // gets `fresh` (without a read, nothing awaited since the check).
    if (signal?.aborted) throw abortError()
    const sent = this.#live()
      .slice(0, k)
      .map((slot, w) => {
        const from = Math.floor((w * rows.length) / k)
        const to = Math.floor(((w + 1) * rows.length) / k)
        const msg: WorkerRequest = {
          id: this.#nextId++,
          type: 'sample',
          rows: rows.slice(from, to),
          weightsKey: weights.key,
          weights: slot.holds === weights.key ? undefined : fresh,
          text: onText !== undefined,
        }
        slot.holds = weights.key
        const shifted: OnRowText | undefined = onText && ((pieces) => onText(pieces.map(([row, text]) => [row + from, text])))
        const reply = this.#call(slot, msg, shifted).then((r) => {
          if (!r.ok)
            throw new BenchError(
              r.error.code === 'BENCH_ABORTED' ? 'BENCH_ABORTED' : 'BENCH_RUN_INVALID',
              `bonbench:tiny-transformer: sampling worker failed: ${r.error.message}`,
            )
          return r
        })
        return { slot, id: msg.id, reply }
      })
    const onAbort = () => {
      for (const { slot, id } of sent) this.#drop(slot, id, abortError())
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const replies = await Promise.all(sent.map((s) => s.reply))
      return { completions: replies.flatMap((r) => r.completions!), threadIds: replies.map((r) => r.threadId) }
    } catch (error) {
      // The call's other requests are of no use any more: stop them too.
      for (const { slot, id } of sent) this.#drop(slot, id, error as Error)
      if (signal?.aborted) throw abortError(error)
      throw error
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /** Starts the workers (if needed) and returns their thread ids. */
  async threadIds(): Promise<number[]> {
    const replies = await Promise.all(this.#live().map((slot) => this.#call(slot, { id: this.#nextId++, type: 'ping' })))
    return replies.map((r) => r.threadId)
  }

  /** Terminates every worker (failing the requests they hold); a later call starts fresh ones. Safe to call twice. */
  async close(): Promise<void> {
    const slots = this.#slots
    this.#slots = []
    await Promise.all(slots.map((s) => s.worker.terminate()))
  }
}

/** The pools in use, with how many instances use each. */
const shared: Array<{ pool: SamplerPool; users: number }> = []

/**
 * The pool of `size` workers for `init`, shared with every other user of an equal `size` and
 * `init` (an instance and its clones: a run starts `size` threads, not `size` per instance).
 * `release` (once per acquire; later calls do nothing) terminates the workers when the last user
 * releases them.
 */
export function acquirePool(size: number, init: WorkerInit): { pool: SamplerPool; release: () => Promise<void> } {
  let entry = shared.find((e) => e.pool.size === size && isDeepStrictEqual(e.pool.init, init))
  if (!entry) shared.push((entry = { pool: new SamplerPool(size, init), users: 0 }))
  entry.users++
  let released = false
  return {
    pool: entry.pool,
    async release() {
      if (released) return
      released = true
      if (--entry.users > 0) return
      shared.splice(shared.indexOf(entry), 1)
      await entry.pool.close()
    },
  }
}
