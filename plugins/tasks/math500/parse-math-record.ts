import type { Problem } from 'bonbench'
import { lastBoxed } from '../../verifiers/math-answer/extract-answer.js'
import type { JsonlRecord } from '../shared/jsonl-dataset.js'

/** A MATH record turned into a problem, or the reason it cannot be. */
export type ParsedMathRecord = { ok: true; problem: Omit<Problem, 'prompt'> & { text: string } } | { ok: false; reason: string }

function parseLevel(level: unknown): number | undefined {
  if (typeof level === 'number' && Number.isInteger(level)) return level
  const m = typeof level === 'string' ? /(\d+)/.exec(level) : null
  return m ? Number(m[1]) : undefined
}

/**
 * Reads one MATH-style record, detecting the format: MATH500 (`problem`, `solution`, `answer`,
 * `level` 1–5, `unique_id`) or the full Hendrycks test set (`problem`, `solution` with a final
 * `\boxed{}`, `level` "Level 3", `type`, `idx`), where the answer is the last boxed expression.
 */
export function parseMathRecord({ line, value }: JsonlRecord): ParsedMathRecord {
  const { problem, solution, answer } = value
  if (typeof problem !== 'string' || problem.trim() === '') return { ok: false, reason: "no 'problem' text" }
  if (solution !== undefined && typeof solution !== 'string') return { ok: false, reason: "'solution' is not a string" }
  let reference: string | undefined
  if (typeof answer === 'string' && answer.trim() !== '') reference = answer
  else if (answer !== undefined) return { ok: false, reason: "'answer' is not a non-empty string" }
  else if (typeof solution === 'string') reference = lastBoxed(solution)
  if (reference === undefined) return { ok: false, reason: "no 'answer' field and no \\boxed{} answer in 'solution'" }
  const id = typeof value.unique_id === 'string' ? value.unique_id : typeof value.idx === 'number' ? `math-${value.idx}` : `line-${line}`
  const subject = typeof value.subject === 'string' ? value.subject : typeof value.type === 'string' ? value.type : undefined
  return {
    ok: true,
    problem: {
      id,
      text: problem,
      answer: reference.trim(),
      ...(typeof solution === 'string' ? { expert: ` ${solution}` } : {}),
      ...(parseLevel(value.level) !== undefined ? { level: parseLevel(value.level) } : {}),
      data: { ...(subject ? { subject } : {}), line },
    },
  }
}
