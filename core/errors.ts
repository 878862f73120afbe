/** Stable error codes: tests and callers match on these, never on message text. */
export type BenchErrorCode =
  | 'BENCH_PLUGIN_NOT_FOUND'
  | 'BENCH_PLUGIN_INVALID'
  | 'BENCH_PLUGIN_DUPLICATE'
  /** A third-party plugin (file, package or inline object) took a name reserved for the built-ins: `bonbench:<name>`, or a built-in's short name. */
  | 'BENCH_PLUGIN_RESERVED_NAME'
  | 'BENCH_PLUGIN_OPTIONS'
  /** A plugin's `meta.apiVersion` range does not include the installed bonbench. */
  | 'BENCH_PLUGIN_API_VERSION'
  /** A config or plugin module (or a plugin factory) did not settle within the import deadline (BONBENCH_IMPORT_TIMEOUT). */
  | 'BENCH_IMPORT_TIMEOUT'
  | 'BENCH_CONFIG_INVALID'
  | 'BENCH_CONFIG_NOT_FOUND'
  | 'BENCH_DATA_INVALID'
  | 'BENCH_DATA_MISSING'
  | 'BENCH_BACKEND_UNAVAILABLE'
  /** The backend failed while computing (a WebGPU validation or out-of-memory error, a lost device): its results are garbage from there, so the run stops, its journal kept. */
  | 'BENCH_BACKEND_FAILED'
  /** A cell trains but the run's model cannot (sampling only: core/run/trainable.ts); the cell fails, and a resume would fail it again. */
  | 'BENCH_MODEL_CANNOT_TRAIN'
  /** A model's `update()` returned a loss or gradient norm that is not finite (a learning rate too high, most often): that cell (or the pretraining) stops. */
  | 'BENCH_TRAINING_DIVERGED'
  | 'BENCH_RUN_INVALID'
  | 'BENCH_USAGE'
  | 'BENCH_ABORTED'
  /** `bench rerun`: a plugin, data file or the harness differs from the run's record. */
  | 'BENCH_RERUN_MISMATCH'
  /** A plugin broke its contract at run time (wrong output, a throwing lifecycle or reporter hook): a plugin bug; the run stops. */
  | 'BENCH_PLUGIN_CONTRACT'
  /** A model served over HTTP failed: unreachable, refused (401), unknown model, a bad answer, or out of retries. */
  | 'BENCH_MODEL_API'
  /** `bench merge`: the runs given are not the shards of one run (a shard missing or twice, a different config, plugins or base model). */
  | 'BENCH_MERGE_MISMATCH'
  /** Queue mode: Redis cannot be reached or the `--queue` URL is not a Redis URL. */
  | 'BENCH_QUEUE_UNREACHABLE'
  /** Queue mode: a worker's plugins, their versions or the bonbench version differ from the run's record (the job goes back to the queue). */
  | 'BENCH_QUEUE_VERSION_MISMATCH'
  /** Queue mode: cells were left and no worker served the run's queue for `--worker-timeout` seconds (journal and jobs kept; `--resume --queue` re-attaches). */
  | 'BENCH_QUEUE_NO_WORKER'

/** Errors for setup and misuse. The message says what is wrong and what to do. */
export class BenchError extends Error {
  readonly code: BenchErrorCode
  constructor(code: BenchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'BenchError'
    this.code = code
  }
}

/** True for a BenchError, also across module copies (checks the code field). */
export function isBenchError(error: unknown): error is BenchError {
  return error instanceof Error && typeof (error as BenchError).code === 'string' && (error as BenchError).code.startsWith('BENCH_')
}
