import { describeThrown } from './describe-thrown.js'
import { PromiseCtor, setPrototypeOf, thenOf } from './intrinsics.js'
import { BROKEN_REPORT, snapshot } from './report.js'
import type { ShimState } from './shim-state.js'

/** What `run` needs of the candidate's compiled program: isolated-vm's Script, run from inside the isolate. */
export interface CandidateScript<Context> {
  runSync(context: Context, options: { reference: true }): { deref(): unknown; release(): void }
}

/** The shim's entry point the host calls with the compiled candidate and its context. */
export type RunProgram<Context = unknown> = (script: CandidateScript<Context>, context: Context) => string | Promise<string>

/**
 * Makes `run(script, context)`: runs the compiled candidate nested inside an in-isolate try/catch
 * (isolated-vm's `runSync` called from inside the same isolate runs inline and lets a thrown value
 * propagate as it is, uncopied) and waits for its completion value inside the isolate when that is
 * a promise. Returns the report (report.ts) itself when the program's completion value is not a
 * promise — most tests are synchronous, and a plain string spares the host a promise round trip —
 * else a promise with no prototype that always resolves, never rejects, with the report. The
 * first thrown or rejected value is recorded in `state` as plain text.
 */
export function createRun<Context>(state: ShimState): RunProgram<Context> {
  const caught = (e: unknown, how: string) => {
    if (state.thrown === null) state.thrown = describeThrown(e, how)
  }
  const report = (): string => {
    try {
      return snapshot(state)
    } catch {
      return BROKEN_REPORT
    }
  }
  return function run(script, context) {
    let value: unknown
    try {
      const completion = script.runSync(context, { reference: true })
      value = completion.deref()
      completion.release()
    } catch (e) {
      caught(e, 'threw')
      return report()
    }
    let isPromise: boolean
    try {
      isPromise = value !== null && typeof value === 'object' && value instanceof PromiseCtor
    } catch (e) {
      caught(e, 'threw')
      return report()
    }
    if (!isPromise) return report()
    let done!: (report: string) => void
    const settled = new PromiseCtor<string>((resolve) => {
      done = resolve
    })
    // No prototype: isolated-vm's then() on it looks up 'constructor' and must not reach Promise.prototype, which the candidate can change.
    setPrototypeOf(settled, null)
    try {
      thenOf(
        value as Promise<unknown>,
        () => done(report()),
        (e) => {
          caught(e, 'rejected with')
          done(report())
        },
      )
    } catch (e) {
      caught(e, 'threw')
      done(report())
    }
    return settled
  }
}
