import { afterAll, describe, expect, it } from 'vitest'
import { humanevalJs } from '../../plugins/tasks/humaneval-js/index.js'
import { jsSandbox } from '../../plugins/verifiers/js-sandbox/index.js'
import type { Problem } from '../../core/plugin-api/task.js'
import { codeProblem, humanevalXFile, multipleEFile } from './code-fixtures.js'

// Holes an outside review found (H1, H2, L1, L2, M3), and the globals the tests call: each case is a
// candidate that is wrong, or a correct one after a hostile one, and must get the verdict a
// sandbox that keeps the tests out of the candidate's reach gives.
const verifier = jsSandbox({ timeoutMs: 1000, wallTimeMs: 3000, calibrate: false })
afterAll(() => verifier.dispose())

const multipleE = (await humanevalJs().load({ seed: 0, dataPath: multipleEFile })).test
const humanevalX = await humanevalJs().load({ seed: 0, dataPath: humanevalXFile })
const hx = [...humanevalX.train, ...humanevalX.test]
const byId = (problems: Problem[], id: string) => problems.find((p) => p.id === id)!

async function verdictsOf(items: Array<{ problem: Problem; completion: string }>) {
  return verifier.score(items, { concurrency: 1 })
}

describe('H1: the candidate cannot replace the tests (MultiPL-E: `function test(){…} test();` after the completion)', () => {
  const stubs = [
    '  return null;\n}\ntest = function(){};\n',
    '  return null;\n}\nglobalThis.test = function(){};\n',
    '  return null;\n}\nvar test = function(){};\n',
    '  return null;\n}\nObject.defineProperty(globalThis, "test", { get() { return () => {} }, set() {} });\n',
  ]
  it.each(stubs)('a wrong answer that reassigns `test` fails: %j', async (completion) => {
    const problems = ['HumanEval_23_strlen', 'HumanEval_53_add', 'HumanEval_0_has_close_elements'].map((id) => byId(multipleE, id))
    const verdicts = await verdictsOf(problems.map((problem) => ({ problem, completion })))
    for (const v of verdicts) expect(v).toMatchObject({ pass: false })
  })

  it('a declaration that clashes with the tests fails to compile, as the one-script program did', async () => {
    const [v] = await verdictsOf([{ problem: byId(multipleE, 'HumanEval_23_strlen'), completion: '  return string.length;\n}\nlet test = 1;\n' }])
    expect(v).toMatchObject({ pass: false, reason: 'syntax' })
    expect(v!.detail).toMatch(/Identifier 'test' has already been declared/)
  })

  it('the tests of a problem with no sample still run when the candidate replaces nothing (control)', async () => {
    const [right, wrong] = await verdictsOf([
      { problem: byId(multipleE, 'HumanEval_23_strlen'), completion: '  return string.length;\n}\n' },
      { problem: byId(multipleE, 'HumanEval_23_strlen'), completion: '  return null;\n}\n' },
    ])
    expect(right).toMatchObject({ pass: true })
    expect(wrong).toMatchObject({ pass: false, reason: 'assertion' })
  })
})

