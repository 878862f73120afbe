import { isDeepEqual } from './deep-equal.js'
import { show } from './format-value.js'
import { ErrorCtor, freeze, isPrototypeOf, isRegExp, objectIs, objectKeys, StringCtor, testRegExp } from './intrinsics.js'
import type { ShimState } from './shim-state.js'

/** What an AssertionError is made from (node:assert's constructor options, plus who wrote the message). */
export interface AssertionErrorOptions {
  message?: unknown
  actual?: unknown
  expected?: unknown
  operator?: string
  /** True when the message came from the test, not from the assertion. */
  userMessage?: boolean
}

/** node:assert's AssertionError: `name` 'AssertionError', `code` 'ERR_ASSERTION' (the host classifies by either). */
export class AssertionError extends ErrorCtor {
  // `declare`: no class fields, so the own properties are made in node:assert's order below.
  declare code: string
  declare actual: unknown
  declare expected: unknown
  declare operator: string | undefined
  declare generatedMessage: boolean

  constructor(options?: AssertionErrorOptions) {
    super(options && options.message !== undefined ? StringCtor(options.message) : 'Failed')
    this.name = 'AssertionError'
    this.code = 'ERR_ASSERTION'
    this.actual = options ? options.actual : undefined
    this.expected = options ? options.expected : undefined
    this.operator = options ? options.operator : undefined
    this.generatedMessage = !(options && options.userMessage)
  }
}

/** The `assert` function with node:assert's methods (the subset HumanEval tests use). */
export interface AssertModule {
  (value: unknown, message?: unknown): void
  ok(value: unknown, message?: unknown): void
  equal(actual: unknown, expected: unknown, message?: unknown): void
  notEqual(actual: unknown, expected: unknown, message?: unknown): void
  strictEqual(actual: unknown, expected: unknown, message?: unknown): void
  notStrictEqual(actual: unknown, expected: unknown, message?: unknown): void
  deepEqual(actual: unknown, expected: unknown, message?: unknown): void
  deepStrictEqual(actual: unknown, expected: unknown, message?: unknown): void
  notDeepEqual(actual: unknown, expected: unknown, message?: unknown): void
  notDeepStrictEqual(actual: unknown, expected: unknown, message?: unknown): void
  throws(fn: () => unknown, expected?: unknown, message?: unknown): void
  doesNotThrow(fn: () => unknown, message?: unknown): void
  rejects(promise: unknown, expected?: unknown, message?: unknown): Promise<void>
  doesNotReject(promise: unknown, message?: unknown): Promise<void>
  match(value: unknown, re: RegExp, message?: unknown): void
  doesNotMatch(value: unknown, re: RegExp, message?: unknown): void
  fail(message?: unknown): never
  AssertionError: typeof AssertionError
  /** The strict variant (`require('assert').strict`, `require('assert/strict')`). */
  strict: AssertModule
}

/** The loose and the strict module, each other's `.strict` set, both frozen. */
export interface AssertModules {
  loose: AssertModule
  strict: AssertModule
}

/**
 * The `assert` module the sandbox's `require` returns, recording every failure in `state`: the
 * count, and the first failure's message. A failure throws an AssertionError as node:assert does
 * (an Error passed as the message is thrown as it is, and counted).
 */
