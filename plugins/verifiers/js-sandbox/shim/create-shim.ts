// The in-isolate shim's entry point. This folder is source code for inside an isolated-vm
// isolate, not for the host: it is bundled into one script (../shim-source.ts) and must import
// nothing but its own modules (the bundle is built for a neutral platform; a package import fails
// the build). Everything but this file is pure and is unit-tested in plain Node.
import { createAssertModules } from './assert-module.js'
import { ArrayPrototype, defineProperty, JSONObject, freeze, ObjectPrototype, preventExtensions } from './intrinsics.js'
import { createRun, type RunProgram } from './run-program.js'
import { createConsole } from './sandbox-console.js'
import { createRequire } from './sandbox-require.js'
import { createState } from './shim-state.js'

/**
 * Installs the shim into the current context's global object and returns its `run` (see
 * run-program.ts). Runs in every fresh context before the candidate, and gives the candidate
 * exactly what the HumanEval-JS tests need and nothing of the host:
 * - `console`, captured and capped at `outputLimit` characters (both streams together);
 * - `require('assert' | 'node:assert' | '…/strict')`, a node:assert-like module;
 * - hardening against a candidate grading itself: `console`, `require` and `JSON` are read-only
 *   bindings of frozen objects, and Object.prototype / Array.prototype accept no new properties
 *   (so no `toJSON` pollution can make every JSON.stringify comparison equal).
 * Never call it in the host: it freezes the host's JSON and prototypes.
 */
export function createShim(outputLimit: number): RunProgram {
  const g = globalThis
  const state = createState()
  const sandboxConsole = createConsole(state, outputLimit)
  const sandboxRequire = createRequire(createAssertModules(state))
  defineProperty(g, 'console', { value: sandboxConsole, writable: false, enumerable: false, configurable: false })
  defineProperty(g, 'require', { value: sandboxRequire, writable: false, enumerable: false, configurable: false })
  freeze(JSONObject)
  defineProperty(g, 'JSON', { value: JSONObject, writable: false, enumerable: false, configurable: false })
  preventExtensions(ObjectPrototype)
  preventExtensions(ArrayPrototype)
  return createRun(state)
}
