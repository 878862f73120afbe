import { afterAll, describe, expect, it } from 'vitest'
import { jsSandbox } from '../../plugins/verifiers/js-sandbox/index.js'
import { addProblem, CORRECT_ADD } from './code-fixtures.js'

// Leakage attacks: a candidate changes the realm (globals of every kind, built-in prototypes,
// Function.prototype, Array.prototype, Error.prepareStackTrace, RegExp's legacy statics, accessors
// and Proxies on built-ins, built-ins reached without their names, the isolate-wide Symbol
// registry, Atomics, callbacks that fire later: microtasks, FinalizationRegistry,
// Atomics.waitAsync), then a probe runs next in the same isolate and fingerprints the realm it
// sees (own properties and prototypes). The fingerprint must equal the one a never-used verifier's
// probe sees: nothing of a candidate reaches the next one on the same isolate.
const verifier = jsSandbox({ timeoutMs: 1000, wallTimeMs: 3000, memoryMb: 64, detailLimit: 1000, calibrate: false })
afterAll(() => verifier.dispose())

// The probe's completion: it throws its fingerprint (a hash of everything listed) and a few facts in plain sight.
const PROBE = [
  '  const toText = Function.prototype.toString',
  '  const native = (f) => { try { return Reflect.apply(toText, f, []).includes("[native code]") } catch { return false } }',
  '  const owners = [globalThis, Object, Object.prototype, Function.prototype, Array, Array.prototype, String.prototype, Number.prototype,',
  '    Boolean.prototype, Symbol.prototype, Math, JSON, Reflect, Promise, Promise.prototype, Error, Error.prototype, TypeError.prototype,',
  '    RegExp, RegExp.prototype, Date, Date.prototype, Map.prototype, Set.prototype, Object.getPrototypeOf([][Symbol.iterator]())]',
  '  const parts = []',
  '  for (const o of owners) {',
  '    parts.push(String(Object.isExtensible(o)), String(Object.isFrozen(o)), String(owners.indexOf(Object.getPrototypeOf(o))))',
  '    for (const k of Reflect.ownKeys(o).map(String).sort()) {',
  '      const d = Reflect.getOwnPropertyDescriptor(o, Reflect.ownKeys(o).find((x) => String(x) === k))',
  '      const v = d.value',
  "      const kind = 'value' in d ? (typeof v === 'function' ? (native(v) ? 'native' : 'js') : typeof v === 'object' ? 'object' : String(v)) : 'accessor:' + native(d.get)",
  "      parts.push(k + '=' + kind + (d.writable ? 'w' : '') + (d.enumerable ? 'e' : '') + (d.configurable ? 'c' : ''))",
  '    }',
  '  }',
  "  parts.push('$1=' + RegExp.$1, 'lastMatch=' + RegExp.lastMatch, 'input=' + RegExp.input, 'prepare=' + typeof Error.prepareStackTrace, 'limit=' + Error.stackTraceLimit)",
  "  parts.push('vars=' + typeof leakVar + typeof leakFn + typeof leakImplicit + typeof leakLet + typeof leakClass)",
  '  const text = parts.join("|")',
  '  let h = 2166136261',
  '  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0',
  "  throw new Error('fingerprint ' + h.toString(16) + ' globals ' + Reflect.ownKeys(globalThis).length + ' ' + parts[parts.length - 1])",
  '}',
  '',
].join('\n')

const fingerprintOf = (detail: string | undefined): string => /fingerprint \S+ globals \d+ vars=\S+/.exec(detail ?? '')?.[0] ?? `no fingerprint in: ${detail}`

/**
 * An attack: `body` (statements of add's body) changes the realm, `ending` ends add (default
 * `return a + b`), `after` is top-level code after the function. `seen` says whether the change is
 * already there when add runs (a probe in place of `ending` sees it), else it comes later.
 */
