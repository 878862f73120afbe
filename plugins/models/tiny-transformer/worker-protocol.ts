import type { Completion } from 'bonbench'
import type { RowRequest, RowText } from './generate.js'
import type { ResolvedTinyTransformerOptions } from './options.js'
import type { TokenizerJson } from './tokenizer.js'

/** Handed to each sampling worker at start (workerData). */
export interface WorkerInit {
  options: ResolvedTinyTransformerOptions
  tokenizer: TokenizerJson
  seed: number
  backend: string
}

/**
 * Main thread → worker. `weights` rides along whenever the worker's copy is stale; with `text`,
 * the worker posts a WorkerText message per decode step before its reply.
 */
export type WorkerRequest = { id: number; type: 'sample'; rows: RowRequest[]; weights?: Float32Array[]; text?: boolean } | { id: number; type: 'ping' }

/** Worker → main thread, during a 'sample' request that asked for `text`: the text its rows (indices into its `rows`) gained in one step. */
export interface WorkerText {
  id: number
  type: 'text'
  pieces: RowText[]
}

/** Worker → main thread: one reply per request id, after its WorkerText messages. */
export type WorkerReply =
  | { id: number; type: 'reply'; ok: true; threadId: number; completions?: Completion[] }
  | { id: number; type: 'reply'; ok: false; threadId: number; error: { message: string; code?: string } }
