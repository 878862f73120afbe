import type { TaskData, TaskPlugin } from '../plugin-api/task.js'
import { unknownProblemFields } from '../plugin-api/problem-fields.js'
import { describeValue, pluginContractError } from './contract-error.js'

/**
 * Checks a task's `load()` answer right where the core receives it: `train` and `test` arrays of
 * problems, each an object with a non-empty string `id` (unique within its split: the journal is
 * keyed by it), a string `prompt`, and `answer`/`expert` strings, `level` a number and `data` an
 * object when given, and no other field (a misspelled `expert` would go unnoticed); `corpus` a string and `files` an array when given. Throws
 * BENCH_PLUGIN_CONTRACT naming the task, what was expected and what came back; returns the data.
 */
export function checkTaskData(task: TaskPlugin, out: unknown): TaskData {
  const breach = (expected: string, got: string) => pluginContractError({ plugin: task.name, kind: 'task', call: 'load()', expected, got })
  if (out === null || typeof out !== 'object') throw breach('an object { train, test, … }', describeValue(out))
  const data = out as Record<string, unknown>
  for (const split of ['train', 'test'] as const) {
    const problems = data[split]
    if (!Array.isArray(problems)) throw breach(`${split} to be an array of problems`, describeValue(problems))
    const ids = new Set<string>()
    problems.forEach((p: unknown, i) => {
      const where = `${split}[${i}]`
      if (p === null || typeof p !== 'object') throw breach(`${where} to be a problem { id, prompt, … }`, describeValue(p))
      const problem = p as Record<string, unknown>
      if (typeof problem.id !== 'string' || problem.id === '') throw breach(`${where} to have a non-empty string id`, describeValue(problem.id))
      if (ids.has(problem.id))
        throw breach(`unique problem ids within ${split} (journal records are keyed by them)`, `id '${problem.id}' twice (again at ${where})`)
      ids.add(problem.id)
      if (typeof problem.prompt !== 'string') throw breach(`${where} ('${problem.id}') to have a string prompt`, describeValue(problem.prompt))
      for (const field of ['answer', 'expert'] as const) {
        if (problem[field] !== undefined && typeof problem[field] !== 'string')
          throw breach(`${where} ('${problem.id}') to have a string ${field} or none`, describeValue(problem[field]))
      }
      if (problem.level !== undefined && (typeof problem.level !== 'number' || !Number.isFinite(problem.level)))
        throw breach(`${where} ('${problem.id}') to have a number level or none`, describeValue(problem.level))
      if (problem.data !== undefined && (problem.data === null || typeof problem.data !== 'object'))
        throw breach(`${where} ('${problem.id}') to have an object data or none`, describeValue(problem.data))
      const unknown = unknownProblemFields(problem)
      if (unknown.length > 0)
        throw breach(`${where} ('${problem.id}') to hold only problem fields`, unknown.map((u) => `field '${u.field}': ${u.hint}`).join('; '))
    })
  }
  if (data.corpus !== undefined && typeof data.corpus !== 'string') throw breach('corpus to be a string or absent', describeValue(data.corpus))
  if (data.files !== undefined && !Array.isArray(data.files)) throw breach('files to be an array of { path, sha256 } or absent', describeValue(data.files))
  return data as unknown as TaskData
}
