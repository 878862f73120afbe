import type ivm from 'isolated-vm'
import type { Verdict } from '../../../core/plugin-api/verifier.js'
import { capText } from '../shared/code-payload.js'
import type { IsolateSlot } from './isolate-pool.js'

/** Limits of one candidate run. */
export interface CandidateLimits {
  /** Time the candidate may execute (its synchronous run plus microtasks), in ms. */
  timeoutMs: number
  /** Wall-clock time from start to settled, waiting on promises included, in ms. */
  wallTimeMs: number
  /** Any stderr output fails the candidate (HumanEval-X). */
  failOnStderr: boolean
  /** Cap of the verdict's `detail`, in characters. */
  detailLimit: number
}

/** A verdict plus what the pool and the calibration need to know. */
export interface CandidateOutcome {
  verdict: Verdict
  /** False when the isolate breached a limit and must be disposed. */
  healthy: boolean
  /** CPU time the isolate spent on the candidate, in ms. */
  cpuMs: number
}

interface ShimReport {
  out: string
  err: string
  dropped: number
  consoleAssertFailures: number
  assertFailures: number
  firstFailure: string
}

function failed(reason: string, detail: string, limit: number): Verdict {
  return { score: 0, reward: 0, pass: false, reason, detail: capText(detail, limit) }
}

const passed: Verdict = Object.freeze({ score: 1, reward: 1, pass: true, reason: 'passed' }) as Verdict

function errorText(error: unknown): string {
  if (error instanceof Error) return error.stack?.split('\n    at (<isolated-vm boundary>)')[0] ?? `${error.name}: ${error.message}`
  return String(error)
}

/**
 * Runs one program in a fresh context of `slot`'s isolate and classifies the outcome:
 * 'syntax' (does not compile), 'timeout' (CPU/execution or wall-clock limit), 'memory' (heap
 * limit: V8 disposed the isolate; or a string/array past V8's maximum length), 'assertion' (an AssertionError escaped, or a console.assert
 * failed), 'runtime' (any other uncaught error or unhandled rejection, or stderr output under
 * `failOnStderr`), else 'passed'. The candidate itself runs through isolated-vm's async API, so
 * the host event loop keeps turning while it spins. Never throws for anything the candidate does.
 */
export async function runCandidate(slot: IsolateSlot, program: string, limits: CandidateLimits): Promise<CandidateOutcome> {
  const { isolate } = slot
  let context: ivm.Context | undefined
  let report: ivm.Reference<() => ShimReport> | undefined
  let wallTimer: NodeJS.Timeout | undefined
  const cpuStart = isolate.cpuTime
  const cpuMs = () => (isolate.isDisposed ? 0 : Number(isolate.cpuTime - cpuStart) / 1e6)
  try {
    context = isolate.createContextSync()
    report = slot.shim.runSync(context, { reference: true }) as ivm.Reference<() => ShimReport>
    let script: ivm.Script
    try {
      script = isolate.compileScriptSync(program, { filename: 'candidate.js' })
    } catch (error) {
      return { verdict: failed('syntax', errorText(error), limits.detailLimit), healthy: true, cpuMs: cpuMs() }
    }
    const run = script.run(context, { timeout: limits.timeoutMs, promise: true, reference: true })
    const wall = new Promise<'wall'>((resolve) => {
      wallTimer = setTimeout(() => resolve('wall'), limits.wallTimeMs)
    })
    let outcome: unknown
    try {
      outcome = await Promise.race([run, wall])
    } catch (error) {
      return { ...classifyThrown(error, isolate, limits), cpuMs: cpuMs() }
    }
    if (outcome === 'wall') {
      // A promise that never settles (or a host starved of CPU): the isolate may still hold the
      // pending run, so it is disposed rather than reused.
      run.catch(() => {})
      return { verdict: failed('timeout', `did not settle within the wall-clock limit of ${limits.wallTimeMs} ms`, limits.detailLimit), healthy: false, cpuMs: cpuMs() }
    }
    ;(outcome as ivm.Reference | undefined)?.release()
    const facts = report.applySync(undefined, [], { result: { copy: true }, timeout: 1000 }) as ShimReport
    return { ...judgeReport(facts, limits), healthy: true, cpuMs: cpuMs() }
  } catch (error) {
    // The shim or the report failed: only a limit breach (or a disposed isolate) gets here.
    return { ...classifyThrown(error, isolate, limits), cpuMs: cpuMs() }
  } finally {
    clearTimeout(wallTimer)
    report?.release()
    if (!isolate.isDisposed) context?.release()
  }
}

function classifyThrown(error: unknown, isolate: ivm.Isolate, limits: CandidateLimits): Omit<CandidateOutcome, 'cpuMs'> {
  const text = errorText(error)
  const message = error instanceof Error ? error.message : String(error)
  if (isolate.isDisposed || /memory limit/i.test(message)) {
    return { verdict: failed('memory', `exceeded the sandbox memory limit (${message})`, limits.detailLimit), healthy: false }
  }
  if (/Script execution timed out/.test(message)) {
    return { verdict: failed('timeout', `ran longer than the time limit of ${limits.timeoutMs} ms`, limits.detailLimit), healthy: false }
  }
  const name = error instanceof Error ? error.name : ''
  // V8's own size caps (a string or array past its maximum length) are allocation failures too.
  if (name === 'RangeError' && /Invalid (?:string|array|typed array) length|allocation failed/i.test(message)) {
    return { verdict: failed('memory', text, limits.detailLimit), healthy: true }
  }
  const code = (error as { code?: unknown } | null)?.code
  if (name === 'AssertionError' || code === 'ERR_ASSERTION') return { verdict: failed('assertion', text, limits.detailLimit), healthy: true }
  return { verdict: failed('runtime', text, limits.detailLimit), healthy: true }
}

function judgeReport(facts: ShimReport, limits: CandidateLimits): Omit<CandidateOutcome, 'cpuMs' | 'healthy'> {
  const stderr = facts.err + (facts.dropped > 0 ? `… [${facts.dropped} more characters of output dropped]` : '')
  if (facts.consoleAssertFailures > 0) {
    return { verdict: failed('assertion', `${facts.consoleAssertFailures} console.assert failure(s); first: ${facts.firstFailure}\n${stderr}`, limits.detailLimit) }
  }
  if (limits.failOnStderr && facts.err.length > 0) {
    return { verdict: failed('runtime', `wrote to stderr:\n${stderr}`, limits.detailLimit) }
  }
  return { verdict: passed }
}
