import { useSyncExternalStore } from 'react'
import type { RunStore } from './run-store.js'
import type { RunView } from './run-state.js'

/**
 * Subscribes a component to the run store. Re-renders whenever the store publishes and
 * guarantees a consistent snapshot within one render.
 */
export function useRunView(store: RunStore): RunView {
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot)
}
