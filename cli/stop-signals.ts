import { EXIT } from './exit-codes.js'

/** The signals that stop a command, and the exit code of a command each one stopped (128 + its number). */
export const STOP_EXIT_CODES = { SIGINT: EXIT.sigint, SIGTERM: EXIT.sigterm } as const

/** A signal that stops a command: SIGINT (Ctrl-C) or SIGTERM. */
export type StopSignal = keyof typeof STOP_EXIT_CODES

/** What bin/bench.js sends the CLI process over its IPC channel, once for each stop signal it receives. */
export interface StopSignalMessage {
  type: 'bench:signal'
  signal: StopSignal
}

/**
 * What the CLI process sends bin/bench.js when its command has finished but the process cannot
 * exit (cli/main.ts): the wrapper then ends it and exits with `code`.
 */
export interface ExitMessage {
  type: 'bench:exit'
  code: number
}

/**
 * What the CLI process sends bin/bench.js once a run's directory exists: the `--resume` command
 * lines the wrapper prints if it has to end a CLI that a plugin blocks (a synchronous loop that no
 * signal handler can interrupt), after a second stop signal.
 */
export interface ResumeHintMessage {
  type: 'bench:resume-hint'
  lines: string[]
}

/** Tells bin/bench.js, when it started this process, how to resume the run in `runDir`. */
export function sendResumeHint(lines: string[]): void {
  if (process.connected) process.send?.({ type: 'bench:resume-hint', lines } satisfies ResumeHintMessage)
}

/** True for a {@link StopSignalMessage}. */
export function isStopSignalMessage(message: unknown): message is StopSignalMessage {
  const m = message as Partial<StopSignalMessage> | null
  return typeof m === 'object' && m !== null && m.type === 'bench:signal' && (m.signal === 'SIGINT' || m.signal === 'SIGTERM')
}

type Handler = (signal: StopSignal) => void
const handlers = new Set<Handler>()

/** True when bin/bench.js started this process (it then forwards every signal it gets as a message). */
function underWrapper(): boolean {
  return Boolean(process.channel) && process.connected
}

function onOsSignal(signal: StopSignal): void {
  // Under the wrapper a terminal's Ctrl-C reaches both processes; the wrapper's message is the one
  // that counts, so one keypress is one signal.
  if (underWrapper()) return
  for (const handler of [...handlers]) handler(signal)
}
const osListeners = { SIGINT: () => onOsSignal('SIGINT'), SIGTERM: () => onOsSignal('SIGTERM') }

/**
 * Calls `handler` once for each SIGINT or SIGTERM meant for this process, until the returned
 * function is called. Under bin/bench.js the signals come as its messages (see
 * {@link deliverStopSignal}) and the OS copies are ignored; run directly, the OS signals count.
 * While a handler is registered the signals no longer terminate the process: the handler decides.
 */
export function onStopSignal(handler: Handler): () => void {
  if (handlers.size === 0) {
    process.on('SIGINT', osListeners.SIGINT)
    process.on('SIGTERM', osListeners.SIGTERM)
  }
  handlers.add(handler)
  return () => {
    handlers.delete(handler)
    if (handlers.size === 0) {
      process.off('SIGINT', osListeners.SIGINT)
      process.off('SIGTERM', osListeners.SIGTERM)
    }
  }
}

/**
 * Delivers a signal bin/bench.js forwarded: to the registered handlers, or, when none is
 * registered (a command that does not handle signals), by raising it on this process so that it
 * ends as the signal's default action ends it.
 */
export function deliverStopSignal(signal: StopSignal): void {
  if (handlers.size > 0) {
    for (const handler of [...handlers]) handler(signal)
    return
  }
  process.kill(process.pid, signal)
}
