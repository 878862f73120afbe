import { Worker } from 'node:worker_threads'
import type { Completion } from 'bonbench'
import { BenchError } from 'bonbench'
import type { OnRowText, RowRequest } from './generate.js'
import type { WorkerInit, WorkerReply, WorkerRequest, WorkerText } from './worker-protocol.js'

interface Slot {
  worker: Worker
  /** Engine version whose weights this worker holds (−1: none yet). */
  version: number
  pending: Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void; onText?: OnRowText }>
}

/**
 * A pool of sampling workers, one model replica each (the WASM backend is single-threaded in
 * Node, so threads are how sampling uses more than one core). Rows are split into contiguous
 * chunks, one per worker; each row carries its own seed, so the completions equal those of one
 * worker (or of in-process sampling). Workers start on first use and get fresh weights with the
 * first request after every update.
 */
export class SamplerPool {
  #slots: Slot[] = []
  #nextId = 0
  /** Thread ids of the workers that served the last `sample` call. */
  lastThreadIds: number[] = []

  constructor(
    readonly size: number,
    readonly init: WorkerInit,
  ) {}

  #start(): void {
    if (this.#slots.length > 0) return
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: this.init })
      const slot: Slot = { worker, version: -1, pending: new Map() }
      worker.on('message', (reply: WorkerReply | WorkerText) => {
        if (reply.type === 'text') {
          const p = slot.pending.get(reply.id)
          try {
            p?.onText?.(reply.pieces)
          } catch (error) {
            // The caller's callback failed: its sample call fails (the worker's late reply is dropped).
            slot.pending.delete(reply.id)
            p!.reject(error as Error)
          }
          return
        }
        const p = slot.pending.get(reply.id)
        slot.pending.delete(reply.id)
        if (slot.pending.size === 0) worker.unref()
        p?.resolve(reply)
      })
      const failAll = (error: Error) => {
        for (const p of slot.pending.values()) p.reject(error)
        slot.pending.clear()
      }
      worker.on('error', failAll)
      worker.on('exit', (code) => failAll(new Error(`sampling worker exited with code ${code}`)))
      worker.unref()
      this.#slots.push(slot)
    }
  }

  #call(slot: Slot, msg: WorkerRequest, onText?: OnRowText): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      slot.pending.set(msg.id, { resolve, reject, onText })
      // Referenced only while a request is out, so an idle pool never keeps the process alive.
      slot.worker.ref()
      slot.worker.postMessage(msg)
    })
  }

  /**
   * Samples `rows` across the workers; `weights()` (a device read) is called only when some worker
   * is stale. With `onText`, the workers report each step's text as it is decoded (row indices into
   * `rows`), all before this resolves.
   */
  async sample(rows: RowRequest[], version: number, weights: () => Promise<Float32Array[]>, signal?: AbortSignal, onText?: OnRowText): Promise<Completion[]> {
    this.#start()
    const k = Math.min(this.#slots.length, rows.length)
    const fresh = this.#slots.slice(0, k).some((slot) => slot.version !== version) ? await weights() : undefined
    const jobs = Array.from({ length: k }, (_, w) => {
      const slot = this.#slots[w]!
      const from = Math.floor((w * rows.length) / k)
      const to = Math.floor(((w + 1) * rows.length) / k)
      const stale = slot.version !== version
      const msg: WorkerRequest = {
        id: this.#nextId++,
        type: 'sample',
        rows: rows.slice(from, to),
        weights: stale ? fresh : undefined,
        text: onText !== undefined,
      }
      const shifted: OnRowText | undefined = onText && ((pieces) => onText(pieces.map(([row, text]) => [row + from, text])))
      return this.#call(slot, msg, shifted).then((reply) => {
        if (!reply.ok) {
          slot.version = -1
          throw new BenchError(
            reply.error.code === 'BENCH_ABORTED' ? 'BENCH_ABORTED' : 'BENCH_RUN_INVALID',
            `bonbench:tiny-transformer: sampling worker failed: ${reply.error.message}`,
          )
        }
        slot.version = version
        return reply
      })
    })
    const onAbort = () => void this.close()
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const replies = await Promise.all(jobs)
      if (signal?.aborted) throw new BenchError('BENCH_ABORTED', 'bonbench:tiny-transformer: sampling was aborted')
      this.lastThreadIds = replies.map((r) => r.threadId)
      return replies.flatMap((r) => r.completions!)
    } catch (error) {
      if (signal?.aborted) throw new BenchError('BENCH_ABORTED', 'bonbench:tiny-transformer: sampling was aborted', { cause: error })
      throw error
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /** Starts the workers (if needed) and returns their thread ids. */
  async threadIds(): Promise<number[]> {
    this.#start()
    const replies = await Promise.all(this.#slots.map((slot) => this.#call(slot, { id: this.#nextId++, type: 'ping' })))
    return replies.map((r) => r.threadId)
  }

  /** Terminates every worker; the next `sample` starts fresh ones. Safe to call twice. */
  async close(): Promise<void> {
    const slots = this.#slots
    this.#slots = []
    await Promise.all(slots.map((s) => s.worker.terminate()))
  }
}
