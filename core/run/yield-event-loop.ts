import { setImmediate } from 'node:timers/promises'

/**
 * Lets the event loop run (signals, IPC, output, the UI) between units of work. Needed because a
 * model or verifier that works synchronously inside async functions would otherwise chain
 * microtasks for the whole run and starve Ctrl-C handling.
 */
export function yieldToEventLoop(): Promise<void> {
  return setImmediate()
}
