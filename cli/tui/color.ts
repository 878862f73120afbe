/** What {@link colorEnabled} looks at. */
export interface ColorChoiceInput {
  /** Environment (default process.env). */
  env?: Record<string, string | undefined>
  /** The stream the coloured text goes to (default process.stdout). */
  stream?: { isTTY?: boolean }
}

/**
 * True when terminal output may carry colour: the stream is a TTY and none of the usual off
 * switches is set — `NO_COLOR` with any non-empty value (no-color.org), `FORCE_COLOR=0` (or
 * `false`), `TERM=dumb`. The live UI and the end-of-run curves both follow it.
 */
export function colorEnabled(input: ColorChoiceInput = {}): boolean {
  const env = input.env ?? process.env
  if ((input.stream ?? process.stdout).isTTY !== true) return false
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false
  return env.TERM !== 'dumb'
}

/** Removes SGR sequences (colour, bold, dim) from `text`; cursor movements and clears are kept. */
function stripColor(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001B\[[0-9;:]*m/g, '')
}

/**
 * `stream` as it is, or (colour off) a view of it whose string writes lose their SGR sequences:
 * the live UI (ink, whose chalk does not read NO_COLOR) then draws without colour, its cursor
 * movements intact. Everything else — size, events, TTY-ness — is the stream's own.
 */
export function withoutColor<S extends NodeJS.WritableStream>(stream: S): S {
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write') {
        return (chunk: unknown, ...rest: unknown[]) =>
          (target.write as (...args: unknown[]) => boolean).call(target, typeof chunk === 'string' ? stripColor(chunk) : chunk, ...rest)
      }
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}
