import { parentPort, threadId, workerData } from 'node:worker_threads'
import { Engine } from './engine.js'
import type { WorkerInit, WorkerReply, WorkerRequest, WorkerText } from './worker-protocol.js'
import { CharTokenizer } from './tokenizer.js'

// A sampling worker: one model replica on this thread's own tfjs backend, serving every instance
// of its pool (sampler-pool.ts). It is created with no weights; a 'sample' request carries them
// whenever the worker holds other ones (another instance's, or an older version). Requests run
// one at a time in the order they came, so a request's weights are never replaced while it samples.
const init = workerData as WorkerInit
let engine: Engine | undefined
/** Whose weights `engine` holds (a request's `weightsKey`); undefined before the first and while a copy is being taken. */
let held: string | undefined
/** Abort handles of the 'sample' requests received and not yet answered. */
const running = new Map<number, AbortController>()
let queue: Promise<void> = Promise.resolve()

async function sample(msg: Extract<WorkerRequest, { type: 'sample' }>, signal: AbortSignal): Promise<WorkerReply> {
  if (msg.weights) {
    held = undefined
    if (!engine) {
      engine = await Engine.create({
        options: init.options,
        tokenizer: CharTokenizer.fromJSON(init.tokenizer),
        weights: msg.weights,
        seed: init.seed,
        backend: init.backend,
      })
    } else {
      engine.setWeights(msg.weights)
    }
    held = msg.weightsKey
  }
  if (!engine || held !== msg.weightsKey) throw new Error(`sample request for weights ${msg.weightsKey} without them, but this worker holds ${held ?? 'none'}`)
  if (signal.aborted) throw Object.assign(new Error('sampling was aborted'), { code: 'BENCH_ABORTED' })
  const onText = msg.text ? (pieces: WorkerText['pieces']) => parentPort!.postMessage({ id: msg.id, type: 'text', pieces } satisfies WorkerText) : undefined
  return { id: msg.id, type: 'reply', ok: true, threadId, completions: await engine.sample(msg.rows, signal, onText) }
}

parentPort!.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'ping') return parentPort!.postMessage({ id: msg.id, type: 'reply', ok: true, threadId } satisfies WorkerReply)
  if (msg.type === 'abort') return running.get(msg.id)?.abort()
  const controller = new AbortController()
  running.set(msg.id, controller)
  queue = queue.then(async () => {
    let reply: WorkerReply
    try {
      reply = await sample(msg, controller.signal)
    } catch (e) {
      const error = e as Error & { code?: string }
      reply = { id: msg.id, type: 'reply', ok: false, threadId, error: { message: error.message, code: error.code } }
    } finally {
      running.delete(msg.id)
    }
    parentPort!.postMessage(reply)
  })
})