describe('H2: the candidate cannot read the tests (HumanEval-X: console.assert(f(x) === expected))', () => {
  const ids = ['JavaScript/0', 'JavaScript/1', 'JavaScript/7', 'JavaScript/23', 'JavaScript/29']
  // The reviewer's oracle: the caller's name from the stack, its source through eval(name).toString().
  const byStack = [
    '  return __oracle();',
    '}',
    'var __k = 0;',
    'function __oracle() {',
    "  const frames = new Error().stack.split('\\n');",
    '  const name = /at (\\w+) \\(candidate\\.js/.exec(frames[3])[1];',
    '  const src = eval(name).toString();',
    "  const parts = src.split('console.assert(').slice(1);",
    '  let body = parts[__k++];',
    '  let depth = 1, i = 0;',
    "  for (; i < body.length && depth > 0; i++) { if (body[i] === '(') depth++; else if (body[i] === ')') depth--; }",
    '  body = body.slice(0, i - 1);',
    "  let rhs = body.slice(body.lastIndexOf('===') + 3).trim();",
    '  let v = eval(rhs);',
    '  if (/^JSON\\.stringify\\(/.test(rhs)) v = JSON.parse(v);',
    '  return v;',
    '}',
    '',
  ].join('\n')
  it('an oracle that finds the test function by the stack and eval(name) passes no problem', async () => {
    const verdicts = await verdictsOf(ids.map((id) => ({ problem: byId(hx, id), completion: byStack })))
    expect(verdicts.map((v) => v.pass)).toEqual(ids.map(() => false))
  })

  // A test in a plain (sloppy) function, as custom payloads write them: the candidate takes the
  // test function from fn.caller or from a CallSite's getFunction() and reads the expected value.
  const sloppy = codeProblem('sloppy-test', 'function f(x) {\n', {
    language: 'javascript',
    test: 'function test() {\n  console.assert(f(1) === 42)\n  console.assert(f(2) === 43)\n}\ntest()',
    failOnStderr: true,
  })
  const readExpected = (how: string) => `  const src = String(${how})\n  return Number(src.split('console.assert(f(' + x + ') === ')[1].split(')')[0])\n}\n`
  it.each([
    ['fn.caller', readExpected('f.caller')],
    ['arguments.callee.caller', readExpected('arguments.callee.caller')],
    [
      'CallSite.getFunction()',
      readExpected(
        '(() => { const p = Error.prepareStackTrace; Error.prepareStackTrace = (e, s) => s; const s = new Error().stack; Error.prepareStackTrace = p; return s.map((c) => c.getFunction()).find((fn) => fn && fn.name === "test") })()',
      ),
    ],
  ])('an oracle that takes the test function from %s fails', async (_, completion) => {
    const [v] = await verdictsOf([{ problem: sloppy, completion }])
    expect(v).toMatchObject({ pass: false })
  })

  it('the tests see their own globals: replacing or shadowing Math, JSON, console, require fails a wrong answer', async () => {
    // JavaScript/4's every assertion is `Math.abs(f(x) - y) < 1e-6`.
    const mad = byId(hx, 'JavaScript/4')
    const completions = [
      '  return 0\n}\nMath.abs = () => 0\n',
      '  return 0\n}\nlet Math = { abs: () => 0 }\n',
      '  return 0\n}\nglobalThis.Math = { abs: () => 0 }\n',
      '  return 0\n}\nObject.defineProperty(Math, "abs", { value: () => 0 })\n',
      '  Math.abs = () => 0\n  return 0\n}\n',
    ]
    const verdicts = await verdictsOf(completions.map((completion) => ({ problem: mad, completion })))
    expect(verdicts.map((v) => v.reason)).toEqual(completions.map(() => 'assertion'))
  })

  it('built-in methods the tests call on their own data cannot be patched (Array.prototype.join/map/fill, Math.random)', async () => {
    // JavaScript/38 and /50 compare decode(encode(str)) with a random str built by fill/map/join.
    const problems = [byId(hx, 'JavaScript/38'), byId(hx, 'JavaScript/50')]
    const completions = [
      "  return ''\n}\nArray.prototype.join = function () { return '' }\n",
      "  return ''\n}\nMath.random = () => 0\n",
      "  return ''\n}\nObject.getPrototypeOf([][Symbol.iterator]()).next = () => ({ done: true })\nArray.prototype.map = function () { return [] }\n",
    ]
    const items = problems.flatMap((problem) => completions.map((completion) => ({ problem, completion })))
    const verdicts = await verdictsOf(items)
    expect(verdicts.map((v) => v.pass)).toEqual(items.map(() => false))
  })

  it.each([
    ["f(' a ').trim() === 'b'.trim()", "  return x\n}\nString.prototype.trim = function () { return '' }\n"],
    ["f(' a ').trim() === 'b'.trim()", "  return x\n}\nObject.defineProperty(String.prototype, 'trim', { value: () => 'same' })\n"],
    ['JSON.stringify(f([2, 1]).sort()) === JSON.stringify([3, 4].sort())', '  return x\n}\nArray.prototype.sort = function () { return [] }\n'],
    ['f(1).toFixed(2) === (2).toFixed(2)', "  return 1\n}\nNumber.prototype.toFixed = () => 'x'\n"],
    ['Object.keys(f({ a: 1 })).length === Object.keys({ a: 1, b: 2 }).length', '  return x\n}\nObject.keys = () => []\n'],
    ['Array.isArray(f(1))', '  return 1\n}\nArray.isArray = () => true\n'],
    ['[...f([1])].length === 2', '  return x\n}\nArray.prototype[Symbol.iterator] = function* () { yield 1; yield 2 }\n'],
  ])('a test calling a built-in on both sides (%s) is not fooled by a patch of it', async (check, completion) => {
    const problem = codeProblem(`both-${check}`, 'function f(x) {\n', {
      language: 'javascript',
      test: `const assert = require('assert')\nfunction test() {\n  assert.ok(${check})\n}\ntest()`,
    })
    const [v] = await verdictsOf([{ problem, completion }])
    expect(v).toMatchObject({ pass: false })
  })
})

