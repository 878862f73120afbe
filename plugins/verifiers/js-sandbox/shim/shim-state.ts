import type { ThrownInfo } from './describe-thrown.js'

/**
 * What one candidate's run has recorded so far: captured console output and the counters the
 * host judges. Made fresh for each context; only the shim's own functions write it, and its
 * report (see report.ts) is the only thing that leaves the isolate.
 */
export interface ShimState {
  /** Captured stdout (console.log/info/debug/dir/table). */
  out: string
  /** Captured stderr (console.error/warn/trace, failed console.assert). */
  err: string
  /** Characters of output dropped past the output limit. */
  dropped: number
  /** Failed `console.assert` calls (they do not throw, as in Node). */
  consoleAssertFailures: number
  /** Failed assertions of the `assert` module (each also throws an AssertionError). */
  assertFailures: number
  /** The first failed assertion's message, either kind; '' when none failed. */
  firstFailure: string
  /** The first uncaught thrown or rejected value, as plain text; null when none. */
  thrown: ThrownInfo | null
  /** The tests ran to their end: they returned (and the promise they completed with fulfilled). */
  ran: boolean
}

/** A state with nothing recorded. */
export function createState(): ShimState {
  return { out: '', err: '', dropped: 0, consoleAssertFailures: 0, assertFailures: 0, firstFailure: '', thrown: null, ran: false }
}
