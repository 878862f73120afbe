import { show } from './format-value.js'
import { freeze, sliceString } from './intrinsics.js'
import type { ShimState } from './shim-state.js'

/** The sandbox's `console`: what HumanEval tests call on it. */
export interface SandboxConsole {
  log(...args: unknown[]): void
  info(...args: unknown[]): void
  debug(...args: unknown[]): void
  dir(value: unknown): void
  table(value: unknown): void
  error(...args: unknown[]): void
  warn(...args: unknown[]): void
  trace(...args: unknown[]): void
  assert(condition: unknown, ...args: unknown[]): void
}

/** Which captured stream a line goes to. */
export type Stream = 'out' | 'err'

/**
 * Appends one console line to `state` (arguments shown as Node prints them, space-separated),
 * keeping stdout and stderr together under `limit` characters and counting what is dropped.
 */
export function writeLine(state: ShimState, limit: number, stream: Stream, args: readonly unknown[]): void {
  let line = ''
  for (let i = 0; i < args.length; i++) line += (i ? ' ' : '') + show(args[i], 0)
  line += '\n'
  const room = limit - state.out.length - state.err.length
  if (room <= 0) {
    state.dropped += line.length
    return
  }
  if (line.length > room) {
    state.dropped += line.length - room
    line = sliceString(line, 0, room)
  }
  if (stream === 'out') state.out += line
  else state.err += line
}

/**
 * A frozen console writing into `state`: log/info/debug/dir/table to stdout, error/warn/trace to
 * stderr. A failed `console.assert` does not throw (as in Node) but is counted, and its message
 * becomes the first failure when none came before.
 */
export function createConsole(state: ShimState, limit: number): SandboxConsole {
  const write = (stream: Stream, args: readonly unknown[]) => writeLine(state, limit, stream, args)
  return freeze({
    log: function log(...a: unknown[]) {
      write('out', a)
    },
    info: function info(...a: unknown[]) {
      write('out', a)
    },
    debug: function debug(...a: unknown[]) {
      write('out', a)
    },
    dir: function dir(v: unknown) {
      write('out', [v])
    },
    table: function table(v: unknown) {
      write('out', [v])
    },
    error: function error(...a: unknown[]) {
      write('err', a)
    },
    warn: function warn(...a: unknown[]) {
      write('err', a)
    },
    trace: function trace(...a: unknown[]) {
      const line: unknown[] = ['Trace:']
      for (let i = 0; i < a.length; i++) line[i + 1] = a[i]
      write('err', line)
    },
    assert: function assert(condition: unknown, ...a: unknown[]) {
      if (condition) return
      state.consoleAssertFailures++
      let message = 'Assertion failed'
      for (let i = 0; i < a.length; i++) message += (i ? ' ' : ': ') + show(a[i], 0)
      if (!state.firstFailure) state.firstFailure = message
      write('err', [message])
    },
  })
}
