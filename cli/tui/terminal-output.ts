import { createLineOutput } from './line-output.js'
import type { TerminalOutput } from './terminal-output-type.js'
import { mountTui } from './mount-tui.js'
import { shouldUseTui, type TuiChoiceInput } from './should-use-tui.js'
import { colorEnabled } from './color.js'

/** What `bench run` knows when it picks how to show a run. */
export interface TerminalOutputInput extends TuiChoiceInput {
  stdout?: NodeJS.WriteStream
  stdin?: NodeJS.ReadStream
  stderr?: NodeJS.WriteStream
  /** Let ink route console output above the UI (default true; tests turn it off). */
  patchConsole?: boolean
}

/**
 * Picks and starts the terminal output of a run: the live ink UI when {@link shouldUseTui}
 * allows it (a TTY, no --no-tui, no CI), otherwise `bonbench:line` on the same stdout. Runs once
 * per `bench run`, before the first event. The UI does not touch SIGINT: the core keeps handling it.
 */
export function createTerminalOutput(input: TerminalOutputInput = {}): TerminalOutput {
  const stdout = input.stdout ?? process.stdout
  if (shouldUseTui({ ...input, stdout })) {
    const ui = mountTui({
      stdout,
      stdin: input.stdin,
      stderr: input.stderr,
      color: colorEnabled({ env: input.env, stream: stdout }),
      ...(input.patchConsole !== undefined ? { patchConsole: input.patchConsole } : {}),
    })
    return {
      kind: 'tui',
      onEvent: (event) => ui.onEvent(event),
      notice: (line) => ui.notice(line),
      close: async () => {
        ui.unmount()
        await ui.waitUntilExit()
      },
    }
  }
  return createLineOutput(stdout)
}
