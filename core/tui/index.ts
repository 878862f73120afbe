/** The terminal UI's public surface: what `bench run` calls to show a run. */
export { mountTui, type MountTuiOptions, type TuiHandle } from './mount-tui.js'
export { shouldUseTui, type TuiChoiceInput } from './should-use-tui.js'
export { tuiReporter } from './tui-reporter.js'
export { createTerminalOutput, type TerminalOutput, type TerminalOutputInput } from './terminal-output.js'
