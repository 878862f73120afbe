import type { BenchError } from '../errors.js'
import type { RunEvent, RunEventListener } from '../events.js'
import type { ReportContext, ReporterPlugin } from '../plugin-api/reporter.js'
import { describeValue, pluginContractError } from '../plugin-api-checks/contract-error.js'

/**
 * Delivers run events to the listeners (the UI, the line output) and the reporter plugins, and
 * keeps what a reporter hook threw instead of swallowing it. Created once per `runMatrix`. A
 * reporter whose `onEvent` throws or rejects, or whose `onRunEnd` fails, gets no further events;
 * the first such failure is kept as a BENCH_PLUGIN_CONTRACT error naming the reporter, the hook
 * and the event, which the run throws at its next check (`throwIfFailed`), after disposing every
 * plugin and with everything journaled so far kept.
 */
export class ReporterHooks {
  readonly #reporters: readonly ReporterPlugin[]
  readonly #listeners: readonly RunEventListener[]
  readonly #failed = new Set<ReporterPlugin>()
  readonly #pending = new Set<Promise<void>>()
  #failure: BenchError | undefined

  constructor(reporters: readonly ReporterPlugin[], listeners: readonly RunEventListener[]) {
    this.#reporters = reporters
    this.#listeners = listeners
  }

  /** The first reporter failure, if any. */
  get failure(): BenchError | undefined {
    return this.#failure
  }

  /** Sends one event to every listener, then to every reporter still in good standing, in order. */
  emit(event: RunEvent): void {
    for (const listener of this.#listeners) listener(event)
    for (const reporter of this.#reporters) {
      if (!reporter.onEvent || this.#failed.has(reporter)) continue
      const hook = `onEvent('${event.type}')`
      try {
        const result = reporter.onEvent(event)
        if (result && typeof (result as Promise<void>).then === 'function') {
          const tracked: Promise<void> = Promise.resolve(result)
            .then(
              () => {},
              (error: unknown) => this.#fail(reporter, hook, error),
            )
            .finally(() => this.#pending.delete(tracked))
          this.#pending.add(tracked)
        }
      } catch (error) {
        this.#fail(reporter, hook, error)
      }
    }
  }

  /** Waits for every `onEvent` promise still running (so their failures are known). */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending])
  }

  /** Throws the first reporter failure, if one happened. */
  throwIfFailed(): void {
    if (this.#failure) throw this.#failure
  }

  /** Calls every good reporter's `onRunEnd` in order; a failure is kept and the others still run. */
  async runEnd(ctx: ReportContext): Promise<void> {
    await this.settle()
    for (const reporter of this.#reporters) {
      if (!reporter.onRunEnd || this.#failed.has(reporter)) continue
      try {
        await reporter.onRunEnd(ctx)
      } catch (error) {
        this.#fail(reporter, 'onRunEnd()', error)
      }
    }
  }

  #fail(reporter: ReporterPlugin, hook: string, error: unknown): void {
    this.#failed.add(reporter)
    const got = error instanceof Error ? `it threw ${error.name}: ${error.message}` : `it threw ${describeValue(error)}`
    this.#failure ??= pluginContractError(
      { plugin: reporter.name, kind: 'reporter', call: hook, expected: 'the hook to return without throwing (a reporter must never throw)', got },
      error,
    )
  }
}
