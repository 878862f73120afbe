// The in-isolate shim's pure parts, in plain Node (no isolated-vm): the same modules the isolate
// runs, bundled. js-sandbox.test.ts and js-sandbox-adversarial.test.ts run them in the isolate.
import nodeAssert from 'node:assert'
import vm from 'node:vm'
import { describe, expect, it } from 'vitest'
import { AssertionError, createAssertModules } from '../../plugins/verifiers/js-sandbox/shim/assert-module.js'
import { isDeepEqual } from '../../plugins/verifiers/js-sandbox/shim/deep-equal.js'
import { dataProperty, describeThrown } from '../../plugins/verifiers/js-sandbox/shim/describe-thrown.js'
import { show } from '../../plugins/verifiers/js-sandbox/shim/format-value.js'
import { snapshot } from '../../plugins/verifiers/js-sandbox/shim/report.js'
import { createRun, type CandidateScript } from '../../plugins/verifiers/js-sandbox/shim/run-program.js'
import { createConsole, writeLine } from '../../plugins/verifiers/js-sandbox/shim/sandbox-console.js'
import { createRequire } from '../../plugins/verifiers/js-sandbox/shim/sandbox-require.js'
import { createState } from '../../plugins/verifiers/js-sandbox/shim/shim-state.js'
import { ARM_KEY, ARM_SHIM_SOURCE, shimSnapshotSource, shimSource } from '../../plugins/verifiers/js-sandbox/shim-source.js'

/** A stand-in for isolated-vm's Script: runs `body` where the candidate would run. */
const script = (body: () => unknown): CandidateScript<null> => ({
  runSync: () => {
    const value = body()
    return { deref: () => value, release: () => {} }
  },
})

const cyclic = (): unknown => {
  const o: Record<string, unknown> = { a: 1 }
  o.self = o
  return o
}

/** [actual, expected]: the shim's deepEqual / deepStrictEqual must agree with node:assert's on each. */
const pairs: Array<[unknown, unknown]> = [
  [1, 1],
  [1, '1'],
  [NaN, NaN],
  [0, -0],
  [null, undefined],
  [null, 0],
  [
    [1, [2, { a: 3 }]],
    [1, [2, { a: 3 }]],
  ],
  [
    [1, 2],
    [1, 2, 3],
  ],
  [[1], ['1']],
  [{ a: 1 }, { a: 1, b: 2 }],
  [
    { a: 1, b: 2 },
    { b: 2, a: 1 },
  ],
  [{}, []],
  [new Map([[1, [2]]]), new Map([[1, [2]]])],
  [new Map([[1, 2]]), new Map([[1, 3]])],
  [new Set([1, 2]), new Set([2, 1])],
  [new Set([1]), new Set([2])],
  [new Date(0), new Date(0)],
  [new Date(0), new Date(1)],
  [/a/g, /a/g],
  [/a/g, /a/i],
  [cyclic(), cyclic()],
  [Object.create(null), {}],
]

const throwsIn = (fn: () => void): boolean => {
  try {
    fn()
    return false
  } catch {
    return true
  }
}

describe('deep equality', () => {
  it.each(pairs.map((p, i) => [i, ...p] as const))('case %i agrees with node:assert, loose and strict', (_, a, b) => {
    expect(isDeepEqual(a, b, false, [])).toBe(!throwsIn(() => nodeAssert.deepEqual(a, b)))
    expect(isDeepEqual(a, b, true, [])).toBe(!throwsIn(() => nodeAssert.deepStrictEqual(a, b)))
  })
})

describe('show (console output and assertion messages)', () => {
  it('prints values as Node prints plain data', () => {
    expect(show('a', 0)).toBe('a')
    expect(show('a', 1)).toBe('"a"')
    expect(show([1, 'x', [null]], 0)).toBe('[ 1, "x", [ null ] ]')
    expect(show({ a: 1, b: { c: [] } }, 0)).toBe('{ a: 1, b: { c: [] } }')
    expect(show(function named() {}, 0)).toBe('[Function: named]')
    expect(show(10n, 0)).toBe('10n')
    expect(show(Symbol('s'), 0)).toBe('Symbol()')
    expect(show(undefined, 0)).toBe('undefined')
    expect(show([[[[[1]]]]], 0)).toBe('[ [ [ [ [Array] ] ] ] ]')
    expect(
      show(
        Array.from({ length: 101 }, () => 0),
        0,
      ),
    ).toMatch(/, 0, … \]$/)
  })

  it('never throws, whatever the value does', () => {
    const hostile = {
      get boom() {
        throw new Error('getter')
      },
    }
    expect(show(hostile, 0)).toBe('[object]')
    expect(
      show(
        new Proxy(
          {},
          {
            ownKeys() {
              throw new Error('trap')
            },
          },
        ),
        0,
      ),
    ).toBe('[object]')
  })
})