export function createAssertModules(state: ShimState): AssertModules {
  function fail(actual: unknown, expected: unknown, message: unknown, operator: string, generated: string): never {
    if (message instanceof ErrorCtor) {
      state.assertFailures++
      throw message
    }
    state.assertFailures++
    const text = message !== undefined ? StringCtor(message) : generated
    if (!state.firstFailure) state.firstFailure = 'AssertionError: ' + text
    throw new AssertionError({ message: text, actual, expected, operator, userMessage: message !== undefined })
  }

  function matchesError(e: unknown, expected: unknown): boolean {
    if (expected === undefined || typeof expected === 'string') return true
    if (typeof expected === 'object' && expected !== null && isRegExp(expected)) return testRegExp(expected as RegExp, StringCtor(e))
    if (typeof expected === 'function') {
      if (expected.prototype !== undefined && e instanceof expected) return true
      if (isPrototypeOf(ErrorCtor, expected) || expected === ErrorCtor) return false
      return (expected as (e: unknown) => unknown)(e) === true
    }
    if (typeof expected === 'object' && expected !== null) {
      const want = expected as Record<string, unknown>
      const got = e as Record<string, unknown>
      // An index loop: `for…of` would call %ArrayIteratorPrototype%.next, which the candidate reaches.
      const keys = objectKeys(want)
      for (let i = 0; i < keys.length; i++) if (!isDeepEqual(got[keys[i]!], want[keys[i]!], true, [])) return false
      return true
    }
    return false
  }

  const messageOf = (e: unknown): unknown => e && (e as { message?: unknown }).message

  function makeAssert(strict: boolean): AssertModule {
    const eq = strict ? (a: unknown, b: unknown) => objectIs(a, b) : (a: unknown, b: unknown) => a == b || (a !== a && b !== b)
    const ok = function ok(value: unknown, message?: unknown): void {
      if (!value) fail(value, true, message, '==', 'The expression evaluated to a falsy value: ' + show(value, 1))
    }
    const api = {
      ok,
      equal(a: unknown, b: unknown, m?: unknown) {
        if (!eq(a, b)) fail(a, b, m, strict ? 'strictEqual' : '==', show(a, 1) + (strict ? ' !== ' : ' == ') + show(b, 1))
      },
      notEqual(a: unknown, b: unknown, m?: unknown) {
        if (eq(a, b)) fail(a, b, m, strict ? 'notStrictEqual' : '!=', show(a, 1) + (strict ? ' === ' : ' != ') + show(b, 1))
      },
      strictEqual(a: unknown, b: unknown, m?: unknown) {
        if (!objectIs(a, b)) fail(a, b, m, 'strictEqual', 'Expected values to be strictly equal: ' + show(a, 1) + ' !== ' + show(b, 1))
      },
      notStrictEqual(a: unknown, b: unknown, m?: unknown) {
        if (objectIs(a, b)) fail(a, b, m, 'notStrictEqual', 'Expected "actual" to be strictly unequal to: ' + show(b, 1))
      },
      deepEqual(a: unknown, b: unknown, m?: unknown) {
        if (!isDeepEqual(a, b, strict, []))
          fail(
            a,
            b,
            m,
            strict ? 'deepStrictEqual' : 'deepEqual',
            'Expected values to be ' + (strict ? 'strictly ' : 'loosely ') + 'deep-equal: ' + show(a, 1) + ' vs ' + show(b, 1),
          )
      },
      deepStrictEqual(a: unknown, b: unknown, m?: unknown) {
        if (!isDeepEqual(a, b, true, [])) fail(a, b, m, 'deepStrictEqual', 'Expected values to be strictly deep-equal: ' + show(a, 1) + ' vs ' + show(b, 1))
      },
      notDeepEqual(a: unknown, b: unknown, m?: unknown) {
        if (isDeepEqual(a, b, strict, [])) fail(a, b, m, 'notDeepEqual', 'Expected "actual" not to be deep-equal to: ' + show(b, 1))
      },
      notDeepStrictEqual(a: unknown, b: unknown, m?: unknown) {
        if (isDeepEqual(a, b, true, [])) fail(a, b, m, 'notDeepStrictEqual', 'Expected "actual" not to be strictly deep-equal to: ' + show(b, 1))
      },
      throws(fn: () => unknown, expected?: unknown, m?: unknown) {
        try {
          fn()
        } catch (e) {
          if (matchesError(e, expected)) return
          throw e
        }
        fail(undefined, expected, typeof expected === 'string' ? expected : m, 'throws', 'Missing expected exception.')
      },
      doesNotThrow(fn: () => unknown, m?: unknown) {
        try {
          fn()
        } catch (e) {
          fail(e, undefined, typeof m === 'string' ? m : undefined, 'doesNotThrow', 'Got unwanted exception: ' + show(messageOf(e), 1))
        }
      },
      async rejects(p: unknown, expected?: unknown, m?: unknown) {
        try {
          await (typeof p === 'function' ? (p as () => unknown)() : p)
        } catch (e) {
          if (matchesError(e, expected)) return
          throw e
        }
        fail(undefined, expected, typeof expected === 'string' ? expected : m, 'rejects', 'Missing expected rejection.')
      },
      async doesNotReject(p: unknown, m?: unknown) {
        try {
          await (typeof p === 'function' ? (p as () => unknown)() : p)
        } catch (e) {
          fail(e, undefined, m, 'doesNotReject', 'Got unwanted rejection: ' + show(messageOf(e), 1))
        }
      },
      match(s: unknown, re: RegExp, m?: unknown) {
        if (typeof s !== 'string' || !testRegExp(re, s)) fail(s, re, m, 'match', 'The input did not match the regular expression ' + StringCtor(re))
      },
      doesNotMatch(s: unknown, re: RegExp, m?: unknown) {
        if (typeof s === 'string' && testRegExp(re, s)) fail(s, re, m, 'doesNotMatch', 'The input was expected to not match ' + StringCtor(re))
      },
      fail(m?: unknown): never {
        fail(undefined, undefined, m === undefined ? 'Failed' : m, 'fail', 'Failed')
      },
      AssertionError,
    }
    const assert = function assert(value: unknown, message?: unknown): void {
      ok(value, message)
    } as AssertModule
    const target = assert as unknown as Record<string, unknown>
    const source = api as Record<string, unknown>
    for (const k of objectKeys(api)) target[k] = source[k]
    return assert
  }

  const loose = makeAssert(false)
  const strict = makeAssert(true)
  loose.strict = strict
  strict.strict = strict
  freeze(loose)
  freeze(strict)
  return { loose, strict }
}
