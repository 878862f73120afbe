import { CommanderError, type Command } from 'commander'
import { isBenchError } from '../core/errors.js'
import { hookThatThrew } from '../core/run/hooks-in-flight.js'
import { EXIT, exitCodeOf } from './exit-codes.js'
import { RunStoppedError } from './run-failures.js'
import { createProgram } from './program.js'

/** Where a command line's failure is written: the process's stderr in `bench`, a buffer in a test. */
export interface CommandLineOutput {
  /** Writes text as it is (each message ends with a newline). */
  writeErr(text: string): void
  /** Called with the program before it parses (a test routes commander's own output here). */
  configure?(program: Command): void
}

const toStderr: CommandLineOutput = { writeErr: (text) => void process.stderr.write(text) }

/**
 * Runs one `bench` command line (`argv` as process.argv: node, script, arguments) to its end and
 * returns the exit code its failure maps to (cli/exit-codes.ts), or undefined when the command
 * returned (its own `process.exitCode`, if it set one, stands). A BenchError is printed as
 * `bench: <message>`; an Error a plugin hook threw before the work began as `bench: <plugin>
 * <hook>() threw: <message>` (exit 2: a broken plugin); anything else as an unexpected error with
 * its stack; the parser's errors were printed by commander already.
 */
export async function runCommandLine(argv: string[], output: CommandLineOutput = toStderr): Promise<number | undefined> {
  const program = await createProgram(argv)
  output.configure?.(program)
  try {
    await program.parseAsync(argv)
    return undefined
  } catch (error) {
    if (error instanceof CommanderError || error instanceof RunStoppedError) return exitCodeOf(error)
    const thrower = hookThatThrew(error)
    if (isBenchError(error)) output.writeErr(`bench: ${error.message}\n`)
    else if (thrower !== undefined) {
      // A plugin hook failed before any work (a task's load(), a model's create()): a broken plugin, named.
      output.writeErr(`bench: ${thrower} threw: ${(error as Error).message}\nFix the plugin or its input, or report it to its author.\n`)
      return EXIT.usage
    } else
      output.writeErr(
        `bench: unexpected error (a bug in bonbench or a plugin; exit ${EXIT.internal}):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      )
    return exitCodeOf(error)
  }
}