interface Attack {
  name: string
  body: string
  ending?: string
  after?: string
  seen: boolean
}
const attacks: Attack[] = [
  {
    name: 'global bindings of every kind',
    body: '',
    after: 'var leakVar = 1\nfunction leakFn() {}\nleakImplicit = 1\nlet leakLet = 1\nclass leakClass {}\nglobalThis.leak = 1\n',
    seen: true,
  },
  {
    name: 'replaced and deleted globals',
    body: '  globalThis.Array = function Array() {}\n  delete globalThis.Map\n  Math = {}\n  Object.defineProperty(globalThis, "leakLocked", { value: 1 })\n',
    seen: true,
  },
  {
    name: 'Function.prototype patches',
    body: '  Function.prototype.call = function () { return 3 }\n  Function.prototype.apply = () => 3\n  Function.prototype.bind = () => 3\n  Function.prototype.leak = 1\n',
    seen: true,
  },
  {
    name: 'Function.prototype.toString made to lie',
    body: '  Function.prototype.toString = () => "function () { [native code] }"\n',
    seen: true,
  },
  {
    // The shim freezes Array.prototype (the tests call its methods on their own data): these attempts fail in the candidate already.
    name: 'Array.prototype patches',
    body: '  Array.prototype.push = function () { return 0 }\n  Array.prototype.map = () => []\n  Array.prototype[Symbol.iterator] = function* () {}\n',
    seen: false,
  },
  {
    name: 'other prototypes and namespaces',
    body: '  String.prototype.trim = () => "x"\n  String.prototype.leak = 1\n  Number.prototype.toFixed = () => "0"\n  Math.max = () => 0\n  JSON.parse = () => 0\n  Promise.prototype.then = function () {}\n  Object.keys = () => []\n  Object.setPrototypeOf(Map.prototype, null)\n  Object.freeze(Date.prototype)\n  Object.preventExtensions(RegExp.prototype)\n',
    seen: true,
  },
  {
    // The shim makes Object.prototype and Array.prototype non-extensible: these attempts fail in the candidate already.
    name: 'new properties on Object.prototype and Array.prototype',
    body: '  try { Object.defineProperty(Object.prototype, "leak", { value: 1 }) } catch {}\n  try { Object.prototype.__proto__ = { leak: 1 } } catch {}\n  try { Object.defineProperty(Array.prototype, "leak", { get() { return 1 } }) } catch {}\n',
    seen: false,
  },
  {
    name: 'Error hooks',
    body: '  Error.prepareStackTrace = () => "leaked stack"\n  Error.stackTraceLimit = 0\n  Error.prototype.toString = () => "x"\n',
    seen: true,
  },
  { name: "RegExp's legacy statics (the last match of a secret)", body: "  /(secret-\\d+)/.exec('the secret-42 value')\n", seen: true },
  {
    name: 'a microtask chain that runs after the program',
    body: '  Promise.resolve().then(() => Promise.resolve()).then(() => { globalThis.leak = 1; Array.prototype.push = () => 0 })\n',
    seen: false,
  },
  {
    name: 'FinalizationRegistry and WeakRef callbacks that fire later',
    body: '  const registry = new FinalizationRegistry(() => { globalThis.leak = 1; Array.prototype.push = () => 0 })\n  for (let i = 0; i < 2000; i++) registry.register({ i }, i)\n  globalThis.keep = [registry, new WeakRef({})]\n  const junk = []\n  for (let i = 0; i < 100000; i++) junk.push({ i })\n',
    seen: true,
  },
  { name: 'a failing candidate after tampering', body: '  Array.prototype.push = () => 0\n  globalThis.leak = 1\n', ending: '  return -1\n}\n', seen: true },
  {
    name: 'getters and setters in place of existing Object.prototype methods',
    body: '  Object.defineProperty(Object.prototype, "toString", { get() { globalThis.leak = 1; return () => "x" }, configurable: true })\n  Object.defineProperty(Object.prototype, "valueOf", { set(v) { globalThis.leak = v }, configurable: true })\n',
    seen: true,
  },
  {
    name: 'a Proxy spliced into a prototype chain',
    body: '  Object.setPrototypeOf(String.prototype, new Proxy(Object.prototype, { get(t, k, r) { globalThis.leak = 1; return Reflect.get(t, k, r) } }))\n',
    seen: true,
  },
  {
    name: 'built-ins reached without their names (generator, iterator and typed-array prototypes)',
    // %ArrayIteratorPrototype% is frozen by the shim (the tests iterate their own arrays), so its
    // `next` cannot change, and the probe sees no other of these: the attempts must leave nothing.
    body: '  Object.getPrototypeOf(function* () {}).leak = 1\n  Object.getPrototypeOf([][Symbol.iterator]()).next = () => ({ done: true })\n  Object.getPrototypeOf(Int8Array).prototype.leak = 1\n',
    seen: false,
  },
  {
    name: 'the Symbol registry (shared by the whole isolate) and the Symbol constructor',
    body: '  globalThis.leak = Symbol.for("bonbench-leak")\n  Symbol.leak = Symbol.for("bonbench-leak")\n  Symbol.prototype.toString = () => "x"\n',
    seen: true,
  },
  {
    name: 'Atomics and SharedArrayBuffer',
    body: '  globalThis.shared = new SharedArrayBuffer(16)\n  Atomics.store(new Int32Array(globalThis.shared), 0, 42)\n  Atomics.add = () => 0\n  SharedArrayBuffer.prototype.slice = null\n',
    seen: true,
  },
  {
    // The sandbox removes Atomics.waitAsync (its timeout aborted the host process): the attack is tried, and must fail quietly.
    name: 'an Atomics.waitAsync that would resolve after the program (a task the platform runs later)',
    body: '  try { Atomics.waitAsync(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20).value.then(() => { globalThis.leak = 1; Array.prototype.push = () => 0 }) } catch {}\n',
    seen: false,
  },
  {
    name: 'WeakRef and FinalizationRegistry prototypes, and stacks captured onto built-ins',
    body: '  WeakRef.prototype.deref = () => 1\n  FinalizationRegistry.prototype.register = () => {}\n  Error.captureStackTrace(Function.prototype)\n  Error.captureStackTrace(Math)\n',
    seen: true,
  },
  {
    name: 'host timers and hooks defined by the candidate',
    body: '  globalThis.setTimeout = (f) => f()\n  globalThis.queueMicrotask = (f) => f()\n  globalThis.process = { exit() {} }\n  Math.random = () => 0\n',
    seen: true,
  },
  {
    name: 'a thrown error after tampering',
    body: '  Object.prototype.toString = () => "x"\n',
    ending: '  throw new Error("after tampering")\n}\n',
    seen: true,
  },
]
const attackOf = (a: Attack) => a.body + (a.ending ?? '  return a + b\n}\n') + (a.after ?? '')
// The same change with the probe in place of the ending: proves the probe sees the change.
const controlOf = (a: Attack) => a.body + PROBE + (a.after ?? '')

