import { describeThrown } from './describe-thrown.js'
import { freeze, getPrototypeOf, PromiseCtor, PromisePrototype, setPrototypeOf, thenOf } from './intrinsics.js'
import { BROKEN_REPORT, snapshot } from './report.js'
import type { ShimState } from './shim-state.js'
import type { TestRunner } from './test-runner.js'

/** What `run` needs of the candidate's compiled program: isolated-vm's Script, run from inside the isolate. */
export interface CandidateScript<Context> {
  runSync(context: Context, options: { reference: true }): { deref(): unknown; release(): void }
}

/**
 * The shim's entry point. Called with the compiled candidate, its context and the tests' source,
 * it runs them and returns undefined, or a promise with no prototype, never rejected, that
 * resolves (to undefined) when the tests' completion value settles. Called with no argument, it
 * returns the report (report.ts) as a JSON string: the host makes that call of its own after the
 * first, once isolated-vm has run the microtasks left at the end of the first call.
 */
export interface RunProgram<Context = unknown> {
  (candidate: CandidateScript<Context>, context: Context, tests?: string): undefined | Promise<undefined>
  (): string
}

/**
 * Makes `run(candidate, context, tests)`: runs the compiled candidate (the code before the tests:
 * prefix and completion) nested inside an in-isolate try/catch (isolated-vm's `runSync` called
 * from inside the same isolate runs inline and lets a thrown value propagate as it is, uncopied),
 * then — when it did not throw — the tests' source through `runTests` (test-runner.ts: strict
 * code in a scope of its own), and waits for their completion value inside the isolate when that
 * is a promise. The first thrown or rejected value is recorded in `state` as plain text; `ran` is
 * set once the tests have returned (and their promise, if any, fulfilled).
 *
 * The report is not made here: a floating microtask (`Promise.resolve().then(() =>
 * console.assert(false))`) runs after `run` returns, at the end of the host's call, so the host
 * asks `run()` for it in a second call, when none is left.
 */
export function createRun<Context>(state: ShimState, runTests: TestRunner): RunProgram<Context> {
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
  const run = function run(candidate?: CandidateScript<Context>, context?: Context, tests?: string): string | undefined | Promise<undefined> {
    if (candidate === undefined) return report()
    try {
      const completion = candidate.runSync(context as Context, { reference: true })
      completion.release()
    } catch (e) {
      caught(e, 'threw')
      return undefined
    }
    if (typeof tests !== 'string') {
      state.ran = true
      return undefined
    }
    let value: unknown
    try {
      value = runTests(tests)
    } catch (e) {
      caught(e, 'threw')
      return undefined
    }
    // The tests' own promise (an async function's) has the realm's Promise.prototype, which no
    // candidate can change for it: no `instanceof`, which a Symbol.hasInstance on Promise would answer.
    let isPromise: boolean
    try {
      isPromise = value !== null && typeof value === 'object' && getPrototypeOf(value) === PromisePrototype
    } catch (e) {
      caught(e, 'threw')
      return undefined
    }
    if (!isPromise) {
      state.ran = true
      return undefined
    }
    let done!: (value: undefined) => void
    const settled = new PromiseCtor<undefined>((resolve) => {
      done = resolve
    })
    // No prototype: isolated-vm's then() on it looks up 'constructor' and must not reach Promise.prototype, which the candidate can change.
    setPrototypeOf(settled, null)
    try {
      thenOf(
        value as Promise<unknown>,
        () => {
          state.ran = true
          done(undefined)
        },
        (e) => {
          caught(e, 'rejected with')
          done(undefined)
        },
      )
    } catch (e) {
      caught(e, 'threw')
      done(undefined)
    }
    return settled
  } as RunProgram<Context>
  return freeze(run)
}
