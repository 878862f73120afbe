import { lineReporter } from '../../plugins/reporters/line/index.js'
import type { ReporterPlugin } from '../plugin-api/reporter.js'
import { shouldUseTui, type TuiChoiceInput } from './should-use-tui.js'
import { tuiReporter } from './tui-reporter.js'

/** What `bench run` knows when it picks the terminal reporter. */
export interface TerminalReporterInput extends TuiChoiceInput {
  stdout?: NodeJS.WriteStream
  stdin?: NodeJS.ReadStream
}

/**
 * The reporter that shows a run in the terminal: the live ink UI when {@link shouldUseTui}
 * allows it, otherwise `bonbench:line` on the same stdout. Runs once per `bench run`; nothing
 * draws before the first event.
 */
export function createTerminalReporter(input: TerminalReporterInput = {}): ReporterPlugin {
  const stdout = input.stdout ?? process.stdout
  if (shouldUseTui({ ...input, stdout })) return tuiReporter({ stdout, stdin: input.stdin })
  return lineReporter({ stream: stdout })
}
