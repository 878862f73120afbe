import { existsSync, readFileSync } from 'node:fs'
import { bundleShim, SHIM_EXPORTS } from './shim-bundle.js'

let bundle: string | undefined

/**
 * The shim's bundled code (see shim-bundle.ts): the build's dist/…/shim.bundle.js when it exists
 * beside this module, else bundled now from the sources (tsx, vitest). Read or built once per process.
 */
export function shimBundle(): string {
  if (bundle === undefined) {
    const built = new URL('./shim.bundle.js', import.meta.url)
    bundle = existsSync(built) ? readFileSync(built, 'utf8') : bundleShim()
  }
  return bundle
}

/**
 * The source of the in-isolate shim as one script that makes and installs it in a plain context
 * (the pool's isolates start from a snapshot instead, see shim-snapshot.ts and ARM_SHIM_SOURCE; the
 * shim's tests and benchmarks/sandbox-profile.ts run this). The shim itself is the TypeScript in
 * ./shim/ (create-shim.ts says what it gives the candidate and what it hardens; run-program.ts how
 * a candidate's throw or rejection is contained in the isolate). This wraps its bundle in a strict-mode function so that nothing of
 * it becomes a global of the context: the script's completion value is the shim's
 * `run`, kept by the host as a Reference (shim/run-program.ts): `run(script, context, tests)` runs
 * a candidate and then its tests and returns a promise, with no prototype, that always resolves —
 * never rejects; `run()` then returns the report as a JSON string: console output, the counters,
 * whether the tests ran to their end, and the first thrown or rejected value as plain text. Known hole: a
 * rejection nobody handles (not the completion value's) is still copied out by isolated-vm itself
 * at the end of the call, outside any time limit (see README).
 */
export function shimSource(outputLimit: number): string {
  const limit = Math.max(0, Math.floor(outputLimit))
  return `(function () {\n'use strict'\n${shimBundle()}\nreturn ${SHIM_EXPORTS}.createShim(${limit})\n})()`
}

/**
 * The global property where a startup snapshot leaves the shim's install function (see
 * shim-snapshot.ts). It lives only between a context's creation and ARM_SHIM_SOURCE, which deletes
 * it before any candidate runs in the context.
 */
export const ARM_KEY = '__bonbenchArmShim'

/**
 * The source of a startup snapshot's script: the shim's bundle, run once when the snapshot is
 * made. It makes the shim's objects (console, require, the assert modules, `run` and the state
 * they write) in the snapshot's context without touching its global object but for one
 * non-enumerable property, ARM_KEY, holding the function that installs them. Every context made
 * from the snapshot is a copy of that context: its own built-ins, its own shim objects (captured
 * from its own built-ins), and the install function still to run.
 */
export function shimSnapshotSource(outputLimit: number): string {
  const limit = Math.max(0, Math.floor(outputLimit))
  return `(function () {\n'use strict'\n${shimBundle()}\nObject.defineProperty(globalThis, ${JSON.stringify(ARM_KEY)}, { value: ${SHIM_EXPORTS}.prepareShim(${limit}), configurable: true })\n})()`
}

/**
 * Run in each context made from the snapshot, before the candidate: takes the install function off
 * the global object, installs the shim (its hardening included) and completes with its `run`, as
 * shimSource's script does in a plain context.
 */
export const ARM_SHIM_SOURCE = `(function () {\n'use strict'\nconst arm = globalThis[${JSON.stringify(ARM_KEY)}]\ndelete globalThis[${JSON.stringify(ARM_KEY)}]\nreturn arm()\n})()`