describe('the assert module', () => {
  const holds: Array<[string, (a: typeof nodeAssert) => unknown]> = [
    ['ok', (a) => a.ok(1)],
    ['call', (a) => a(true)],
    ['equal loose', (a) => a.equal(2, '2')],
    ['notStrictEqual', (a) => a.notStrictEqual(2, '2')],
    ['deepEqual', (a) => a.deepEqual([2, { a: [1] }], ['2', { a: ['1'] }])],
    [
      'throws a class',
      (a) =>
        a.throws(() => {
          throw new TypeError('x')
        }, TypeError),
    ],
    [
      'throws a RegExp',
      (a) =>
        a.throws(() => {
          throw new Error('boom')
        }, /boom/),
    ],
    [
      'throws an object',
      (a) =>
        a.throws(
          () => {
            throw new RangeError('r')
          },
          { name: 'RangeError', message: 'r' },
        ),
    ],
    [
      'throws a validator',
      (a) =>
        a.throws(
          () => {
            throw 1
          },
          (e: unknown) => e === 1,
        ),
    ],
    ['doesNotThrow', (a) => a.doesNotThrow(() => 1)],
    ['match', (a) => a.match('abc', /b/)],
    ['doesNotMatch', (a) => a.doesNotMatch('abc', /x/)],
    ['strict.deepEqual', (a) => a.strict.deepEqual([1], [1])],
  ]
  const fails: Array<[string, (a: typeof nodeAssert) => unknown]> = [
    ['ok', (a) => a.ok(0)],
    ['equal', (a) => a.equal(1, 2)],
    ['strict.equal', (a) => a.strict.equal(2, '2')],
    ['strictEqual', (a) => a.strictEqual(2, '2')],
    ['deepStrictEqual', (a) => a.deepStrictEqual([2], ['2'])],
    ['notDeepEqual', (a) => a.notDeepEqual([1], ['1'])],
    ['throws nothing', (a) => a.throws(() => 1)],
    [
      'doesNotThrow',
      (a) =>
        a.doesNotThrow(() => {
          throw new Error('x')
        }),
    ],
    ['match a non-string', (a) => a.match(1 as unknown as string, /1/)],
    ['fail', (a) => a.fail('nope')],
  ]

  it.each(holds)('holds like node:assert: %s', (_, use) => {
    const state = createState()
    const { loose } = createAssertModules(state)
    expect(() => use(nodeAssert)).not.toThrow()
    expect(() => use(loose as unknown as typeof nodeAssert)).not.toThrow()
    expect(state.assertFailures).toBe(0)
  })

  it.each(fails)('fails like node:assert, counted: %s', (_, use) => {
    const state = createState()
    const { loose } = createAssertModules(state)
    expect(() => use(nodeAssert)).toThrow(nodeAssert.AssertionError)
    let thrown: unknown
    try {
      use(loose as unknown as typeof nodeAssert)
    } catch (e) {
      thrown = e
    }
    expect(thrown).toBeInstanceOf(AssertionError)
    expect(thrown).toMatchObject({ name: 'AssertionError', code: 'ERR_ASSERTION' })
    expect(state.assertFailures).toBe(1)
    expect(state.firstFailure).toMatch(/^AssertionError: /)
  })

  it('keeps the first failure, counts them all, and throws an Error message as it is', () => {
    const state = createState()
    const { loose, strict } = createAssertModules(state)
    expect(() => loose.equal(1, 2, 'first')).toThrow('first')
    expect(() => strict.equal(1, 2)).toThrow('1 !== 2')
    const mine = new Error('mine')
    expect(() => loose.ok(false, mine)).toThrow(mine)
    expect(state).toMatchObject({ assertFailures: 3, firstFailure: 'AssertionError: first' })
    expect(new AssertionError({ message: 'm', userMessage: true })).toMatchObject({ message: 'm', generatedMessage: false })
    expect(Object.isFrozen(loose) && Object.isFrozen(strict) && loose.strict === strict).toBe(true)
  })

  it('rejects and doesNotReject await the promise', async () => {
    const state = createState()
    const { loose } = createAssertModules(state)
    await loose.rejects(Promise.reject(new Error('r')), /r/)
    await loose.doesNotReject(async () => 1)
    await expect(loose.rejects(Promise.resolve(1))).rejects.toThrow('Missing expected rejection.')
    await expect(loose.doesNotReject(Promise.reject(new Error('no')))).rejects.toThrow('Got unwanted rejection: "no"')
    expect(state.assertFailures).toBe(2)
  })
})

