import { createTerminalOutput, type TerminalOutput } from '../tui/terminal-output.js'

/**
 * Where run events go while `bench run` / `bench eval` work: the live ink UI on a TTY, plain
 * lines for non-TTY output, CI=true and --no-tui. The UI is loaded only when it is used.
 */
export async function createRunOutput(opts: { tui: boolean }): Promise<TerminalOutput> {
  return createTerminalOutput({ noTui: !opts.tui })
}
