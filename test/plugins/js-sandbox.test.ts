import { afterAll, describe, expect, it } from 'vitest'
import { humanevalJs } from '../../plugins/tasks/humaneval-js/index.js'
import { jsSandbox } from '../../plugins/verifiers/js-sandbox/index.js'
import { isBenchError } from '../../core/errors.js'
import type { VerifyItem } from '../../core/plugin-api/verifier.js'
import { addProblem, codeProblem, CORRECT_ADD, humanevalXFile, multipleEFile } from './code-fixtures.js'

const verifier = jsSandbox({ timeoutMs: 1000 })
afterAll(() => verifier.dispose())

describe('js-sandbox on HumanEval-X reference solutions', () => {
  it('passes 161 of 164: JavaScript/112 and /155 fail their own tests, /162 needs js-md5', async () => {
    const data = await humanevalJs().load({ seed: 0, dataPath: humanevalXFile })
    const problems = [...data.train, ...data.test]
    const verdicts = await verifier.score(
      problems.map((problem) => ({ problem, completion: problem.expert! })),
      { concurrency: 2 },
    )
    const failed = Object.fromEntries(verdicts.flatMap((v, i) => (v.pass ? [] : [[problems[i]!.id, v.reason]])))
    expect(verdicts.filter((v) => v.pass)).toHaveLength(161)
    expect(failed).toEqual({ 'JavaScript/112': 'assertion', 'JavaScript/155': 'assertion', 'JavaScript/162': 'runtime' })
    const md5 = verdicts[problems.findIndex((p) => p.id === 'JavaScript/162')]!
    expect(md5.detail).toContain("Cannot find module 'js-md5'")
    // Calibration (evalplus): a fast reference gives the minimum limit.
    expect(verifier.timeLimitOf(problems[0]!)).toBe(1000)
  })

  it('fails a wrong HumanEval-X answer by its console.assert messages (which do not throw)', async () => {
    const data = await humanevalJs({ limit: 3 }).load({ seed: 0, dataPath: humanevalXFile })
    const verdicts = await verifier.score(
      data.test.map((problem) => ({ problem, completion: '  return 0\n}\n' })),
      { concurrency: 1 },
    )
    for (const v of verdicts) expect(v).toMatchObject({ pass: false, reason: 'assertion', score: 0, reward: 0 })
    expect(verdicts[0]!.detail).toContain('Assertion failed')
  })
})

describe('js-sandbox on MultiPL-E problems (require("node:assert"), stop tokens)', () => {
  it('passes a correct strlen, fails a wrong one, and cuts at the stop tokens', async () => {
    const data = await humanevalJs().load({ seed: 0, dataPath: multipleEFile })
    const strlen = data.test.find((p) => p.id === 'HumanEval_23_strlen')!
    const [right, wrong, cut] = await verifier.score(
      [
        { problem: strlen, completion: '  return string.length\n}\n' },
        { problem: strlen, completion: '  return string.length + 1\n}\n' },
        { problem: strlen, completion: '  return string.length\n}\n// trailing chatter that is not code {{{\nfunction junk( {' },
      ],
      { concurrency: 2 },
    )
    expect(right).toMatchObject({ pass: true, reason: 'passed' })
    expect(wrong).toMatchObject({ pass: false, reason: 'assertion' })
    expect(wrong!.detail).toContain('AssertionError')
    expect(cut).toMatchObject({ pass: true, reason: 'passed' })
  })
})

function program(test: string, completion = CORRECT_ADD): VerifyItem {
  return { problem: codeProblem(`p-${test.length}-${completion.length}`, 'function add(a, b){\n', { language: 'javascript', test }), completion }
}

describe('the assert shim matches node:assert', () => {
  const holds = [
    "require('assert').ok(add(1, 1) === 2)",
    "require('node:assert')(true)",
    "require('node:assert').equal(add(1, 1), '2')",
    "require('node:assert').notEqual(add(1, 1), 3)",
    "require('node:assert').strictEqual(add(1, 1), 2)",
    "require('node:assert').notStrictEqual(add(1, 1), '2')",
    "require('node:assert').deepEqual([add(1, 1), { a: [1] }], ['2', { a: ['1'] }])",
    "require('node:assert').deepStrictEqual([add(1, 1), { a: [1, NaN] }], [2, { a: [1, NaN] }])",
    "require('node:assert').deepStrictEqual(new Map([[1, [2]]]), new Map([[1, [2]]]))",
    "require('node:assert').deepStrictEqual(new Set([1, 2]), new Set([2, 1]))",
    "require('node:assert').notDeepEqual([1, 2], [1, 2, 3])",
    "require('node:assert').notDeepStrictEqual([1], ['1'])",
    "require('node:assert').throws(() => { throw new TypeError('x') }, TypeError)",
    "require('node:assert').throws(() => { throw new Error('boom') }, /boom/)",
    "require('node:assert').doesNotThrow(() => add(1, 2))",
    "require('node:assert').match('abc', /b/)",
    "require('node:assert/strict').equal(add(1, 1), 2)",
    "require('node:assert').strict.deepEqual([1], [1])",
    "console.log('hello', { a: 1 }, [1, 'x']); console.info(1); console.debug(2)",
    "const assert = require('node:assert'); (async () => { await assert.rejects(Promise.reject(new Error('r'))) })()",
  ]
  const fails = [
    "require('assert').ok(add(1, 1) === 3)",
    "require('node:assert').equal(add(1, 1), 3)",
    "require('node:assert').strictEqual(add(1, 1), '2')",
    "require('node:assert').deepEqual([1, [2]], [1, [3]])",
    "require('node:assert').deepEqual({ a: 1 }, { a: 1, b: 2 })",
    "require('node:assert').deepStrictEqual([add(1, 1)], ['2'])",
    "require('node:assert').deepStrictEqual({}, [])",
    "require('node:assert').notDeepEqual([1], ['1'])",
    "require('node:assert').throws(() => 1)",
    "require('node:assert').fail('nope')",
    "require('node:assert/strict').equal(add(1, 1), '2')",
    "require('node:assert').doesNotMatch('abc', /b/)",
    "console.assert(add(1, 1) === 3, 'add is wrong')",
    "(async () => { require('node:assert').equal(await add(1, 1), 5) })()",
  ]
  it.each(holds)('holds: %s', async (test) => {
    const [v] = await verifier.score([program(test)], { concurrency: 1 })
    expect(v, v!.detail).toMatchObject({ pass: true, reason: 'passed' })
  })
  it.each(fails)('fails with assertion: %s', async (test) => {
    const [v] = await verifier.score([program(test)], { concurrency: 1 })
    expect(v).toMatchObject({ pass: false, reason: 'assertion' })
  })
})