describe('console and require', () => {
  it('captures both streams under one limit and counts what it drops', () => {
    const state = createState()
    writeLine(state, 10, 'out', ['abc', 1])
    writeLine(state, 10, 'err', ['defgh'])
    writeLine(state, 10, 'out', ['more'])
    expect(state).toMatchObject({ out: 'abc 1\n', err: 'defg', dropped: 2 + 5 })
  })

  it('routes console methods and counts console.assert failures without throwing', () => {
    const state = createState()
    const c = createConsole(state, 1000)
    c.log('a', { b: [1] })
    c.warn('w')
    c.trace('t')
    c.assert(true, 'fine')
    c.assert(false, 'bad', 2)
    c.assert(0)
    expect(state).toMatchObject({
      out: 'a { b: [ 1 ] }\n',
      err: 'w\nTrace: t\nAssertion failed: bad 2\nAssertion failed\n',
      consoleAssertFailures: 2,
      firstFailure: 'Assertion failed: bad 2',
    })
    expect(Object.isFrozen(c)).toBe(true)
  })

  it('require gives only the assert modules', () => {
    const modules = createAssertModules(createState())
    const req = createRequire(modules)
    expect(req('assert')).toBe(modules.loose)
    expect(req('node:assert')).toBe(modules.loose)
    expect(req('node:assert/strict')).toBe(modules.strict)
    expect(() => req('fs')).toThrow(expect.objectContaining({ code: 'MODULE_NOT_FOUND', message: expect.stringContaining("Cannot find module 'fs'") }))
  })
})

describe('describing what the candidate threw', () => {
  it('reads own data properties only: no getter, toString or toPrimitive runs', () => {
    let ran = 0
    const sneaky = {
      get name() {
        ran++
        return 'X'
      },
      message: 'm',
      toString() {
        ran++
        return 's'
      },
      [Symbol.toPrimitive]() {
        ran++
        return 'p'
      },
    }
    expect(describeThrown(sneaky, 'threw')).toEqual({ how: 'threw', name: '[getter]', message: 'm', code: '', text: '[getter]: m' })
    expect(dataProperty(Object.create({ code: 'E' }), 'code')).toEqual({ value: 'E' })
    expect(ran).toBe(0)
  })

  it('describes non-errors and caps the text', () => {
    expect(describeThrown(42, 'threw').text).toBe('threw 42')
    expect(describeThrown(Symbol('s'), 'rejected with').text).toBe('rejected with a symbol')
    expect(describeThrown(() => 1, 'threw').text).toBe('threw a function')
    expect(describeThrown({}, 'threw').text).toBe('threw an object that is not an Error')
    expect(
      describeThrown(
        new Proxy(
          {},
          {
            getOwnPropertyDescriptor() {
              throw new Error('trap')
            },
          },
        ),
        'threw',
      ).text,
    ).toBe('threw a value that cannot be inspected')
    const long = new Error('x'.repeat(5000))
    expect(describeThrown(long, 'threw')).toMatchObject({ name: 'Error', message: 'x'.repeat(5000) })
    expect(describeThrown(long, 'threw').text).toHaveLength(4096)
  })
})

