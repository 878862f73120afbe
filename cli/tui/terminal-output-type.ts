import type { RunEvent } from '../../core/events.js'

/** Where `bench run` sends its events: the live UI or plain lines. */
export interface TerminalOutput {
  /** Which one was picked: the caller may skip printing what the UI already shows. */
  kind: 'tui' | 'line'
  /** Forwards one run event; never throws. */
  onEvent(event: RunEvent): void
  /**
   * Shows the user a line at once while the run goes on (the Ctrl-C notice), on stderr: through the
   * live UI (above its rows, which would otherwise draw over it), or as a line of its own.
   */
  notice(line: string): void
  /** Resolves once the output is finished (for the UI: unmounted, last frame written); idempotent. */
  close(): Promise<void>
}
