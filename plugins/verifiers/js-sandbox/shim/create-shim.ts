// The in-isolate shim's entry point. This folder is source code for inside an isolated-vm
// isolate, not for the host: it is bundled into one script (../shim-source.ts) and must import
// nothing but its own modules (the bundle is built for a neutral platform; a package import fails
// the build). Everything but this file is pure and is unit-tested in plain Node.
import { createAssertModules } from './assert-module.js'
import {
  ArrayIteratorPrototype,
  ArrayPrototype,
  defineProperty,
  deleteProperty,
  ErrorCtor,
  freeze,
  getOwnPropertyDescriptor,
  getOwnPropertyNames,
  getOwnPropertySymbols,
  JSONObject,
  MapIteratorPrototype,
  ObjectPrototype,
  preventExtensions,
  SetIteratorPrototype,
  StringIteratorPrototype,
} from './intrinsics.js'
import { createRun, type RunProgram } from './run-program.js'
import { createConsole } from './sandbox-console.js'
import { createRequire } from './sandbox-require.js'
import { createState } from './shim-state.js'
import { makeTestRunner } from './test-runner.js'

// Read now, in the shim's script, before any candidate: the built-ins the install locks.
const FrozenStatics: readonly object[] = [Object, Array, String, Number, Boolean, Map, Set]
const FrozenObjects: readonly object[] = [ArrayPrototype, ArrayIteratorPrototype]
const LockedPrototypes: readonly object[] = [
  String.prototype,
  Number.prototype,
  Boolean.prototype,
  Map.prototype,
  Set.prototype,
  MapIteratorPrototype,
  SetIteratorPrototype,
  StringIteratorPrototype,
]

/**
 * Makes every own property of `o` read-only and non-configurable (a data property keeps its value,
 * an accessor its getter and setter) without making `o` non-extensible: a candidate may still add
 * a method of its own (`String.prototype.words = …`), but not replace one the tests call.
 */
function lockProperties(o: object): void {
  const lock = (k: PropertyKey) => {
    const d = getOwnPropertyDescriptor(o, k)!
    defineProperty(o, k, 'value' in d ? { writable: false, configurable: false } : { configurable: false })
  }
  const names = getOwnPropertyNames(o)
  for (let i = 0; i < names.length; i++) lock(names[i]!)
  const symbols = getOwnPropertySymbols(o)
  for (let i = 0; i < symbols.length; i++) lock(symbols[i]!)
}

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
 *   (so no `toJSON` pollution can make every JSON.stringify comparison equal); the statics of
 *   Object, Array, String, Number, Boolean, Map and Set are frozen, Array.prototype and
 *   %ArrayIteratorPrototype% frozen, and the methods of String.prototype, Number.prototype,
 *   Boolean.prototype, Map.prototype, Set.prototype and their iterator prototypes read-only (the
 *   tests call them on their own data: `[…].join('')`, `i.toString()`, `for…of`); the tests see
 *   their globals pinned and Math/Reflect as copies (test-runner.ts);
 * - no `Atomics.waitAsync`: with a timeout, V8 posts a non-nestable delayed task for it, which
 *   isolated-vm's platform does not support: it aborts the whole host process (std::terminate).
 * The returned function installs at most once (a second call throws). Never call it in the host:
 * it freezes the host's JSON and prototypes.
 */
export function prepareShim(outputLimit: number): ArmShim {
  const state = createState()
  const sandboxConsole = createConsole(state, outputLimit)
  const sandboxRequire = createRequire(createAssertModules(state))
  const tests = makeTestRunner(sandboxConsole, sandboxRequire)
  const run = createRun(state, tests.run)
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
    for (let i = 0; i < tests.copies.length; i++) freeze(tests.copies[i])
    for (let i = 0; i < FrozenStatics.length; i++) freeze(FrozenStatics[i])
    for (let i = 0; i < FrozenObjects.length; i++) freeze(FrozenObjects[i])
    for (let i = 0; i < LockedPrototypes.length; i++) lockProperties(LockedPrototypes[i]!)
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
