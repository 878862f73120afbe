import { BenchError, isBenchError } from '../errors.js'
import type { Plugin } from '../plugin-api/index.js'
import type { PluginSetupContext } from '../plugin-api/common.js'
import type { ModelInstance } from '../plugin-api/model.js'
import { settleWithin } from '../deadline.js'
import { describeValue } from '../plugin-api-checks/contract-error.js'
import { NonErrorThrown, callHook } from './hooks-in-flight.js'

/**
 * How long a dispose may take before the run goes on without it (10 s; the environment variable
 * BONBENCH_DISPOSE_TIMEOUT sets it in seconds). A dispose is cleanup: one that never settles must
 * not keep a finished run from its reports, so the failure is reported instead.
 */
export const DISPOSE_DEADLINE_MS = 10_000

function disposeDeadlineMs(): number {
  const seconds = Number(process.env.BONBENCH_DISPOSE_TIMEOUT)
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DISPOSE_DEADLINE_MS
}

/** A dispose that threw, or did not settle in time (`late`): what it was (e.g. `verifier plugin 'acme/v'`) and the error. */
export interface DisposeFailure {
  what: string
  error: unknown
  /** The dispose did not settle within the deadline (ms); the run went on without it. */
  late?: number
}

interface Held {
  what: string
  dispose: () => Promise<void> | void
  /** The plugin object or model instance (for exactly-once bookkeeping). */
  owner: object
}

/**
 * The resources one run holds, in the order it took them: plugins it set up and model instances
 * it created. Created at the start of `runMatrix`; guarantees that every plugin used is set up at
 * most once (`setup`) and disposed exactly once, and every model instance owned is disposed
 * exactly once — by `release` when the run is done with it, else by `disposeAll`, which runs in
 * reverse order, on success, on error and on interruption. A dispose that throws, or does not
 * settle within {@link DISPOSE_DEADLINE_MS}, is recorded (named) and the others still run.
 */
export class RunLifecycle {
  readonly #ctx: PluginSetupContext
  readonly #disposeDeadlineMs: number
  readonly #held: Held[] = []
  readonly #used = new Set<object>()
  readonly #failures: DisposeFailure[] = []
  #reported = 0

  constructor(ctx: PluginSetupContext, opts: { disposeDeadlineMs?: number } = {}) {
    this.#ctx = ctx
    this.#disposeDeadlineMs = opts.disposeDeadlineMs ?? disposeDeadlineMs()
  }

  /** How many resources are held now; `disposeAll(mark)` disposes those taken after a mark. */
  get depth(): number {
    return this.#held.length
  }

  /** Every dispose that threw so far, in the order they ran. */
  get failures(): readonly DisposeFailure[] {
    return this.#failures
  }

  /**
   * Calls the plugin's `setup` (when it has one) the first time the run uses it and registers its
   * `dispose`; a plugin already set up in this run is skipped. A setup that throws is rethrown (a
   * BenchError as it is, anything else as BENCH_RUN_INVALID naming the plugin); the plugin is then
   * still disposed with the others, since a half-done setup may hold resources.
   */
  async setup(plugin: Plugin): Promise<void> {
    if (this.#used.has(plugin)) return
    this.#used.add(plugin)
    const what = `${plugin.kind} plugin '${plugin.name}'`
    if (typeof plugin.dispose === 'function') this.#held.push({ what, owner: plugin, dispose: () => plugin.dispose!() })
    if (typeof plugin.setup !== 'function') return
    try {
      await callHook(plugin, 'setup', () => plugin.setup!(this.#ctx))
    } catch (error) {
      if (isBenchError(error)) throw error
      // callHook turns a thrown non-Error into a NonErrorThrown: `error` is an Error here.
      const reason =
        error instanceof NonErrorThrown
          ? `it threw ${describeValue(error.thrown)}, not an Error (a plugin should throw an Error whose message says what went wrong)`
          : (error as Error).message
      throw new BenchError(
        'BENCH_RUN_INVALID',
        `${what} failed in setup(): ${reason}. Check the plugin's options and what it needs (files, executables, services).`,
        { cause: error },
      )
    }
  }

  /** Takes ownership of a model instance the run created; returns it. Owning it twice is a no-op. */
  own<T extends ModelInstance>(instance: T, what: string): T {
    if (!this.#used.has(instance)) {
      this.#used.add(instance)
      this.#held.push({ what, owner: instance, dispose: () => instance.dispose?.() })
    }
    return instance
  }

  /** Disposes an owned instance now (exactly once: it is no longer held); a failure is recorded. */
  async release(instance: ModelInstance): Promise<void> {
    const i = this.#held.findIndex((h) => h.owner === instance)
    if (i < 0) return
    const [held] = this.#held.splice(i, 1)
    await this.#dispose(held!)
  }

  /**
   * Disposes everything taken after `mark` (default: everything), newest first. Never throws;
   * returns the failures not returned before (those of earlier `release` calls included).
   */
  async disposeAll(mark = 0): Promise<DisposeFailure[]> {
    while (this.#held.length > mark) await this.#dispose(this.#held.pop()!)
    const fresh = this.#failures.slice(this.#reported)
    this.#reported = this.#failures.length
    return fresh
  }

  async #dispose(held: Held): Promise<void> {
    const ms = this.#disposeDeadlineMs
    const late = new Error(`did not settle within ${ms / 1000} s`)
    try {
      await settleWithin(held.dispose(), ms, () => late)
    } catch (error) {
      this.#failures.push(error === late ? { what: held.what, error, late: ms } : { what: held.what, error })
    }
  }
}

/** One line for a failed dispose: names the plugin or instance, the hook and the error (or the deadline it missed). */
export function describeDisposeFailure(failure: DisposeFailure): string {
  if (failure.late !== undefined) return `${failure.what}: dispose() did not settle within ${failure.late / 1000} s; the run went on without it`
  const message = failure.error instanceof Error ? failure.error.message : String(failure.error)
  return `${failure.what}: dispose() threw: ${message}`
}
