import { BenchError } from '../core/errors.js'
import { hooksInFlight } from '../core/run/hooks-in-flight.js'

/**
 * A command stalls when Node's event loop runs empty while the command still waits: nothing is
 * left that could settle what it awaits. It is a plugin hook (a model's `sample`, a verifier's
 * `score`, a reporter's `onRunEnd`, …) that returned a promise that never resolves or rejects, and
 * keeps nothing running (no timer, socket or child process). Without a watch Node exits with code
 * 13 ("unsettled top-level await") and no word of why.
 */
const STALL_EXPLANATION =
  'it waits on a promise that can never settle, and nothing else is running: a plugin hook (a task, model, verifier, strategy or reporter call) returned a promise that never resolves or rejects'

/** `, waiting on <hook> and <hook>`: the plugin hooks still in flight when the loop ran empty (core/run/hooks-in-flight.ts). */
function waitingOn(): string {
  const hooks = hooksInFlight()
  return hooks.length === 0 ? '' : `, waiting on ${hooks.join(' and ')}`
}

/** How many {@link watchForStall} watches are on: the process-wide fallback stays quiet while one is. */
let watching = 0

/**
 * Watches one piece of work for a stall: `stalled` rejects with a BenchError saying so, and
 * where the work was (`where()`, e.g. the cell and phase of the last progress event), when Node's
 * event loop runs empty first (its `beforeExit`). Race the work against it; `stop()` once the work
 * settled.
 */
export function watchForStall(where: () => string | undefined): { stalled: Promise<never>; readonly fired: boolean; stop(): void } {
  let fired = false
  let fail: (error: BenchError) => void = () => {}
  const stalled = new Promise<never>((_, reject) => (fail = reject))
  // Nobody may await it (the work settled first): no unhandled rejection then.
  stalled.catch(() => {})
  const onBeforeExit = () => {
    const at = where()
    fired = true
    fail(new BenchError('BENCH_PLUGIN_CONTRACT', `the run stalled${at ? ` ${at}` : ''}${waitingOn()}: ${STALL_EXPLANATION}.`))
  }
  process.on('beforeExit', onBeforeExit)
  watching++
  let stopped = false
  return {
    stalled,
    get fired() {
      return fired
    },
    stop() {
      if (stopped) return
      stopped = true
      watching--
      process.off('beforeExit', onBeforeExit)
    },
  }
}

/**
 * The process-wide fallback for a command with no watch of its own (`bench verify`, `score`, …):
 * when the loop runs empty before the command returned, says so on stderr and sets `exitCode`
 * (the command's own error path never runs). Returns the function that turns it off.
 */
export function onCommandStall(exitCode: number): () => void {
  const onBeforeExit = () => {
    if (watching > 0) return
    process.off('beforeExit', onBeforeExit)
    process.stderr.write(`bench: the command stalled${waitingOn()}: ${STALL_EXPLANATION}. Exiting (code ${exitCode}).\n`)
    process.exitCode = exitCode
  }
  process.on('beforeExit', onBeforeExit)
  return () => process.off('beforeExit', onBeforeExit)
}
