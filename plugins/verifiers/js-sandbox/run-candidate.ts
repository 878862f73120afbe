import type ivm from 'isolated-vm'
import type { Verdict } from 'bonbench'
import { capText, type ProgramParts } from '../shared/code-payload.js'
import type { FreshContext } from './isolate-pool.js'

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

interface ThrownInfo {
  /** 'threw' (an uncaught exception) or 'rejected with' (the completion value's promise rejected). */
  how: string
  name: string
  message: string
  code: string
  /** The stack when it could be read safely, else `name: message` or a description of the value. */
  text: string
}

interface ShimReport {
  out: string
  err: string
  dropped: number
  consoleAssertFailures: number
  assertFailures: number
  firstFailure: string
  thrown: ThrownInfo | null
  /** The tests returned (and the promise they completed with fulfilled). */
  ran: boolean
}

/** The name stack frames and compile errors give both parts, as they gave the one-script program. */
const FILENAME = 'candidate.js'

/**
 * The tests' source as the shim evaluates it (shim/test-runner.ts): preceded by one newline per
 * line of the candidate's code, so that its lines keep the numbers they had in the one-script
 * program, and named candidate.js by a sourceURL comment.
 */
function testSource(parts: ProgramParts): string {
  // V8's line terminators: \r\n counts once.
  const lines = parts.candidate.match(/\r\n|[\n\r\u2028\u2029]/g)?.length ?? 0
  return `${'\n'.repeat(lines)}${parts.test}\n//# sourceURL=${FILENAME}\n`
}

function failed(reason: string, detail: string, limit: number): Verdict {
  return { score: 0, reward: 0, pass: false, reason, detail: capText(detail, limit) }
}

const passed: Verdict = Object.freeze({ score: 1, reward: 1, pass: true, reason: 'passed' }) as Verdict

/** Text of an error isolated-vm raised in the host (a limit, a disposal, or its own copy of a value). */
function errorText(error: unknown): string {
  if (error instanceof Error) return error.stack?.split('\n    at (<isolated-vm boundary>)')[0] ?? `${error.name}: ${error.message}`
  return typeof error === 'string' ? error : 'unknown error'
}

/**
 * Runs one candidate and its tests in `fresh`, a context of `isolate` no candidate has run in (the
 * pool makes it, see isolate-pool.ts), and classifies the outcome. The whole program (`candidate +
 * test`, as one script) must compile, else the verdict is 'syntax' with the compiler's message,
 * exactly as before the parts were split. Then the candidate's code runs as a script of its own,
 * and the tests after it, as strict code in a function scope of their own (shim/test-runner.ts),
 * so the candidate can neither replace nor reach them. The outcome:
 * 'syntax' (does not compile), 'timeout' (CPU/execution or wall-clock limit), 'memory' (heap
 * limit: V8 disposed the isolate; or a string/array past V8's maximum length), 'assertion' (an AssertionError escaped, or a console.assert
 * failed), 'runtime' (any other uncaught error or unhandled rejection, or stderr output under
 * `failOnStderr`; or tests that did not run to their end), else 'passed'. The candidate itself runs through isolated-vm's async API, so
 * the host event loop keeps turning while it spins. Never throws for anything the candidate does.
 *
 * Nothing the candidate makes reaches the host: the compiled program runs nested in the shim's
 * `run` (see shim/run-program.ts), inside an in-isolate try/catch, and the only value copied out is the
 * shim's report, a JSON string; thrown and rejected values are described by the shim under the time
 * limit. The script, the context and every Reference are released before this returns; an isolate
 * that breached a limit is reported unhealthy (the pool disposes it).
 */
export async function runCandidate(isolate: ivm.Isolate, fresh: FreshContext, parts: ProgramParts, limits: CandidateLimits): Promise<CandidateOutcome> {
  const { context, run } = fresh
  let script: ivm.Script | undefined
  let wallTimer: NodeJS.Timeout | undefined
  const cpuStart = isolate.cpuTime
  const cpuMs = () => (isolate.isDisposed ? 0 : Number(isolate.cpuTime - cpuStart) / 1e6)
  // Only the first line of a compile error: the rest of its stack is the host's own frames (its paths).
  const syntax = (error: unknown) => ({ verdict: failed('syntax', errorText(error).split('\n')[0]!, limits.detailLimit), healthy: true, cpuMs: cpuMs() })
  try {
    try {
      // The one-script program decides what compiles (a clash between the candidate's and the tests' declarations included).
      isolate.compileScriptSync(parts.candidate + parts.test, { filename: FILENAME }).release()
      script = isolate.compileScriptSync(parts.candidate, { filename: FILENAME })
    } catch (error) {
      return syntax(error)
    }
    const wall = new Promise<'wall'>((resolve) => {
      wallTimer = setTimeout(() => resolve('wall'), limits.wallTimeMs)
    })
    let reported: string | 'wall'
    const finished = run.apply(undefined, [script, context, testSource(parts)], { timeout: limits.timeoutMs, result: { promise: true, copy: true } })
    try {
      // The report is taken in a call of its own: isolated-vm runs the microtasks left at the end of
      // `run`'s call first, so a failure in a floating microtask is in it.
      const reporting = finished.then(() => run.apply(undefined, [], { timeout: limits.timeoutMs, result: { copy: true } }) as Promise<string>)
      reporting.catch(() => {})
      reported = await Promise.race([reporting, wall])
    } catch (error) {
      return { ...classifyHostError(error, isolate, limits), cpuMs: cpuMs() }
    }
    if (reported === 'wall') {
      // A promise that never settles (or a host starved of CPU): the isolate may still hold the
      // pending run, so it is disposed rather than reused.
      finished.catch(() => {})
      return {
        verdict: failed('timeout', `did not settle within the wall-clock limit of ${limits.wallTimeMs} ms`, limits.detailLimit),
        healthy: false,
        cpuMs: cpuMs(),
      }
    }
    const facts = parseReport(reported)
    if (facts === undefined)
      return {
        verdict: failed('runtime', 'the sandbox report was malformed (a candidate tampering with built-ins?)', limits.detailLimit),
        healthy: false,
        cpuMs: cpuMs(),
      }
    return { ...judgeReport(facts, limits), healthy: true, cpuMs: cpuMs() }
  } catch (error) {
    // The shim failed: only a limit breach (or a disposed isolate) gets here.
    return { ...classifyHostError(error, isolate, limits), cpuMs: cpuMs() }
  } finally {
    clearTimeout(wallTimer)
    run.release()
    if (!isolate.isDisposed) {
      script?.release()
      context.release()
    }
  }
}

