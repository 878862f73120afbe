import type { SandboxConsole } from './sandbox-console.js'
import type { SandboxRequire } from './sandbox-require.js'
import {
  defineProperty,
  evalFunction,
  FunctionCtor,
  getOwnPropertyDescriptor,
  getOwnPropertyNames,
  getOwnPropertySymbols,
  getPrototypeOf,
  MathObject,
  objectCreate,
  ReflectObject,
} from './intrinsics.js'

/** Runs the tests' source text; returns its completion value (the value of its last statement). */
export type TestRunner = (source: string) => unknown

/**
 * The global names whose values the tests see pinned: bound, in a function scope between the tests
 * and the global scope, to the values they had when the shim was made. A candidate that reassigns
 * one (`Math = …`, `globalThis.JSON = …`) or shadows it with a top-level `let`/`class` changes only
 * what its own code sees. `Math` and `Reflect` are copies the candidate never reaches (frozen when
 * the shim is installed), so `Math.abs = () => 0` does not reach the tests either; the constructors
 * are the realm's own (the tests' `instanceof` and literals need them), their statics frozen when
 * the shim is installed (create-shim.ts). Not here: what V8 adds to a context made from a snapshot
 * (Atomics, SharedArrayBuffer, WebAssembly), which the shim's script never sees.
 */
const PINNED_GLOBALS = [
  'console',
  'require',
  'JSON',
  'Math',
  'Reflect',
  'globalThis',
  'Object',
  'Function',
  'Array',
  'String',
  'Number',
  'Boolean',
  'Symbol',
  'BigInt',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'Date',
  'RegExp',
  'Promise',
  'Proxy',
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
  'AggregateError',
  'parseInt',
  'parseFloat',
  'isNaN',
  'isFinite',
  'NaN',
  'Infinity',
  'undefined',
  'encodeURIComponent',
  'decodeURIComponent',
  'encodeURI',
  'decodeURI',
  'ArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
] as const

/** A copy of a namespace object (Math, Reflect): same prototype, same own properties; the caller freezes it. */
function copyNamespace(source: object): object {
  const copy = objectCreate(getPrototypeOf(source)) as object
  const names = getOwnPropertyNames(source)
  for (let i = 0; i < names.length; i++) defineProperty(copy, names[i]!, getOwnPropertyDescriptor(source, names[i]!)!)
  const symbols = getOwnPropertySymbols(source)
  for (let i = 0; i < symbols.length; i++) defineProperty(copy, symbols[i]!, getOwnPropertyDescriptor(source, symbols[i]!)!)
  return copy
}

/** The objects a runner is made with, and the copies to freeze when the shim is installed. */
export interface TestRunnerParts {
  run: TestRunner
  /** The copies of Math and Reflect the tests see. */
  copies: object[]
}

/**
 * Makes the function that runs the tests, in the current realm, as strict-mode code in a function
 * scope of their own: a direct `eval` of their source inside a strict function that the
 * Function constructor made (so its scope is the global scope, not the shim's), under a scope that
 * binds `eval` to the realm's own eval (a direct eval needs it; the candidate may have replaced
 * the global) and PINNED_GLOBALS to their values now. Consequences the sandbox relies on:
 * - the tests' declarations (`function test`, `const testX`, `var`) are local to that eval: the
 *   candidate's code, which runs first as its own script, can neither reassign them (`test =
 *   function () {}`) nor name them (`eval('testX')`, `globalThis.test`);
 * - the tests are strict code: `fn.caller` of a candidate's function called from them is null, and
 *   a stack trace's CallSite.getFunction()/getThis() give undefined for their frames, so the
 *   candidate cannot get hold of a test function (nor read its source with toString);
 * - the completion value of the tests' last statement is returned (the promise of an `async
 *   function test()` called last is awaited, as when the tests ended one script).
 * The source carries its own `//# sourceURL` and leading newlines (run-candidate.ts), so stack
 * frames name the tests' lines as the one-script program did.
 */
export function makeTestRunner(sandboxConsole: SandboxConsole, sandboxRequire: SandboxRequire): TestRunnerParts {
  const math = copyNamespace(MathObject)
  const reflect = copyNamespace(ReflectObject)
  const g = globalThis as unknown as Record<string, unknown>
  const values: unknown[] = []
  for (let i = 0; i < PINNED_GLOBALS.length; i++) {
    const name = PINNED_GLOBALS[i]!
    values[i] = name === 'console' ? sandboxConsole : name === 'require' ? sandboxRequire : name === 'Math' ? math : name === 'Reflect' ? reflect : g[name]
  }
  // Sloppy on the outside (a parameter may be named `eval` only there), strict inside.
  const outer = FunctionCtor('eval', ...PINNED_GLOBALS, "return function () {\n'use strict'\nreturn eval(arguments[0])\n}") as (
    ...args: unknown[]
  ) => TestRunner
  const run = outer(evalFunction, ...values)
  return { run, copies: [math, reflect] }
}
