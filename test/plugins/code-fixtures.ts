import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Problem } from '../../core/plugin-api/task.js'
import type { CodePayload } from '../../plugins/verifiers/shared/code-payload.js'

/** The shared data folder beside the repository (never copied into it). */
export const sharedData = path.resolve(fileURLToPath(new URL('../..', import.meta.url)), '../shared/data')
export const humanevalXFile = path.join(sharedData, 'humaneval_js/humaneval_js.humaneval-x.jsonl.gz')
export const multipleEFile = path.join(sharedData, 'humaneval_js/humaneval-js.multiple-e.jsonl')
export const humanevalPyFile = path.join(sharedData, 'humaneval/HumanEval.jsonl.gz')

/** A code problem built in the test: `prompt` + completion + `test`. */
export function codeProblem(id: string, prompt: string, payload: CodePayload): Problem {
  return { id, prompt, data: { ...payload } }
}

/**
 * `add(a, b)` with an async MultiPL-E-style test (require('node:assert'), awaited result), so a
 * never-settling promise and async failures are exercised too. CORRECT_ADD passes it.
 */
export const addProblem = codeProblem('add', 'function add(a, b){\n', {
  language: 'javascript',
  test: "const assert = require('node:assert')\nasync function test() {\n  assert.deepEqual(await add(1, 2), 3)\n  assert.deepEqual(await add(-1, 1), 0)\n  assert.strictEqual(await add(20, 22), 42)\n}\ntest()",
})
export const CORRECT_ADD = '  return a + b\n}\n'
export const mbppFile = path.join(sharedData, 'mbpp/mbpp.jsonl')