const isString = (v: unknown): v is string => typeof v === 'string'
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0

/**
 * The shim's report, checked field by field: the shim captures what it calls before the candidate
 * runs, but a report is never trusted to have the right shape. Undefined when it does not.
 */
function parseReport(text: unknown): ShimReport | undefined {
  let r: Partial<Record<keyof ShimReport, unknown>>
  try {
    r = JSON.parse(String(text)) as typeof r
  } catch {
    return undefined
  }
  if (typeof r !== 'object' || r === null) return undefined
  if (!isString(r.out) || !isString(r.err) || !isString(r.firstFailure)) return undefined
  if (!isCount(r.dropped) || !isCount(r.consoleAssertFailures) || !isCount(r.assertFailures) || typeof r.ran !== 'boolean') return undefined
  const t = r.thrown as Partial<Record<keyof ThrownInfo, unknown>> | null | undefined
  if (t !== null && (typeof t !== 'object' || !isString(t.how) || !isString(t.name) || !isString(t.message) || !isString(t.code) || !isString(t.text)))
    return undefined
  return r as ShimReport
}

/** A limit breach or a disposal reported by isolated-vm, or an unhandled rejection it copied out. */
function classifyHostError(error: unknown, isolate: ivm.Isolate, limits: CandidateLimits): Omit<CandidateOutcome, 'cpuMs'> {
  // isolated-vm builds these errors in the host from strings it copied: plain host data.
  const message = error instanceof Error ? error.message : errorText(error)
  if (isolate.isDisposed || /memory limit/i.test(message)) {
    return { verdict: failed('memory', `exceeded the sandbox memory limit (${message})`, limits.detailLimit), healthy: false }
  }
  if (/Script execution timed out/.test(message)) {
    return { verdict: failed('timeout', `ran longer than the time limit of ${limits.timeoutMs} ms`, limits.detailLimit), healthy: false }
  }
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined
  const info = { name: error instanceof Error ? error.name : '', message, code: typeof code === 'string' ? code : '', text: errorText(error) }
  return { verdict: classifyThrown(info, limits), healthy: true }
}

/** The verdict of an uncaught error, from its plain-text description. */
function classifyThrown(info: Omit<ThrownInfo, 'how'>, limits: CandidateLimits): Verdict {
  info = {
    ...info,
    text: info.text
      .split('\n')
      .filter((line) => !line.includes('(bonbench-shim.js:'))
      // The tests' top level runs in an eval (shim/test-runner.ts), whose frame V8 names `eval`;
      // the one-script program's top-level frame had no name.
      .map((line) => line.replace(/^(\s+at )eval \((candidate\.js:\d+:\d+)\)$/, '$1$2'))
      .join('\n'),
  }
  // V8's own size caps (a string or array past its maximum length) are allocation failures too.
  if (info.name === 'RangeError' && /Invalid (?:string|array|typed array) length|allocation failed/i.test(info.message))
    return failed('memory', info.text, limits.detailLimit)
  if (info.name === 'AssertionError' || info.code === 'ERR_ASSERTION') return failed('assertion', info.text, limits.detailLimit)
  return failed('runtime', info.text, limits.detailLimit)
}

function judgeReport(facts: ShimReport, limits: CandidateLimits): Omit<CandidateOutcome, 'cpuMs' | 'healthy'> {
  if (facts.thrown !== null) return { verdict: classifyThrown(facts.thrown, limits) }
  const stderr = facts.err + (facts.dropped > 0 ? `… [${facts.dropped} more characters of output dropped]` : '')
  if (facts.consoleAssertFailures > 0) {
    return {
      verdict: failed('assertion', `${facts.consoleAssertFailures} console.assert failure(s); first: ${facts.firstFailure}\n${stderr}`, limits.detailLimit),
    }
  }
  if (limits.failOnStderr && facts.err.length > 0) {
    return { verdict: failed('runtime', `wrote to stderr:\n${stderr}`, limits.detailLimit) }
  }
  // Nothing failed, but the tests must also have run to their end (the shim sets it only then).
  if (!facts.ran) return { verdict: failed('runtime', 'the tests did not run to their end', limits.detailLimit) }
  return { verdict: passed }
}
