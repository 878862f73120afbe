import { BenchError, isBenchError } from '../errors.js'
import type { Plugin } from '../plugin-api/index.js'
import type { PluginSetupContext } from '../plugin-api/common.js'
import type { ModelInstance } from '../plugin-api/model.js'

/** A dispose that threw: what it was (e.g. `verifier plugin 'acme/v'`) and the error. */
export interface DisposeFailure {
  what: string
  error: unknown
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
 * reverse order, on success, on error and on interruption. A dispose that throws is recorded
 * (named) and the others still run.
 */
export class RunLifecycle {
  readonly #ctx: PluginSetupContext
  readonly #held: Held[] = []
  readonly #used = new Set<object>()
  readonly #failures: DisposeFailure[] = []
  #reported = 0

  constructor(ctx: PluginSetupContext) {
    this.#ctx = ctx
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
      await plugin.setup(this.#ctx)
    } catch (error) {
      if (isBenchError(error)) throw error
      throw new BenchError(
        'BENCH_RUN_INVALID',
        `${what} failed in setup(): ${error instanceof Error ? error.message : String(error)}. Check the plugin's options and what it needs (files, executables, services).`,
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
    try {
      await held.dispose()
    } catch (error) {
      this.#failures.push({ what: held.what, error })
    }
  }
}

/** One line for a failed dispose: names the plugin or instance, the hook and the error. */
export function describeDisposeFailure(failure: DisposeFailure): string {
  const message = failure.error instanceof Error ? failure.error.message : String(failure.error)
  return `${failure.what}: dispose() threw: ${message}`
}
