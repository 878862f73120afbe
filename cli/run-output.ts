import type { TerminalOutput } from './tui/terminal-output-type.js'
import { shouldUseTui } from './tui/should-use-tui.js'
import { createLineOutput } from './tui/line-output.js'

/**
 * Where run events go while `bench run` / `bench eval` work: the live ink UI on a TTY, plain
 * lines for non-TTY output, CI=true and --no-tui. ink and React (about a second to import) are
 * loaded only when the UI is used.
 */
export async function createRunOutput(opts: { tui: boolean }): Promise<TerminalOutput> {
  if (shouldUseTui({ noTui: !opts.tui })) {
    const { createTerminalOutput } = await import('./tui/terminal-output.js')
    return createTerminalOutput({ noTui: false })
  }
  return createLineOutput(process.stdout)
}
