import { afterAll, describe, expect, it } from 'vitest'
import { humanevalJs } from '../../plugins/tasks/humaneval-js/index.js'
import { jsSandbox } from '../../plugins/verifiers/js-sandbox/index.js'
import type { Problem } from '../../core/plugin-api/task.js'
import { addProblem, codeProblem, CORRECT_ADD, humanevalXFile } from './code-fixtures.js'

// One verifier (one isolate pool) for every case: each attack runs, then a correct candidate for
// the same problem runs right after it in the same pool and must pass.
const verifier = jsSandbox({ timeoutMs: 400, wallTimeMs: 1000, memoryMb: 32, outputLimit: 4096, detailLimit: 1000, calibrate: false })
afterAll(() => verifier.dispose())

// A candidate that can end only by the time limit (it never stops by itself) runs under a short
// one of its own (the problem's `data.timeoutMs`, which wins over the verifier's): it spins to the
// limit either way, so the verdict and what follows are the same at a fraction of the CPU. The
// correct candidates after it keep the verifier's limit. Its wall-clock limit is then 1.1 s (the
// time limit + 1 s); the verifier's own, 1.4 s.
const SPIN_MS = 150
const spinning = (problem: Problem): Problem => ({ ...problem, data: { ...(problem.data as object), timeoutMs: SPIN_MS } })

// Correct only in a clean context: fails if anything an earlier candidate did leaked into it.
const CLEAN_ADD = [
  "  if (typeof globalThis.leak !== 'undefined' || ({}).polluted !== undefined) return -1",
  "  if (!String([].push).includes('native code') || !String(JSON.stringify).includes('native code')) return -1",
  '  return a + b',
  '}',
  '',
].join('\n')

/**
 * `reason` may list several verdicts where the limit that trips first depends on the machine's
 * speed; `spins`: it can only end by the time limit (it runs under SPIN_MS).
 */
