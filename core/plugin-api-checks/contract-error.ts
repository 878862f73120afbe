import { BenchError } from '../errors.js'
import type { PluginKind } from '../plugin-api/common.js'

/** One broken promise of a plugin at run time: who, in which call, what was expected, what came back. */
export interface ContractBreach {
  plugin: string
  kind: PluginKind
  /** The hook and its input, e.g. `score() of 8 candidates`. */
  call: string
  expected: string
  got: string
}

/**
 * The error the core throws when a plugin's output breaks the plugin API: code
 * BENCH_PLUGIN_CONTRACT, a message naming the plugin, the call, what was expected and what came
 * back. It is a plugin bug, so a run stops (results journaled before stay in the journal, and
 * `bench run` says so with the `--resume` command). The message says nothing about a run: the same
 * check answers a dry run, the contract testers and `bench weights`, where nothing is journaled.
 */
export function pluginContractError(breach: ContractBreach, cause?: unknown): BenchError {
  return new BenchError(
    'BENCH_PLUGIN_CONTRACT',
    `${breach.kind} plugin '${breach.plugin}' broke its contract in ${breach.call}: expected ${breach.expected}, got ${breach.got}. This is a bug in the plugin: fix it or report it to its author.`,
    cause === undefined ? undefined : { cause },
  )
}

/** True for a BENCH_PLUGIN_CONTRACT error (also across module copies). */
export function isPluginContractError(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'BENCH_PLUGIN_CONTRACT'
}

/** A Promise a synchronous hook returned is refused as such; its rejection, if any, must not end the process as unhandled. */
export function ignoreRejection(out: unknown): void {
  if (out instanceof Promise) out.catch(() => {})
}

/** True for a Promise or any other thenable (an object or function with a `then` method). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/**
 * A short, safe description of any value for an error message (never calls into the value's own
 * methods). `hook`, when given, is the synchronous hook that returned it: a Promise is then
 * described as `a Promise (<hook>() must be synchronous)`.
 */
export function describeValue(value: unknown, hook?: string): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value)
  if (typeof value === 'string') return value.length > 40 ? `a string ${JSON.stringify(value.slice(0, 40))}…` : `the string ${JSON.stringify(value)}`
  if (typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (isThenable(value)) return hook === undefined ? 'a Promise' : `a Promise (${hook}() must be synchronous)`
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'object') return `an object with keys [${Object.keys(value).slice(0, 6).join(', ')}]`
  return `a ${typeof value}`
}
