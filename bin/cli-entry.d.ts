/** Node's arguments before the command's own: the flags and the CLI's entry file (bin/cli-entry.js). */
export function cliNodeArgs(): string[]
