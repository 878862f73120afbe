import type { Completion } from 'bonbench'
import type { RowRequest, RowText } from './generate.js'
import type { ResolvedTinyTransformerOptions } from './options.js'
import type { TokenizerJson } from './tokenizer.js'

/**
 * Handed to each sampling worker at start (workerData): everything a worker holds besides the
 * weights. Instances whose init is equal share one pool of workers (sampler-pool.ts).
 */
export interface WorkerInit {
  options: ResolvedTinyTransformerOptions
  tokenizer: TokenizerJson
  seed: number
  backend: string
}

/**
 * Main thread → worker. A worker takes its 'sample' requests one at a time, in the order sent.
 * `weightsKey` names the weights a request samples with (the engine's identity and version,
 * `${engine}:${version}`); `weights` rides along whenever the worker will not hold those by then,
 * and the worker refuses a request without them whose key is not the one it holds. With `text`,
 * the worker posts a WorkerText message per decode step before its reply. 'abort' stops the
 * 'sample' request `id` (its weights are still taken); 'ping' is answered at once.
 */
export type WorkerRequest =
  | { id: number; type: 'sample'; rows: RowRequest[]; weightsKey: string; weights?: Float32Array[]; text?: boolean }
  | { id: number; type: 'abort' }
  | { id: number; type: 'ping' }

/** Worker → main thread, during a 'sample' request that asked for `text`: the text its rows (indices into its `rows`) gained in one step. */
export interface WorkerText {
  id: number
  type: 'text'
  pieces: RowText[]
}

/** Worker → main thread: one reply per 'sample' or 'ping' id, after its WorkerText messages. */
export type WorkerReply =
  | { id: number; type: 'reply'; ok: true; threadId: number; completions?: Completion[] }
  | { id: number; type: 'reply'; ok: false; threadId: number; error: { message: string; code?: string } }
