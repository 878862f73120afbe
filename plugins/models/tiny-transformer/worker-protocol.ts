import type { Completion } from 'bonbench'
import type { RowRequest } from './generate.js'
import type { ResolvedTinyTransformerOptions } from './options.js'
import type { TokenizerJson } from './tokenizer.js'

/** Handed to each sampling worker at start (workerData). */
export interface WorkerInit {
  options: ResolvedTinyTransformerOptions
  tokenizer: TokenizerJson
  seed: number
  backend: string
}

/** Main thread → worker. `weights` rides along whenever the worker's copy is stale. */
export type WorkerRequest = { id: number; type: 'sample'; rows: RowRequest[]; weights?: Float32Array[] } | { id: number; type: 'ping' }

/** Worker → main thread: one reply per request id. */
export type WorkerReply =
  | { id: number; ok: true; threadId: number; completions?: Completion[] }
  | { id: number; ok: false; threadId: number; error: { message: string; code?: string } }