describe('js-sandbox: no state leaks from one candidate to the next on the same isolate', async () => {
  const fresh = jsSandbox({ timeoutMs: 1000, calibrate: false })
  const [clean] = await fresh.score([{ problem: addProblem, completion: PROBE }], { concurrency: 1 })
  fresh.dispose()
  const expected = fingerprintOf(clean!.detail)

  it("the probe's fingerprint of a never-used realm is stable and names no leaked binding", async () => {
    expect(expected).toMatch(/^fingerprint [0-9a-f]+ globals \d+ vars=undefinedundefinedundefinedundefinedundefined$/)
    const [again] = await verifier.score([{ problem: addProblem, completion: PROBE }], { concurrency: 1 })
    expect(fingerprintOf(again!.detail)).toBe(expected)
  })

  for (const attack of attacks) {
    it(`${attack.name}: the next candidate on the same isolate sees a realm like a fresh one`, async () => {
      const before = verifier.isolatesCreated
      const [, probe, good, control] = await verifier.score(
        [
          { problem: addProblem, completion: attackOf(attack) },
          { problem: addProblem, completion: PROBE },
          { problem: addProblem, completion: CORRECT_ADD },
          { problem: addProblem, completion: controlOf(attack) },
        ],
        { concurrency: 1 },
      )
      // Same isolate: none of these breaches a limit, so the pool kept the isolate.
      expect(verifier.isolatesCreated).toBe(before)
      expect(probe!.reason).toBe('runtime')
      expect(fingerprintOf(probe!.detail)).toBe(expected)
      expect(good).toMatchObject({ pass: true, reason: 'passed' })
      // The control: the probe does see the change in the candidate that made it.
      if (attack.seen) expect(fingerprintOf(control!.detail)).not.toBe(expected)
      else expect(fingerprintOf(control!.detail)).toBe(expected)
    })
  }
})
