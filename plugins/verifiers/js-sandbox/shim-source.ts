/**
 * The source of the in-isolate shim, run in every fresh context before the candidate. It gives
 * the candidate exactly what the HumanEval-JS tests need and nothing of the host:
 * - `console` (log/info/debug → stdout, error/warn/trace → stderr, `assert`), captured inside the
 *   isolate and capped at `outputLimit` characters per stream; a failed `console.assert` is
 *   counted (HumanEval-X tests rely on it, and in Node it does not throw);
 * - `require('assert' | 'node:assert' | '…/strict')`: a node:assert-like module (ok, equal,
 *   notEqual, strictEqual, notStrictEqual, deepEqual, deepStrictEqual, notDeepEqual,
 *   notDeepStrictEqual, throws, doesNotThrow, rejects, doesNotReject, match, doesNotMatch, fail,
 *   AssertionError, strict); any other module name throws "Cannot find module";
 * - hardening against a candidate grading itself: `console`, `require` and `JSON` are read-only
 *   bindings of frozen objects, and Object.prototype / Array.prototype accept no new properties
 *   (so no `toJSON` pollution can make every JSON.stringify comparison equal).
 * - containment of what the candidate throws: the host hands the compiled program and its context
 *   to the shim's `run`, which runs it nested inside an in-isolate try/catch (isolated-vm's
 *   `runSync` called from inside the same isolate runs inline and lets a thrown value propagate as
 *   it is, uncopied) and waits for its completion value inside the isolate when that is a promise.
 *   Neither a thrown value nor a rejection leaves the isolate: both are turned into plain strings
 *   here, under the candidate's time limit, reading only own data properties (never a getter, a
 *   `toString` or Symbol.toPrimitive of the value); a Proxy trap that loops is stopped by the limit.
 * The script's completion value is that `run(script, context)` function, kept by the host as a
 * Reference. It returns a promise, with no prototype, that always resolves — never rejects — with
 * the report as a JSON string: console output, the counters, and the first thrown or rejected value
 * as plain text. Known hole: a rejection nobody handles (not the completion value's) is still copied
 * out by isolated-vm itself at the end of the call, outside any time limit (see README).
 */
