import type { Command } from 'commander'

/** A CLI command module: adds one command (with its --help) to the program. */
export type RegisterCommand = (program: Command) => void

// One line per command; each module lives beside this file and is named after its command.
export const commands: RegisterCommand[] = []
