/** What {@link shouldUseTui} looks at. */
export interface TuiChoiceInput {
  /** The `--no-tui` flag. */
  noTui?: boolean
  /** Environment (default process.env). */
  env?: Record<string, string | undefined>
  /** The output stream (default process.stdout). */
  stdout?: { isTTY?: boolean }
}

/**
 * True when the live ink UI should draw the run: stdout is a TTY, `--no-tui` is not given, and
 * no CI is detected. Anything else gets the plain line reporter. CI counts as detected when `CI`
 * (or `CONTINUOUS_INTEGRATION`) is set to anything but '', '0' or 'false' — `CI=true` included —
 * the same test ink applies, so ink is never mounted where it would draw in its CI mode.
 * `TERM=dumb` also gets lines (such a terminal cannot move the cursor).
 */
export function shouldUseTui(input: TuiChoiceInput = {}): boolean {
  const env = input.env ?? process.env
  const stdout = input.stdout ?? process.stdout
  if (input.noTui) return false
  if (stdout.isTTY !== true) return false
  const set = (name: string) => {
    const value = env[name]
    return value !== undefined && value !== '' && value !== '0' && value !== 'false'
  }
  if (set('CI') || set('CONTINUOUS_INTEGRATION')) return false
  if (env.TERM === 'dumb') return false
  return true
}