export function shimSource(outputLimit: number): string {
  return `(function () {
'use strict'
const g = globalThis
const LIMIT = ${Math.max(0, Math.floor(outputLimit))}
const O = Object
const defineProperty = O.defineProperty
const freeze = O.freeze
const objectKeys = O.keys
const getPrototypeOf = O.getPrototypeOf
const objectIs = O.is
const isArray = Array.isArray
const preventExtensions = O.preventExtensions
const hasOwn = O.prototype.hasOwnProperty
const call = Function.prototype.call
const stringify = JSON.stringify
const ErrorCtor = Error
const TypeErrorCtor = TypeError
const StringCtor = String
const MapCtor = Map
const SetCtor = Set
const DateCtor = Date
const RegExpCtor = RegExp
const PromiseCtor = Promise
const mapEntries = Map.prototype.entries
const setValues = Set.prototype.values
const dateGetTime = Date.prototype.getTime
const regexpTest = RegExp.prototype.test
const owns = (o, k) => call.call(hasOwn, o, k)
// Captured before the candidate runs: everything the report path calls after it, so that no
// replaced built-in (Object.create, Function.prototype.call, String.prototype.slice, …) can forge it.
const getOwnPropertyDescriptor = O.getOwnPropertyDescriptor
const setPrototypeOf = O.setPrototypeOf
const objectCreate = O.create
const reflectApply = Reflect.apply
const stringSlice = String.prototype.slice
const promiseThen = Promise.prototype.then
const state = { out: '', err: '', dropped: 0, consoleAssertFailures: 0, assertFailures: 0, firstFailure: '', thrown: null }

function show(v, depth) {
  if (typeof v === 'string') return depth === 0 ? v : stringify(v)
  if (typeof v === 'function') return '[Function' + (v.name ? ': ' + v.name : '') + ']'
  if (typeof v === 'bigint') return StringCtor(v) + 'n'
  if (typeof v === 'symbol') return 'Symbol()'
  if (v === null || typeof v !== 'object') return StringCtor(v)
  if (depth > 3) return isArray(v) ? '[Array]' : '[Object]'
  try {
    if (isArray(v)) {
      let s = '['
      for (let i = 0; i < v.length && i < 100; i++) s += (i ? ', ' : ' ') + show(v[i], depth + 1)
      return s + (v.length > 100 ? ', …' : '') + (v.length ? ' ]' : ']')
    }
    if (v instanceof ErrorCtor) return StringCtor(v.stack || v)
    const keys = objectKeys(v)
    let s = '{'
    for (let i = 0; i < keys.length && i < 100; i++) s += (i ? ', ' : ' ') + keys[i] + ': ' + show(v[keys[i]], depth + 1)
    return s + (keys.length ? ' }' : '}')
  } catch (e) {
    return '[object]'
  }
}

function write(stream, args) {
  let line = ''
  for (let i = 0; i < args.length; i++) line += (i ? ' ' : '') + show(args[i], 0)
  line += '\\n'
  const room = LIMIT - state.out.length - state.err.length
  if (room <= 0) { state.dropped += line.length; return }
  if (line.length > room) { state.dropped += line.length - room; line = line.slice(0, room) }
  if (stream === 1) state.out += line
  else state.err += line
}

const consoleObject = {
  log: function log(...a) { write(1, a) },
  info: function info(...a) { write(1, a) },
  debug: function debug(...a) { write(1, a) },
  dir: function dir(v) { write(1, [v]) },
  table: function table(v) { write(1, [v]) },
  error: function error(...a) { write(2, a) },
  warn: function warn(...a) { write(2, a) },
  trace: function trace(...a) { write(2, ['Trace:'].concat(a)) },
  assert: function assert(condition, ...a) {
    if (condition) return
    state.consoleAssertFailures++
    const message = a.length ? 'Assertion failed: ' + a.map((x) => show(x, 0)).join(' ') : 'Assertion failed'
    if (!state.firstFailure) state.firstFailure = message
    write(2, [message])
  },
}

class AssertionError extends ErrorCtor {
  constructor(options) {
    super(options && options.message !== undefined ? StringCtor(options.message) : 'Failed')
    this.name = 'AssertionError'
    this.code = 'ERR_ASSERTION'
    this.actual = options ? options.actual : undefined
    this.expected = options ? options.expected : undefined
    this.operator = options ? options.operator : undefined
    this.generatedMessage = !(options && options.userMessage)
  }
}

function fail(actual, expected, message, operator, generated) {
  if (message instanceof ErrorCtor) { state.assertFailures++; throw message }
  state.assertFailures++
  const text = message !== undefined ? StringCtor(message) : generated
  if (!state.firstFailure) state.firstFailure = 'AssertionError: ' + text
  throw new AssertionError({ message: text, actual, expected, operator, userMessage: message !== undefined })
}

function isDeepEqual(a, b, strict, seen) {
  if (strict ? objectIs(a, b) : (a == b || (a !== a && b !== b))) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return !strict && typeof a !== 'object' && typeof b !== 'object' ? a == b : false
  }
  if (strict && getPrototypeOf(a) !== getPrototypeOf(b)) return false
  if (isArray(a) !== isArray(b)) return false
  for (let i = 0; i < seen.length; i++) if (seen[i][0] === a && seen[i][1] === b) return true
  seen[seen.length] = [a, b]
  if (a instanceof DateCtor && b instanceof DateCtor) {
    if (call.call(dateGetTime, a) !== call.call(dateGetTime, b)) return false
  } else if (a instanceof RegExpCtor && b instanceof RegExpCtor) {
    if (StringCtor(a) !== StringCtor(b)) return false
  } else if (a instanceof MapCtor && b instanceof MapCtor) {
    if (a.size !== b.size) return false
    for (const [k, v] of call.call(mapEntries, a)) {
      if (!b.has(k) || !isDeepEqual(v, b.get(k), strict, seen)) return false
    }
    return true
  } else if (a instanceof SetCtor && b instanceof SetCtor) {
    if (a.size !== b.size) return false
    for (const v of call.call(setValues, a)) if (!b.has(v)) return false
    return true
  }
  if (isArray(a) && a.length !== b.length) return false
  const ka = objectKeys(a)
  const kb = objectKeys(b)
  if (ka.length !== kb.length) return false
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]
    if (!owns(b, k) || !isDeepEqual(a[k], b[k], strict, seen)) return false
  }
  return true
}

function makeAssert(strict) {
  const eq = strict ? (a, b) => objectIs(a, b) : (a, b) => a == b || (a !== a && b !== b)
  const ok = function ok(value, message) {
    if (!value) fail(value, true, message, '==', 'The expression evaluated to a falsy value: ' + show(value, 1))
  }
  const api = {
    ok,
    equal(a, b, m) { if (!eq(a, b)) fail(a, b, m, strict ? 'strictEqual' : '==', show(a, 1) + (strict ? ' !== ' : ' == ') + show(b, 1)) },
    notEqual(a, b, m) { if (eq(a, b)) fail(a, b, m, strict ? 'notStrictEqual' : '!=', show(a, 1) + (strict ? ' === ' : ' != ') + show(b, 1)) },
    strictEqual(a, b, m) { if (!objectIs(a, b)) fail(a, b, m, 'strictEqual', 'Expected values to be strictly equal: ' + show(a, 1) + ' !== ' + show(b, 1)) },
    notStrictEqual(a, b, m) { if (objectIs(a, b)) fail(a, b, m, 'notStrictEqual', 'Expected "actual" to be strictly unequal to: ' + show(b, 1)) },
    deepEqual(a, b, m) { if (!isDeepEqual(a, b, strict, [])) fail(a, b, m, strict ? 'deepStrictEqual' : 'deepEqual', 'Expected values to be ' + (strict ? 'strictly ' : 'loosely ') + 'deep-equal: ' + show(a, 1) + ' vs ' + show(b, 1)) },
    deepStrictEqual(a, b, m) { if (!isDeepEqual(a, b, true, [])) fail(a, b, m, 'deepStrictEqual', 'Expected values to be strictly deep-equal: ' + show(a, 1) + ' vs ' + show(b, 1)) },
    notDeepEqual(a, b, m) { if (isDeepEqual(a, b, strict, [])) fail(a, b, m, 'notDeepEqual', 'Expected "actual" not to be deep-equal to: ' + show(b, 1)) },
    notDeepStrictEqual(a, b, m) { if (isDeepEqual(a, b, true, [])) fail(a, b, m, 'notDeepStrictEqual', 'Expected "actual" not to be strictly deep-equal to: ' + show(b, 1)) },
    throws(fn, expected, m) {
      try { fn() } catch (e) { if (matchesError(e, expected)) return; throw e }
      fail(undefined, expected, typeof expected === 'string' ? expected : m, 'throws', 'Missing expected exception.')
    },
    doesNotThrow(fn, m) {
      try { fn() } catch (e) { fail(e, undefined, typeof m === 'string' ? m : undefined, 'doesNotThrow', 'Got unwanted exception: ' + show(e && e.message, 1)) }
    },
    async rejects(p, expected, m) {
      try { await (typeof p === 'function' ? p() : p) } catch (e) { if (matchesError(e, expected)) return; throw e }
      fail(undefined, expected, typeof expected === 'string' ? expected : m, 'rejects', 'Missing expected rejection.')
    },
    async doesNotReject(p, m) {
      try { await (typeof p === 'function' ? p() : p) } catch (e) { fail(e, undefined, m, 'doesNotReject', 'Got unwanted rejection: ' + show(e && e.message, 1)) }
    },
    match(s, re, m) { if (typeof s !== 'string' || !call.call(regexpTest, re, s)) fail(s, re, m, 'match', 'The input did not match the regular expression ' + StringCtor(re)) },
    doesNotMatch(s, re, m) { if (typeof s === 'string' && call.call(regexpTest, re, s)) fail(s, re, m, 'doesNotMatch', 'The input was expected to not match ' + StringCtor(re)) },
    fail(m) { fail(undefined, undefined, m === undefined ? 'Failed' : m, 'fail', 'Failed') },
    AssertionError,
  }
  const assert = function assert(value, message) { ok(value, message) }
  for (const k of objectKeys(api)) assert[k] = api[k]
  return assert
}

function matchesError(e, expected) {
  if (expected === undefined || typeof expected === 'string') return true
  if (expected instanceof RegExpCtor) return call.call(regexpTest, expected, StringCtor(e))
  if (typeof expected === 'function') {
    if (expected.prototype !== undefined && e instanceof expected) return true
    if (ErrorCtor.isPrototypeOf(expected) || expected === ErrorCtor) return false
    return expected(e) === true
  }
  if (typeof expected === 'object' && expected !== null) {
    for (const k of objectKeys(expected)) if (!isDeepEqual(e[k], expected[k], true, [])) return false
    return true
  }
  return false
}

const assertLoose = makeAssert(false)
const assertStrict = makeAssert(true)
assertLoose.strict = assertStrict
assertStrict.strict = assertStrict
freeze(assertLoose)
freeze(assertStrict)
freeze(consoleObject)

function require(name) {
  const id = StringCtor(name)
  if (id === 'assert' || id === 'node:assert') return assertLoose
  if (id === 'assert/strict' || id === 'node:assert/strict') return assertStrict
  const error = new ErrorCtor("Cannot find module '" + id + "': the sandbox provides only 'assert' and 'node:assert'")
  error.code = 'MODULE_NOT_FOUND'
  throw error
}
freeze(require)

defineProperty(g, 'console', { value: consoleObject, writable: false, enumerable: false, configurable: false })
defineProperty(g, 'require', { value: require, writable: false, enumerable: false, configurable: false })
freeze(JSON)
defineProperty(g, 'JSON', { value: JSON, writable: false, enumerable: false, configurable: false })
preventExtensions(O.prototype)
preventExtensions(Array.prototype)

// What was thrown, as plain strings. Reads own data properties along the prototype chain (at most
// 16 steps) and never calls a getter or a conversion of the value; runs under the candidate's time
// limit, so a Proxy trap that loops ends as a timeout instead of reaching the host.
function dataProperty(v, key) {
  let o = v
  for (let depth = 0; depth < 16 && o !== null && (typeof o === 'object' || typeof o === 'function'); depth++) {
    const d = getOwnPropertyDescriptor(o, key)
    if (d !== undefined) return 'value' in d ? { value: d.value } : { accessor: true }
    o = getPrototypeOf(o)
  }
  return { value: undefined }
}
function plain(v) {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return StringCtor(v)
  return ''
}
function describeThrown(e, how) {
  const info = { how, name: '', message: '', code: '', text: '' }
  try {
    if (typeof e === 'function') {
      info.text = how + ' a function'
    } else if (e === null || typeof e !== 'object') {
      info.text = how + ' ' + (typeof e === 'symbol' ? 'a symbol' : typeof e === 'string' ? e : StringCtor(e))
    } else {
      const name = dataProperty(e, 'name')
      const message = dataProperty(e, 'message')
      const code = dataProperty(e, 'code')
      info.name = name.accessor ? '[getter]' : plain(name.value)
      info.message = message.accessor ? '[getter]' : plain(message.value)
      info.code = code.accessor ? '' : plain(code.value)
      // V8 formats an error's stack from its name and message on first read: only read it when
      // both are plain data (else a looping getter would run here).
      const own = getOwnPropertyDescriptor(e, 'stack')
      const stack = !name.accessor && !message.accessor && own !== undefined && 'value' in own ? own.value : undefined
      if (typeof stack === 'string' && stack !== '') info.text = stack
      else if (info.name || info.message) info.text = (info.name || 'Error') + ': ' + info.message
      else info.text = how + ' an object that is not an Error'
    }
  } catch (inner) {
    info.text = how + ' a value that cannot be inspected'
  }
  if (info.text.length > 4096) info.text = reflectApply(stringSlice, info.text, [0, 4096])
  return info
}
function caught(e) {
  if (state.thrown === null) state.thrown = describeThrown(e, 'threw')
}

function snapshot() {
  const r = objectCreate(null)
  r.out = state.out
  r.err = state.err
  r.dropped = state.dropped
  r.consoleAssertFailures = state.consoleAssertFailures
  r.assertFailures = state.assertFailures
  r.firstFailure = state.firstFailure
  r.thrown = state.thrown
  return stringify(r)
}

return function run(script, context) {
  let done
  const settled = new PromiseCtor((resolve) => { done = resolve })
  // No prototype: isolated-vm's then() on it looks up 'constructor' and must not reach Promise.prototype, which the candidate can change.
  setPrototypeOf(settled, null)
  const finish = () => { try { done(snapshot()) } catch (e) { done('{"thrown":{"how":"threw","name":"","message":"","code":"","text":"the report could not be made"}}') } }
  let value
  try {
    const completion = script.runSync(context, { reference: true })
    value = completion.deref()
    completion.release()
  } catch (e) {
    caught(e)
    finish()
    return settled
  }
  try {
    if (value !== null && typeof value === 'object' && value instanceof PromiseCtor) {
      reflectApply(promiseThen, value, [finish, (e) => { if (state.thrown === null) state.thrown = describeThrown(e, 'rejected with'); finish() }])
    } else {
      finish()
    }
  } catch (e) {
    caught(e)
    finish()
  }
  return settled
}
})()`
}