describe('js-sandbox verdicts and options', () => {
  it('reports syntax and runtime errors with their messages', async () => {
    const [syntax, runtime, unknown] = await verifier.score(
      [
        { problem: addProblem, completion: '  return a +* b\n}\n' },
        { problem: addProblem, completion: '  return a.b.c\n}\n' },
        { problem: addProblem, completion: "  return require('lodash').add(a, b)\n}\n" },
      ],
      { concurrency: 3 },
    )
    expect(syntax).toMatchObject({ pass: false, reason: 'syntax' })
    expect(runtime).toMatchObject({ pass: false, reason: 'runtime' })
    expect(runtime!.detail).toContain('TypeError')
    expect(unknown!.detail).toContain("Cannot find module 'lodash'")
  })

  it('caps captured console output and fails on stderr where the payload asks for it', async () => {
    const capped = jsSandbox({ outputLimit: 100, detailLimit: 5000, calibrate: false })
    const quiet = codeProblem('q', 'function add(a, b){\n', {
      language: 'javascript',
      test: "console.error('x'.repeat(1000)); if (add(1, 2) !== 3) throw new Error('bad')",
      failOnStderr: true,
    })
    const [v] = await capped.score([{ problem: quiet, completion: CORRECT_ADD }], { concurrency: 1 })
    capped.dispose()
    expect(v).toMatchObject({ pass: false, reason: 'runtime' })
    expect(v!.detail).toContain('wrote to stderr')
    expect(v!.detail).toContain('characters of output dropped')
    expect(v!.detail!.length).toBeLessThan(300)
  })

  it('runs many candidates at once within the granted concurrency, in order', async () => {
    const items = Array.from({ length: 40 }, (_, i) => ({ problem: addProblem, completion: i % 3 === 0 ? '  return a - b\n}\n' : CORRECT_ADD }))
    const verdicts = await verifier.score(items, { concurrency: 4 })
    expect(verdicts.map((v) => v.pass)).toEqual(items.map((_, i) => i % 3 !== 0))
  })

  it('stops on an aborted signal', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(verifier.score([{ problem: addProblem, completion: CORRECT_ADD }], { concurrency: 1, signal: controller.signal })).rejects.toMatchObject({
      code: 'BENCH_ABORTED',
    })
  })

  it('rejects bad options and problems without a JavaScript payload, naming the plugin', async () => {
    for (const bad of [{ timeoutMs: 0 }, { memoryMb: 1 }, { colour: 'red' }, { timeoutMs: 5000, wallTimeMs: 10 }]) {
      let error: unknown
      try {
        jsSandbox(bad as never)
      } catch (e) {
        error = e
      }
      expect(isBenchError(error) && error.code).toBe('BENCH_PLUGIN_OPTIONS')
      expect(String(error)).toContain('bonbench:js-sandbox')
    }
    await expect(verifier.score([{ problem: { id: 'x', prompt: '' }, completion: '' }], { concurrency: 1 })).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
    })
    const python = codeProblem('py', 'def f():\n', { language: 'python', test: 'assert f() == 1' })
    await expect(verifier.score([{ problem: python, completion: '  return 1' }], { concurrency: 1 })).rejects.toThrow(/command/)
  })

  it('uses a per-problem timeoutMs from the payload', async () => {
    const slow = codeProblem('slow', 'function add(a, b){\n', { language: 'javascript', test: 'add(1, 2)', timeoutMs: 50 })
    // A loop that never ends (not a wall-clock busy wait, which a starved thread can finish
    // within its CPU budget): only the 50 ms limit can end it, and the detail names that limit.
    const [v] = await verifier.score([{ problem: slow, completion: '  for (;;) {}\n}\n' }], { concurrency: 1 })
    expect(v).toMatchObject({ pass: false, reason: 'timeout' })
    expect(v!.detail).toContain('50 ms')
  })
})
