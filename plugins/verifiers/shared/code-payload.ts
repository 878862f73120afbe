import type { Problem } from 'bonbench'

/**
 * The payload a code task puts in `problem.data` for the code verifiers (`js-sandbox`,
 * `command`). The verifier builds one program per candidate:
 *
 *     program = prefix + cut(completion, stopTokens) + '\n' + test
 *
 * where `prefix` is `data.prefix` (default: the problem's prompt). `test` must call the tests
 * itself (e.g. `test();` or `check(candidate_fn)`): the program passes when it runs to the end
 * without an uncaught error, a failed assertion or (with `failOnStderr`) any stderr output.
 */
export interface CodePayload {
  /** 'javascript' or 'python' for the built-in runners; any name the `command` verifier maps to a command. */
  language: string
  /** The test code appended after the completion; it must invoke the tests. */
  test: string
  /** The code before the completion; default: `problem.prompt`. */
  prefix?: string
  /** The function under test (informational; tests already call it). */
  entryPoint?: string
  /** The completion is cut at the first of these (MultiPL-E `stop_tokens`). */
  stopTokens?: string[]
  /** Data-set flavour ('multiple-e', 'humaneval-x', 'humaneval'), recorded for reports. */
  format?: string
  /** Any stderr output fails the candidate (HumanEval-X, whose tests use console.assert). */
  failOnStderr?: boolean
  /** Per-problem time limit in ms (e.g. calibrated from the reference solution); overrides the verifier default. */
  timeoutMs?: number
  /** The reference solution as a completion of `prefix`, where the data set has one (calibration). */
  reference?: string
}

/** True when `data` looks like a CodePayload (language and test are strings). */
export function isCodePayload(data: unknown): data is CodePayload {
  if (data === null || typeof data !== 'object') return false
  const d = data as Record<string, unknown>
  return typeof d.language === 'string' && typeof d.test === 'string'
}

/** Cuts `completion` at the earliest stop token (MultiPL-E's post-processing). */
function cutAtStop(completion: string, stopTokens: readonly string[] | undefined): string {
  if (!stopTokens || stopTokens.length === 0) return completion
  let end = completion.length
  for (const stop of stopTokens) {
    if (stop === '') continue
    const at = completion.indexOf(stop)
    if (at >= 0 && at < end) end = at
  }
  return completion.slice(0, end)
}

/** One candidate's program in two parts (see buildProgramParts). */
export interface ProgramParts {
  /** The prefix and the cut completion. */
  candidate: string
  /** The tests. */
  test: string
}

/**
 * The two parts of one candidate's program: the candidate's code (prefix and cut completion) and
 * the tests, for a runner that keeps the tests out of the candidate's reach (runs them as code of
 * their own, after the candidate's). `candidate + test` is {@link buildProgram}'s text.
 */
export function buildProgramParts(problem: Problem, payload: CodePayload, completion: string): ProgramParts {
  const prefix = payload.prefix ?? problem.prompt
  return { candidate: `${prefix}${cutAtStop(completion, payload.stopTokens)}\n`, test: `${payload.test}\n` }
}

/** The program text of one candidate (see CodePayload); pure and deterministic. */
export function buildProgram(problem: Problem, payload: CodePayload, completion: string): string {
  const { candidate, test } = buildProgramParts(problem, payload, completion)
  return candidate + test
}

/** Caps captured output at `limit` characters, saying how much was dropped. */
export function capText(text: string, limit: number): string {
  if (text.length <= limit) return text
  return `${text.slice(0, limit)}… [${text.length - limit} more characters dropped]`
}
