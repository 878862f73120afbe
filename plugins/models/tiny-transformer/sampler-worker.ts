import { parentPort, threadId, workerData } from 'node:worker_threads'
import { Engine } from './engine.js'
import type { WorkerInit, WorkerReply, WorkerRequest, WorkerText } from './worker-protocol.js'
import { CharTokenizer } from './tokenizer.js'

// A sampling worker: one model replica on this thread's own tfjs backend. It is created with
// no weights; the first 'sample' request carries them, later ones only after an update.
const init = workerData as WorkerInit
let engine: Engine | undefined

async function handle(msg: WorkerRequest): Promise<WorkerReply> {
  if (msg.type === 'ping') return { id: msg.id, type: 'reply', ok: true, threadId }
  if (msg.weights) {
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
  }
  if (!engine) throw new Error('sample request before any weights were sent')
  const onText = msg.text ? (pieces: WorkerText['pieces']) => parentPort!.postMessage({ id: msg.id, type: 'text', pieces } satisfies WorkerText) : undefined
  return { id: msg.id, type: 'reply', ok: true, threadId, completions: await engine.sample(msg.rows, undefined, onText) }
}

parentPort!.on('message', (msg: WorkerRequest) => {
  handle(msg).then(
    (reply) => parentPort!.postMessage(reply),
    (error: Error & { code?: string }) =>
      parentPort!.postMessage({ id: msg.id, type: 'reply', ok: false, threadId, error: { message: error.message, code: error.code } } satisfies WorkerReply),
  )
})
