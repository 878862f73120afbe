import { lineReporter } from '../../plugins/reporters/line/index.js'
import type { TerminalOutput } from './terminal-output-type.js'

/** The plain-lines terminal output (`bonbench:line` on `stdout`); it never throws into the run. */
export function createLineOutput(stdout: NodeJS.WritableStream & { columns?: number }): TerminalOutput {
  const line = lineReporter({ stream: stdout })
  return {
    kind: 'line',
    onEvent: (event) => {
      try {
        void line.onEvent?.(event)
      } catch {
        // A reporter must never stop the run.
      }
    },
    notice: (text) => {
      process.stderr.write(`\n${text}\n`)
    },
    close: async () => {},
  }
}