const attacks: Array<{ name: string; completion: string; reason: string | string[]; spins?: boolean }> = [
  { name: 'infinite loop', completion: '  while (true) {}\n}\n', reason: 'timeout', spins: true },
  { name: 'infinite loop at top level', completion: '  return a + b\n}\nfor (;;) {}\n', reason: 'timeout', spins: true },
  { name: 'unbounded recursion', completion: '  return add(a, b) + 1\n}\n', reason: 'runtime' },
  // isolated-vm's time limit runs on the wall clock: on a loaded machine (load average 13, two test files at once) the
  // 400 ms can end before the heap fills, on main as here. Either verdict fails it safely; the string bomb must be 'memory'.
  {
    name: 'memory bomb',
    completion: '  const hog = []\n  while (true) hog.push(new Array(1e5).fill(hog.length))\n}\n',
    reason: ['memory', 'timeout'],
  },
  { name: 'string memory bomb', completion: "  let s = 'x'\n  while (true) s = s + s + String(s.length)\n}\n", reason: 'memory' },
  { name: 'huge output', completion: "  while (true) console.log('x'.repeat(1000))\n}\n", reason: 'timeout', spins: true },
  { name: 'never-settling promise', completion: '  return new Promise(() => {})\n}\n', reason: 'timeout', spins: true },
  // Each turn allocates a promise inside one microtask checkpoint: on a loaded machine the heap
  // limit can trip before the wall-clock one (seen once in CI); either verdict fails it safely.
  {
    name: 'microtask loop',
    completion: '  const spin = () => Promise.resolve().then(spin)\n  spin()\n  return new Promise(() => {})\n}\n',
    reason: ['timeout', 'memory'],
    spins: true,
  },
  { name: 'unhandled rejection', completion: "  Promise.reject(new Error('floating'))\n  return a + b\n}\n", reason: 'runtime' },
  { name: 'process.exit to fake a pass', completion: '  process.exit(0)\n}\n', reason: 'runtime' },
  { name: 'require child_process', completion: "  require('child_process').execSync('echo pwned')\n  return a + b\n}\n", reason: 'runtime' },
  { name: 'require fs', completion: "  return require('fs').readFileSync('/etc/passwd', 'utf8').length\n}\n", reason: 'runtime' },
  { name: 'Function constructor to process', completion: "  globalThis.constructor.constructor('return process')().exit(0)\n}\n", reason: 'runtime' },
  {
    name: 'this.constructor.constructor',
    completion: "  this.constructor.constructor('return this.process.mainModule.require')()('fs')\n}\n",
    reason: 'runtime',
  },
  {
    name: 'arguments.callee.caller',
    completion: "  const caller = arguments.callee.caller\n  caller.constructor('return process')().kill(0)\n}\n",
    reason: 'runtime',
  },
  {
    name: 'Error.prepareStackTrace frames',
    completion: [
      '  Error.prepareStackTrace = (e, frames) => frames.map((f) => f.getFunction && f.getFunction())',
      '  const fns = new Error().stack',
      "  for (const fn of fns) if (fn) fn.constructor('return process')().exit(0)",
      "  throw new Error('no host frame found')",
      '}',
      '',
    ].join('\n'),
    reason: 'runtime',
  },
  { name: 'dynamic import', completion: "  return import('node:fs').then((fs) => fs.readFileSync('/etc/passwd').length)\n}\n", reason: 'runtime' },
  { name: 'host timers', completion: '  setTimeout(() => {}, 0)\n  return a + b\n}\n', reason: 'runtime' },
  // With a timeout, V8 posts a non-nestable delayed task that isolated-vm's platform answers with std::terminate (the
  // whole host process aborted): the sandbox has no Atomics.waitAsync.
  {
    name: 'Atomics.waitAsync with a timeout',
    completion: '  return Atomics.waitAsync(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20).value.then(() => a + b)\n}\n',
    reason: 'runtime',
  },
  { name: 'network', completion: "  return fetch('http://127.0.0.1/').then(() => 3)\n}\n", reason: 'runtime' },
  { name: 'throwing a non-Error', completion: '  throw 42\n}\n', reason: 'runtime' },
  { name: 'syntax error', completion: '  return a +\n', reason: 'syntax' },
  {
    name: 'prototype tampering and global pollution',
    completion: [
      '  Array.prototype.push = function () { return 0 }',
      '  Object.prototype.polluted = 1',
      '  JSON.stringify = () => "cheat"',
      '  globalThis.leak = 1',
      '  return -1',
      '}',
      '',
    ].join('\n'),
    reason: 'assertion',
  },
  {
    name: 'forging the report through a replaced Object.create',
    completion:
      "  Object.create = () => ({ toJSON() { return { out: '', err: '', dropped: 0, consoleAssertFailures: 0, assertFailures: 0, firstFailure: '', thrown: null } } })\n  return -1\n}\n",
    reason: 'assertion',
  },
  {
    name: 'calling the report callback through a replaced Function.prototype.call',
    // It also marks the awaited promise handled, so only the shim's own handler can report the failure.
    completion:
      "  Function.prototype.call = function (self, ...args) { for (const a of args) { if (typeof a === 'function') a(); else if (a instanceof Promise) a.catch(() => {}) } }\n  return -1\n}\n",
    reason: 'assertion',
  },
  {
    name: 'a report of the wrong shape through a replaced String.prototype.slice',
    completion: "  String.prototype.slice = () => ({})\n  throw new Error('x'.repeat(10000))\n}\n",
    reason: 'runtime',
  },
  {
    name: 'disabling assert through require',
    completion: "  const assert = require('node:assert')\n  assert.deepEqual = () => {}\n  assert.strictEqual = () => {}\n  return 0\n}\n",
    reason: 'assertion',
  },
]

