import type { Verdict } from 'bonbench'
import { capText } from '../shared/code-payload.js'
import type { RunResult } from './run-command.js'

/** The name of the last uncaught exception a Python or Node program printed (an unindented `XxxError…` line). */
export function lastErrorName(stderr: string): string | undefined {
  let name: string | undefined
  for (const m of stderr.matchAll(/^(?:Uncaught )?([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt))\b/gm)) name = m[1]
  return name
}

const memoryPatterns = [/\bMemoryError\b/, /JavaScript heap out of memory/, /Cannot allocate memory/, /std::bad_alloc/, /Allocation failed/]

/**
 * Turns a finished run into a verdict: 'timeout' (killed by the timer), 'runtime' when the program
 * killed its parent (the runner's wrapper shell, `runnerKilled`), 'memory' (MemoryError,
 * out-of-heap, or a SIGKILL/SIGSEGV/SIGABRT nobody asked for — what hitting an address-space limit
 * looks like), 'syntax' (SyntaxError/IndentationError/TabError as the final exception), 'assertion'
 * (AssertionError), 'runtime' (any other non-zero exit, or stderr output under `failOnStderr`,
 * where an "Assertion failed" line counts as 'assertion'), else 'passed'. Pure.
 */
export function classifyRun(run: RunResult, failOnStderr: boolean, detailLimit: number): Verdict {
  const tail = run.stderr + (run.dropped > 0 ? `… [${run.dropped} more bytes of output dropped]` : '')
  const fail = (reason: string, detail: string): Verdict => ({ score: 0, reward: 0, pass: false, reason, detail: capText(detail, detailLimit) })
  if (run.timedOut) return fail('timeout', `killed after the time limit (${Math.round(run.wallMs)} ms)\n${tail}`)
  if (run.runnerKilled)
    return fail('runtime', `the program's parent process (the runner) was killed by ${run.runnerKilled}: did the program signal its parent?\n${tail}`)
  if (run.exitCode === 0 && !run.signal) {
    if (!failOnStderr || run.stderr.length === 0) return { score: 1, reward: 1, pass: true, reason: 'passed' }
    return fail(/Assertion failed/.test(run.stderr) ? 'assertion' : 'runtime', `wrote to stderr:\n${tail}`)
  }
  if (memoryPatterns.some((re) => re.test(run.stderr))) return fail('memory', tail)
  const error = lastErrorName(run.stderr)
  if (!error && run.signal && ['SIGKILL', 'SIGSEGV', 'SIGABRT', 'SIGBUS'].includes(run.signal))
    return fail('memory', `killed by ${run.signal} (likely the memory limit)\n${tail}`)
  if (error === 'SyntaxError' || error === 'IndentationError' || error === 'TabError') return fail('syntax', tail)
  if (error === 'AssertionError') return fail('assertion', tail)
  return fail('runtime', `exit ${run.exitCode ?? run.signal}\n${tail}`)
}
