// The in-isolate shim's entry point. This folder is source code for inside an isolated-vm
// isolate, not for the host: it is bundled into one script (../shim-source.ts) and must import
// nothing but its own modules (the bundle is built for a neutral platform; a package import fails
// the build). Everything but this file is pure and is unit-tested in plain Node.
import { createAssertModules } from './assert-module.js'
import { ArrayPrototype, defineProperty, deleteProperty, ErrorCtor, JSONObject, freeze, ObjectPrototype, preventExtensions } from './intrinsics.js'
import { createRun, type RunProgram } from './run-program.js'
import { createConsole } from './sandbox-console.js'
import { createRequire } from './sandbox-require.js'
import { createState } from './shim-state.js'

/**
 * Installs the shim in a context: hardens the current global object (below) and returns the
 * shim's `run` (see run-program.ts). Made by `prepareShim`, called once, before the candidate.
 */
export type ArmShim = () => RunProgram

/**
 * Makes the shim's objects for the current context without touching its global object, and
 * returns the function that installs them. Split from the install so that the objects can be made
 * once, in an isolate's startup snapshot (../shim-snapshot.ts), and every context made from that
 * snapshot only runs the install. What the install gives the candidate, exactly what the
 * HumanEval-JS tests need and nothing of the host:
 * - `console`, captured and capped at `outputLimit` characters (both streams together);
 * - `require('assert' | 'node:assert' | '…/strict')`, a node:assert-like module;
 * - hardening against a candidate grading itself: `console`, `require` and `JSON` are read-only
 *   bindings of frozen objects, and Object.prototype / Array.prototype accept no new properties
 *   (so no `toJSON` pollution can make every JSON.stringify comparison equal);
 * - no `Atomics.waitAsync`: with a timeout, V8 posts a non-nestable delayed task for it, which
 *   isolated-vm's platform does not support: it aborts the whole host process (std::terminate).
 * The returned function installs at most once (a second call throws). Never call it in the host:
 * it freezes the host's JSON and prototypes.
 */
export function prepareShim(outputLimit: number): ArmShim {
  const state = createState()
  const sandboxConsole = createConsole(state, outputLimit)
  const sandboxRequire = createRequire(createAssertModules(state))
  const run = createRun(state)
  let armed = false
  return function arm(): RunProgram {
    if (armed) throw new ErrorCtor('bonbench:js-sandbox: the shim is installed once per context')
    armed = true
    const g = globalThis
    defineProperty(g, 'console', { value: sandboxConsole, writable: false, enumerable: false, configurable: false })
    defineProperty(g, 'require', { value: sandboxRequire, writable: false, enumerable: false, configurable: false })
    freeze(JSONObject)
    defineProperty(g, 'JSON', { value: JSONObject, writable: false, enumerable: false, configurable: false })
    preventExtensions(ObjectPrototype)
    preventExtensions(ArrayPrototype)
    // Read here, not captured with the other built-ins: V8 adds Atomics (and SharedArrayBuffer,
    // WebAssembly) to a context after making it from a snapshot, so the snapshot's script never sees it.
    const atomics: unknown = (g as { Atomics?: unknown }).Atomics
    if (typeof atomics === 'object' && atomics !== null) deleteProperty(atomics, 'waitAsync')
    return run
  }
}

/** Makes and installs the shim in the current context at once (`prepareShim(outputLimit)()`); returns `run`. */
export function createShim(outputLimit: number): RunProgram {
  return prepareShim(outputLimit)()
}