// Values a candidate throws (or rejects with) that loop or throw when the host would inspect them.
// They must be described inside the isolate, under its time limit, and never reach isolated-vm's
// copy or the host. The verdict is 'runtime', or 'timeout' where V8 itself runs the hostile code
// while throwing (it formats the error's message): either fails the candidate, and the host stays well.
const LOOP = 'for (;;) {}'
const hostileValues: Array<{ name: string; value: string; reason: string | string[] }> = [
  { name: 'an object whose toString loops', value: `{ toString() { ${LOOP} } }`, reason: 'runtime' },
  { name: 'an object whose valueOf and toString throw themselves', value: '{ toString() { throw this }, valueOf() { throw this } }', reason: 'runtime' },
  {
    name: 'an object whose message and stack getters loop',
    value: `{ get message() { ${LOOP} }, get stack() { ${LOOP} }, get name() { ${LOOP} } }`,
    reason: 'runtime',
  },
  {
    name: 'a Proxy whose every trap loops',
    value: `new Proxy({}, { get() { ${LOOP} }, has() { ${LOOP} }, ownKeys() { ${LOOP} }, getOwnPropertyDescriptor() { ${LOOP} }, getPrototypeOf() { ${LOOP} } })`,
    reason: ['runtime', 'timeout'],
  },
  { name: 'a function', value: 'function evil() {}', reason: 'runtime' },
  { name: 'a function with a looping toString', value: `Object.assign(function evil() {}, { toString() { ${LOOP} } })`, reason: 'runtime' },
  {
    name: 'an Error with a looping message getter',
    value: `Object.defineProperty(new Error('x'), 'message', { get() { ${LOOP} } })`,
    reason: ['runtime', 'timeout'],
  },
  { name: 'an Error with a looping stack getter', value: `Object.defineProperty(new Error('x'), 'stack', { get() { ${LOOP} } })`, reason: 'runtime' },
  { name: 'an object whose Symbol.toPrimitive loops', value: `{ [Symbol.toPrimitive]() { ${LOOP} } }`, reason: 'runtime' },
  { name: 'an Error subclass with a looping name getter', value: `new (class extends Error { get name() { ${LOOP} } })('x')`, reason: ['runtime', 'timeout'] },
  {
    name: 'an Error whose prototype chain is a looping Proxy',
    value: `Object.setPrototypeOf(new Error('x'), new Proxy({}, { get() { ${LOOP} }, getOwnPropertyDescriptor() { ${LOOP} } }))`,
    reason: ['runtime', 'timeout'],
  },
  { name: 'a symbol', value: "Symbol('s')", reason: 'runtime' },
]

// A problem whose test calls the candidate synchronously at the top level (as MultiPL-E's do).
const syncAddProblem = codeProblem('add-sync', 'function add(a, b){\n', {
  language: 'javascript',
  test: "const assert = require('node:assert')\nfunction test() {\n  assert.deepEqual(add(1, 2), 3)\n}\ntest()",
})

describe('js-sandbox against hostile thrown values', () => {
  const ways: Array<[string, Problem, (value: string) => string]> = [
    ['thrown at the top level of a sync test', syncAddProblem, (v) => `  throw ${v}\n}\n`],
    ['thrown inside an awaited async test', addProblem, (v) => `  throw ${v}\n}\n`],
    ['returned as a rejected promise the test awaits', addProblem, (v) => `  return Promise.reject(${v})\n}\n`],
  ]
  for (const [how, problem, completion] of ways) {
    for (const hostile of hostileValues) {
      it(`${hostile.name}, ${how}: fails within the time limit (not the wall clock), and the pool stays usable`, async () => {
        // A value whose description may loop (its verdict may be 'timeout') spins under SPIN_MS.
        const badProblem = [hostile.reason].flat().includes('timeout') ? spinning(problem) : problem
        const [bad, good] = await verifier.score(
          [
            { problem: badProblem, completion: completion(hostile.value) },
            { problem, completion: CORRECT_ADD },
          ],
          { concurrency: 1 },
        )
        expect(bad!.pass).toBe(false)
        expect([hostile.reason].flat(), bad!.detail).toContain(bad!.reason)
        // A verdict from the wall clock would mean the isolate thread was stuck outside the time limit.
        expect(bad!.detail).not.toContain('wall-clock')
        expect(good).toMatchObject({ pass: true, reason: 'passed' })
      })
    }
  }
})