describe('L1: deep equality cannot be fooled by patched Map/Set/RegExp built-ins', () => {
  const problem = (test: string) => codeProblem(`deep-${test.length}`, 'function f() {\n', { language: 'javascript', test })
  const assert = "const assert = require('assert')\n"
  const cases = [
    ['Set.prototype.has', 'Set.prototype.has = () => true', 'assert.deepStrictEqual(new Set([1]), new Set([2]))'],
    ['Map.prototype.has/get', 'Map.prototype.has = () => true; Map.prototype.get = () => 1', 'assert.deepStrictEqual(new Map([[1, 1]]), new Map([[2, 5]]))'],
    [
      '%MapIteratorPrototype%.next',
      'Object.getPrototypeOf(new Map().entries()).next = () => ({ done: true })',
      'assert.deepStrictEqual(new Map([[1, 1]]), new Map([[2, 5]]))',
    ],
    ['%SetIteratorPrototype%.next', 'Object.getPrototypeOf(new Set().values()).next = () => ({ done: true })', 'assert.deepEqual(new Set([1]), new Set([2]))'],
    [
      'Map[Symbol.hasInstance]',
      'Object.defineProperty(Map, Symbol.hasInstance, { value: () => false })',
      'assert.deepEqual(new Map([[1, 1]]), new Map([[2, 2]]))',
    ],
    ['RegExp.prototype.toString', "RegExp.prototype.toString = () => '/x/'", 'assert.deepStrictEqual(/a/, /b/)'],
  ]
  it.each(cases)('a patched %s does not make different values deep-equal', async (_, patch, check) => {
    const [control, patched] = await verdictsOf([
      { problem: problem(assert + check), completion: '}\n' },
      { problem: problem(assert + check), completion: `}\ntry { ${patch} } catch {}\n` },
    ])
    expect(control).toMatchObject({ pass: false, reason: 'assertion' })
    expect(patched).toMatchObject({ pass: false })
  })

  it('equal Maps, Sets and RegExps still compare equal; a Date equals no plain object (as in node:assert; it did before)', async () => {
    const [v] = await verdictsOf([
      {
        problem: problem(
          assert +
            'assert.deepStrictEqual(new Map([[1, [2]], ["a", new Set([3])]]), new Map([[1, [2]], ["a", new Set([3])]]))\nassert.deepEqual(new Set([1, 2]), new Set([2, 1]))\nassert.deepStrictEqual(/a/g, /a/g)\nassert.notDeepStrictEqual(/a/g, /a/i)\nassert.notDeepEqual(new Date(0), {})',
        ),
        completion: '}\n',
      },
    ])
    expect(v).toMatchObject({ pass: true })
  })
})

describe('L2: a failure in a floating microtask counts', () => {
  const problem = codeProblem('late', 'function f() {\n', { language: 'javascript', test: 'function test() { f() }\ntest()', failOnStderr: false })
  it.each([
    ['console.assert(false) after an await', '  async function t() { await null; console.assert(false) }\n  t()\n}\n', 'assertion'],
    ['console.assert(false) in a then', '  Promise.resolve().then(() => console.assert(false))\n}\n', 'assertion'],
    ['a throw in a then (control: caught before too)', "  Promise.resolve().then(() => { throw new Error('late') })\n}\n", 'runtime'],
  ])('%s fails', async (_, completion, reason) => {
    const [v, clean] = await verdictsOf([
      { problem, completion },
      { problem, completion: '}\n' },
    ])
    expect(v).toMatchObject({ pass: false, reason })
    expect(clean).toMatchObject({ pass: true })
  })
})

describe('M3: a verdict does not depend on the candidates before it (memory kept in the isolate)', () => {
  // The reviewer's pair, on a 64 MB heap: A is correct and leaves 48 MB in V8's Symbol registry
  // (one per isolate, never collected); B is correct and needs about 40 MB.
  const strlen = () => byId(multipleE, 'HumanEval_23_strlen')
  const hog = "  return string.length;\n}\nfor (let i = 0; i < 12; i++) Symbol.for(String(i) + 'x'.repeat(4e6));\n"
  const needy = '  const a = Array.from({ length: 1e6 }, (_, i) => ({ i }));\n  return a.length > 0 ? string.length : -1;\n}\n'
  it('B passes after A on one isolate, as it does alone', async () => {
    const small = jsSandbox({ timeoutMs: 3000, wallTimeMs: 6000, memoryMb: 64, calibrate: false })
    try {
      const [alone] = await small.score([{ problem: strlen(), completion: needy }], { concurrency: 1 })
      expect(alone).toMatchObject({ pass: true })
      const [a, b, again] = await small.score(
        [
          { problem: strlen(), completion: hog },
          { problem: strlen(), completion: needy },
          { problem: strlen(), completion: needy },
        ],
        { concurrency: 1 },
      )
      expect(a).toMatchObject({ pass: true })
      expect(b).toMatchObject({ pass: true })
      expect(again).toMatchObject({ pass: true })
    } finally {
      small.dispose()
    }
  })
})
