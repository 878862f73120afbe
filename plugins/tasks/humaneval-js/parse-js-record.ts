import type { JsonlRecord } from '../shared/jsonl-dataset.js'
import type { Problem } from 'bonbench'
import type { CodePayload } from '../../verifiers/shared/code-payload.js'

/** The two HumanEval-JS flavours a file may hold. */
export type JsFormat = 'multiple-e' | 'humaneval-x'

/** A parsed record, or why it is not one. */
export type ParsedJsRecord = { ok: true; format: JsFormat; problem: Problem } | { ok: false; reason: string }

function str(value: Record<string, unknown>, key: string): string | undefined {
  return typeof value[key] === 'string' ? (value[key] as string) : undefined
}

/**
 * Parses one line of a HumanEval-JS file. MultiPL-E records (`name`/`task_id`, `prompt`,
 * `tests`, `stop_tokens`) become evaluation-only problems whose completion is cut at the stop
 * tokens; HumanEval-X records (`task_id`, `prompt`, `canonical_solution`, `test`, `declaration`)
 * carry the canonical solution as `expert` and as the calibration `reference`, and fail on any
 * stderr output (their tests use console.assert, which does not throw). Pure.
 */
export function parseJsRecord({ value }: JsonlRecord): ParsedJsRecord {
  const prompt = str(value, 'prompt')
  if (prompt === undefined) return { ok: false, reason: "missing string field 'prompt'" }
  if (typeof value.canonical_solution === 'string' && typeof value.declaration === 'string') {
    const id = str(value, 'task_id')
    const test = str(value, 'test')
    if (!id) return { ok: false, reason: "HumanEval-X record without a string 'task_id'" }
    if (test === undefined) return { ok: false, reason: "HumanEval-X record without a string 'test'" }
    const reference = value.canonical_solution
    const data: CodePayload = {
      language: 'javascript',
      format: 'humaneval-x',
      test,
      entryPoint: /const\s+([\w$]+)\s*=/.exec(value.declaration)?.[1],
      failOnStderr: true,
      reference,
    }
    return { ok: true, format: 'humaneval-x', problem: { id, prompt, expert: reference, data: { ...data } } }
  }
  const tests = str(value, 'tests') ?? str(value, 'test')
  const id = str(value, 'task_id') ?? str(value, 'name')
  if (tests !== undefined && id) {
    const stops = value.stop_tokens
    if (stops !== undefined && (!Array.isArray(stops) || !stops.every((s) => typeof s === 'string'))) {
      return { ok: false, reason: "'stop_tokens' must be an array of strings" }
    }
    const data: CodePayload = {
      language: 'javascript',
      format: 'multiple-e',
      test: tests,
      entryPoint: /function\s+([\w$]+)\s*\(/.exec(prompt)?.[1],
      stopTokens: (stops as string[] | undefined) ?? [],
    }
    return { ok: true, format: 'multiple-e', problem: { id, prompt, data: { ...data } } }
  }
  return {
    ok: false,
    reason:
      'neither a MultiPL-E record (task_id/name, prompt, tests, stop_tokens) nor a HumanEval-X record (task_id, prompt, canonical_solution, test, declaration)',
  }
}