describe('run and its report', () => {
  // The candidate's script runs first; `tests` stands for the test runner (test-runner.ts), here a plain function.
  const runWith = (candidate: () => unknown, tests: () => unknown) => createRun<null>(createState(), () => tests())
  const report = async (tests: () => unknown, candidate: () => unknown = () => undefined) => {
    const run = runWith(candidate, tests)
    const settled = run(script(candidate), null, 'tests')
    // Undefined when the tests' completion value is no promise; else a promise with no prototype.
    if (settled !== undefined) {
      expect(Object.getPrototypeOf(settled)).toBeNull()
      await new Promise((resolve) => Promise.prototype.then.call(settled, resolve))
    }
    return JSON.parse(run()) as Record<string, unknown>
  }

  it('returns undefined for a completion value that is no promise, and a promise with no prototype for one that is; run() is the report', () => {
    const sync = runWith(
      () => 1,
      () => 1,
    )
    expect(
      sync(
        script(() => 1),
        null,
        'tests',
      ),
    ).toBeUndefined()
    expect(typeof sync()).toBe('string')
    const pending = runWith(
      () => 1,
      () => Promise.resolve(1),
    )(
      script(() => 1),
      null,
      'tests',
    )
    expect(typeof pending).toBe('object')
    expect(Object.getPrototypeOf(pending)).toBeNull()
  })

  it('reports after a value, a throw, a fulfilled and a rejected promise; `ran` only when the tests ran to their end', async () => {
    expect(await report(() => 1)).toEqual({
      out: '',
      err: '',
      dropped: 0,
      consoleAssertFailures: 0,
      assertFailures: 0,
      firstFailure: '',
      thrown: null,
      ran: true,
    })
    const thrown = await report(() => {
      throw new TypeError('t')
    })
    expect(thrown).toMatchObject({ thrown: { how: 'threw', name: 'TypeError', message: 't' }, ran: false })
    expect(await report(() => Promise.resolve(1))).toMatchObject({ thrown: null, ran: true })
    expect(await report(() => Promise.reject(new RangeError('r')))).toMatchObject({
      thrown: { how: 'rejected with', name: 'RangeError', message: 'r' },
      ran: false,
    })
  })

  it("a throw in the candidate's script stops the run before the tests", async () => {
    let tested = false
    const r = await report(
      () => {
        tested = true
      },
      () => {
        throw new Error('top level')
      },
    )
    expect(tested).toBe(false)
    expect(r).toMatchObject({ thrown: { message: 'top level' }, ran: false })
  })

  it('the report is data of its own, not of Object.prototype', () => {
    const state = createState()
    state.out = 'o'
    expect(JSON.parse(snapshot(state))).toMatchObject({ out: 'o', thrown: null })
  })
})

describe('the bundled shim', () => {
  it('runs in a bare realm with no host global, installs read-only console/require, and returns run', async () => {
    const source = shimSource(100)
    expect(source).not.toMatch(/\brequire\(["']|\bimport\(|process\./)
    const context = vm.createContext({})
    const run = vm.runInContext(source, context, { filename: 'bonbench-shim.js' }) as ReturnType<typeof createRun<null>>
    expect(typeof run).toBe('function')
    // Nothing of the shim's bundle becomes a global of the candidate's context.
    expect(
      vm.runInContext(
        "typeof bonbenchShim + ' ' + Object.isFrozen(JSON) + ' ' + Object.isExtensible(Object.prototype) + ' ' + typeof Atomics.waitAsync",
        context,
      ),
    ).toBe('undefined true false undefined')
    expect(vm.runInContext("'use strict'; try { console = 1 } catch (e) { e.name }", context)).toBe('TypeError')
    const program = script(() => vm.runInContext("console.log('hi')", context))
    expect(run(program, null, "require('assert').equal(1, 2)")).toBeUndefined()
    expect(JSON.parse(run())).toMatchObject({ out: 'hi\n', assertFailures: 1, thrown: { name: 'AssertionError', message: '1 == 2' }, ran: false })
  })

  it('split for a startup snapshot: the snapshot script makes the objects and leaves only the install function; the install hardens and returns run', async () => {
    const context = vm.createContext({})
    vm.runInContext(shimSnapshotSource(100), context, { filename: 'bonbench-shim.js' })
    // Before the install: nothing hardened, one non-enumerable global holding the install function.
    expect(
      vm.runInContext(`typeof ${ARM_KEY} + ' ' + Object.keys(globalThis).length + ' ' + Object.isFrozen(JSON) + ' ' + typeof Atomics.waitAsync`, context),
    ).toBe('function 0 false function')
    const install = vm.runInContext(ARM_KEY, context) as () => unknown
    const run = vm.runInContext(ARM_SHIM_SOURCE, context, { filename: 'bonbench-shim.js' }) as ReturnType<typeof createRun<null>>
    expect(typeof run).toBe('function')
    expect(() => install()).toThrow(/once per context/)
    expect(
      vm.runInContext(
        `typeof ${ARM_KEY} + ' ' + Object.isFrozen(JSON) + ' ' + Object.isExtensible(Array.prototype) + ' ' + typeof Atomics.waitAsync + ' ' + Object.getOwnPropertyDescriptor(globalThis, 'require').writable`,
        context,
      ),
    ).toBe('undefined true false undefined false')
    expect(
      run(
        script(() => vm.runInContext("console.error('e')", context)),
        null,
        "require('assert').strictEqual(1, 1)",
      ),
    ).toBeUndefined()
    expect(JSON.parse(run())).toMatchObject({ err: 'e\n', assertFailures: 0, thrown: null, ran: true })
  })
})
