import { CommanderError, type Command } from 'commander'
import { createProgram } from '../../cli/program.js'
import { exitCodeOf } from '../../cli/exit-codes.js'
import { runCommandLine } from '../../cli/run-command-line.js'
import { withStreamWrites } from '../helpers/quiet-stdout.js'
import type { BenchResult } from './cli-helper.js'

const HELP_OR_VERSION = new Set(['--help', '-h', '--version', '-V'])

/**
 * What `bench <args>` prints and returns for a help or version request, rendered in this process by
 * the program the executable builds for the same arguments (createProgram) and its exit-code rule
 * (exitCodeOf): no Node start per command. A command's --help does nothing else, so this is its
 * whole behaviour; e2e tests still start the real executable for a few of them.
 */
export async function benchHelp(args: string[]): Promise<BenchResult> {
  if (!args.some((arg) => HELP_OR_VERSION.has(arg))) throw new Error(`benchHelp renders help and version only, not ${args.join(' ')}`)
  const argv = [process.execPath, 'bench', ...args]
  const program = await createProgram(argv)
  let stdout = ''
  let stderr = ''
  const output = {
    writeOut: (text: string) => void (stdout += text),
    writeErr: (text: string) => void (stderr += text),
    outputError: (text: string, write: (text: string) => void) => write(text),
    // As the executable's output into a pipe: no colours, commander's default width (80).
    getOutHasColors: () => false,
    getErrHasColors: () => false,
    getOutHelpWidth: () => 80,
    getErrHelpWidth: () => 80,
  }
  const configure = (command: Command): void => {
    command.configureOutput(output)
    command.commands.forEach(configure)
  }
  configure(program)
  let exitCode = 0
  try {
    await program.parseAsync(argv)
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error
    exitCode = exitCodeOf(error)
  }
  return { exitCode, stdout, stderr, timedOut: false }
}

/**
 * What `bench <args>` run in `cwd` prints to stderr and returns when it stops at a flag or config
 * check, run in this process by the executable's own command-line runner (runCommandLine: the
 * program for these arguments, its parser's messages and the `bench: <message>` of a BenchError,
 * the exit-code rule): no Node start per case. Only for command lines that fail before they do
 * any work: it fails when the command returns normally. e2e tests still start the real executable
 * for such errors (e2e/exit-codes, and a few rows of e2e/flags-cli).
 */
export async function benchUsageError(args: string[], cwd: string): Promise<Pick<BenchResult, 'exitCode' | 'stderr'>> {
  let stderr = ''
  const writeErr = (text: string) => void (stderr += text)
  const configure = (command: Command): void => {
    command.configureOutput({ writeOut: writeErr, writeErr, outputError: (text, write) => write(text), getErrHasColors: () => false })
    command.commands.forEach(configure)
  }
  const here = process.cwd()
  const exitCodeBefore = process.exitCode
  process.chdir(cwd)
  try {
    const exitCode = await runCommandLine([process.execPath, 'bench', ...args], { writeErr, configure })
    if (exitCode === undefined) throw new Error(`bench ${args.join(' ')} did not fail: benchUsageError runs failing command lines only`)
    return { exitCode, stderr }
  } finally {
    process.chdir(here)
    process.exitCode = exitCodeBefore
  }
}

let capturing = false

/**
 * What `bench <args>` run in `cwd` prints and returns, run in this process by the executable's own
 * command-line runner (runCommandLine, what cli/main.ts runs) with the environment bench() gives a
 * child (CI=true, NO_COLOR=1, and `env`), its stdout and stderr captured: no Node start and no
 * re-import of the CLI per command (each costs the suite most of a CPU second). For commands whose
 * test is not about the process — a dry run, `merge`, `report`, `queue status`, a run's usage
 * error. The e2e files share a worker process (vitest.config.ts: isolate: false), so what a
 * command changes in the process — the working folder, the environment, the exit code, stdout and
 * stderr — is restored here when it returns. What a process boundary decides (a shard or a queue worker per machine,
 * a signal, a kill, an installed package's own `bench`) still starts the real executable through
 * bench(). One at a time: its capture is the process's.
 */
export async function benchInProcess(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<BenchResult> {
  if (capturing) throw new Error('benchInProcess runs one command at a time')
  capturing = true
  let stdout = ''
  let stderr = ''
  const capture =
    (append: (text: string) => void) =>
    (chunk: string | Uint8Array, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void): boolean => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8'))
      const done = typeof encoding === 'function' ? encoding : callback
      if (done) queueMicrotask(() => done(null))
      return true
    }
  const writeOut = capture((text) => void (stdout += text))
  const writeErr = capture((text) => void (stderr += text))
  const configure = (command: Command): void => {
    command.configureOutput({
      writeOut: (text) => void writeOut(text),
      writeErr: (text) => void writeErr(text),
      outputError: (text, write) => write(text),
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    command.commands.forEach(configure)
  }
  const env = { CI: 'true', NO_COLOR: '1', ...opts.env }
  const envBefore = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]))
  const here = process.cwd()
  const exitCodeBefore = process.exitCode
  process.exitCode = undefined
  Object.assign(process.env, env)
  process.chdir(opts.cwd)
  try {
    const failed = await withStreamWrites({ stdout: writeOut as typeof process.stdout.write, stderr: writeErr as typeof process.stderr.write }, () =>
      runCommandLine([process.execPath, 'bench', ...args], { writeErr: (text) => void writeErr(text), configure }),
    )
    return { exitCode: failed ?? Number(process.exitCode ?? 0), stdout, stderr, timedOut: false }
  } finally {
    process.chdir(here)
    process.exitCode = exitCodeBefore
    for (const [key, value] of Object.entries(envBefore)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
    capturing = false
  }
}