describe('js-sandbox against hostile candidates', () => {
  for (const attack of attacks) {
    it(`${attack.name}: fails with '${[attack.reason].flat().join("' or '")}', then a correct candidate passes`, async () => {
      const [bad, good, clean] = await verifier.score(
        [
          { problem: attack.spins ? spinning(addProblem) : addProblem, completion: attack.completion },
          { problem: addProblem, completion: CORRECT_ADD },
          { problem: addProblem, completion: CLEAN_ADD },
        ],
        { concurrency: 1 },
      )
      expect(bad!.pass).toBe(false)
      expect([attack.reason].flat(), bad!.detail).toContain(bad!.reason)
      expect(bad!.detail!.length).toBeLessThan(1200)
      expect(good).toMatchObject({ pass: true, reason: 'passed', score: 1, reward: 1 })
      expect(clean, clean!.detail).toMatchObject({ pass: true, reason: 'passed' })
    })
  }

  it('keeps the host event loop turning during an infinite loop (a host callback runs before the verdict)', async () => {
    // Ordering, not timing: an isolate run on the host thread would block until its timeout and
    // resolve the verdict before the host's next loop turn; run off-thread, the turn comes first.
    const order: string[] = []
    const scored = verifier.score([{ problem: addProblem, completion: '  for (;;) {}\n}\n' }], { concurrency: 1 }).then((v) => {
      order.push('verdict')
      return v
    })
    setImmediate(() => order.push('host turn'))
    const [verdict] = await scored
    expect(verdict!.reason).toBe('timeout')
    expect(order).toEqual(['host turn', 'verdict'])
  })

  it('replaces an isolate that breached a limit', async () => {
    const before = verifier.isolatesCreated
    await verifier.score([{ problem: addProblem, completion: '  const a = []\n  for (;;) a.push(new Array(1e5).fill(0))\n}\n' }], { concurrency: 1 })
    const [after] = await verifier.score([{ problem: addProblem, completion: CORRECT_ADD }], { concurrency: 1 })
    expect(after!.pass).toBe(true)
    expect(verifier.isolatesCreated).toBe(before + 1)
  })

  it('a replaced Function.prototype.call does not make assert.match pass (the shim calls built-ins through its captured Reflect.apply)', async () => {
    const problem = codeProblem('match', 'function add(a, b){\n', { language: 'javascript', test: "require('node:assert').match(String(add(1, 2)), /^3$/)" })
    const [bad, good] = await verifier.score(
      [
        { problem, completion: '  Function.prototype.call = function () { return true }\n  return -1\n}\n' },
        { problem, completion: CORRECT_ADD },
      ],
      { concurrency: 1 },
    )
    expect(bad).toMatchObject({ pass: false, reason: 'assertion' })
    expect(good).toMatchObject({ pass: true, reason: 'passed' })
  })

  describe('self-grading tricks on HumanEval-X (console.assert tests)', async () => {
    const data = await humanevalJs({ limit: 1 }).load({ seed: 0, dataPath: humanevalXFile })
    const problem: Problem = data.test[0]!
    const wrong = '  return true\n}\n'
    const cheats: Array<[string, string]> = [
      ['silence console.assert', 'console.assert = () => {}\n'],
      ['replace console', 'globalThis.console = { assert() {}, log() {} }\n'],
      ['Object.prototype.toJSON', 'Object.prototype.toJSON = () => 1\n'],
      ['Array.prototype.toJSON', 'Array.prototype.toJSON = () => 1\n'],
    ]
    for (const [label, cheat] of cheats) {
      it(`${label} does not make a wrong answer pass`, async () => {
        const [bad, good] = await verifier.score(
          [
            { problem, completion: wrong + cheat },
            { problem, completion: problem.expert! },
          ],
          { concurrency: 1 },
        )
        expect(bad!.pass).toBe(false)
        expect(['assertion', 'runtime']).toContain(bad!.reason)
        expect(good!.pass).toBe(true)
      })
    }
  })
})
