/**
 * The command that continues an interrupted run, printed by the terminal UI and the line
 * reporter after `run:end` with `interrupted: true`. The directory is shell-quoted when needed,
 * so the line can be pasted as is.
 */
export function resumeCommand(runDir: string): string {
  return `bench run --resume ${shellQuote(runDir)}`
}

/** The lines shown after an interrupted run: what was kept, and how to go on. */
export function resumeHint(runDir: string): string[] {
  return ['Interrupted: finished cells are kept in the journal. Resume with:', `  ${resumeCommand(runDir)}`]
}

/** `text` as one shell word: as it is when it holds only safe characters, else single-quoted. */
export function shellQuote(text: string): string {
  if (/^[\w@%+=:,./-]+$/.test(text)) return text
  return `'${text.replace(/'/g, `'\\''`)}'`
}
