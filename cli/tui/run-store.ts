import type { RunEvent } from '../../core/events.js'
import { initialRunView, reduceRunView, tickRunView, type RunView } from './run-state.js'

/** Options of {@link createRunStore}. */
export interface RunStoreOptions {
  /** The clock (milliseconds); tests pass a scripted one so rates and ETAs are exact. */
  now?: () => number
  /**
   * Frequent events (progress, train:step, log) are folded at once but published at most this
   * often, so a fast trainer does not re-render the UI per step. Other events publish at once.
   * 0 publishes every event (tests).
   */
  coalesceMs?: number
}

/** The UI's state container: events in, immutable snapshots out, listeners told on each publish. */
export interface RunStore {
  /** Folds an event into the state; safe to call before anything subscribes. */
  dispatch(event: RunEvent): void
  /** The latest published snapshot; the same object until something is published. */
  getSnapshot(): RunView
  /** Calls `listener` after each publish; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
  /** Publishes pending changes now (e.g. before unmounting). */
  flush(): void
  /** Advances the clock of a running view to now() and publishes it (a second's redraw). */
  tick(): void
}

const FREQUENT = new Set<RunEvent['type']>(['progress', 'train:step', 'log'])

/** Creates a store; runs once per mounted UI. */
export function createRunStore(options: RunStoreOptions = {}): RunStore {
  const now = options.now ?? Date.now
  const coalesceMs = options.coalesceMs ?? 50
  const listeners = new Set<() => void>()
  let current = initialRunView()
  let published = current
  let timer: NodeJS.Timeout | undefined

  const publish = (): void => {
    if (timer) clearTimeout(timer)
    timer = undefined
    if (published === current) return
    published = current
    for (const listener of listeners) listener()
  }

  return {
    dispatch(event) {
      current = reduceRunView(current, event, now())
      if (coalesceMs > 0 && FREQUENT.has(event.type)) {
        if (!timer) {
          timer = setTimeout(publish, coalesceMs)
          // A pending redraw must never keep the process alive.
          timer.unref()
        }
        return
      }
      publish()
    },
    getSnapshot: () => published,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    flush: publish,
    tick() {
      current = tickRunView(current, now())
      publish()
    },
  }
}
