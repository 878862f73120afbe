import { objectCreate, stringify } from './intrinsics.js'
import type { ShimState } from './shim-state.js'

/**
 * The report the host receives: `state` as a JSON string, built from an object with no prototype
 * (so no `toJSON` a candidate put on Object.prototype applies) through the captured
 * JSON.stringify. The host re-checks its shape (run-candidate.ts) and never trusts it further.
 */
export function snapshot(state: ShimState): string {
  const r = objectCreate(null) as Record<string, unknown>
  r.out = state.out
  r.err = state.err
  r.dropped = state.dropped
  r.consoleAssertFailures = state.consoleAssertFailures
  r.assertFailures = state.assertFailures
  r.firstFailure = state.firstFailure
  r.thrown = state.thrown
  r.ran = state.ran
  return stringify(r)
}

/** The report when even the snapshot failed: the host rejects its shape as malformed (a runtime verdict, isolate disposed). */
export const BROKEN_REPORT = '{"thrown":{"how":"threw","name":"","message":"","code":"","text":"the report could not be made"}}'
