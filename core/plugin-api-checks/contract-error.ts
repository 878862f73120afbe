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
 * back. It is a plugin bug, so the run stops (results journaled before stay in the journal).
 */
export function pluginContractError(breach: ContractBreach, cause?: unknown): BenchError {
  return new BenchError(
    'BENCH_PLUGIN_CONTRACT',
    `${breach.kind} plugin '${breach.plugin}' broke its contract in ${breach.call}: expected ${breach.expected}, got ${breach.got}. This is a bug in the plugin: fix it or report it to its author (results journaled so far are kept).`,
    cause === undefined ? undefined : { cause },
  )
}

/** True for a BENCH_PLUGIN_CONTRACT error (also across module copies). */
export function isPluginContractError(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'BENCH_PLUGIN_CONTRACT'
}

/** A short, safe description of any value for an error message (never calls into the value's own methods). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value)
  if (typeof value === 'string') return value.length > 40 ? `a string ${JSON.stringify(value.slice(0, 40))}…` : `the string ${JSON.stringify(value)}`
  if (typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'object') return `an object with keys [${Object.keys(value).slice(0, 6).join(', ')}]`
  return `a ${typeof value}`
}
