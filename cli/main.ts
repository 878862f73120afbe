import { Command, CommanderError } from 'commander'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isBenchError } from '../core/errors.js'
import { packageRoot } from '../core/package-root.js'
import { commands } from './commands/index.js'
import { EXIT, exitCodeOf } from './exit-codes.js'
import { RunStoppedError } from './run-failures.js'
import { helpConfiguration } from './option-vocabulary.js'
import { deliverStopSignal, type ExitMessage, isStopSignalMessage } from './stop-signals.js'

const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }

/**
 * Builds the `bench` program for `argv`: when its first word names a command, only that command
 * is registered (its module alone is imported: a fast start); otherwise (no command, --help,
 * `help <command>`, a typo) every command is, so the help and the "did you mean" hints are whole.
 */
export async function createProgram(argv: string[]): Promise<Command> {
  const program = new Command('bench')
    .description('bonbench: inference-aware fine-tuning and exact Best-of-N evaluation')
    .version(pkg.version, '-V, --version')
    .configureHelp(helpConfiguration)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text) })
    // Before the commands are added: each subcommand copies it, so its parse errors throw too.
    .exitOverride()
  // The program itself takes only -V/-h, so the first word that is not an option is the command.
  const named = argv.slice(2).find((arg) => !arg.startsWith('-'))
  const wanted = named !== undefined && Object.hasOwn(commands, named) ? [named] : Object.keys(commands)
  for (const register of await Promise.all(wanted.map((name) => commands[name]!()))) register(program)
  return program
}

async function main(argv: string[]): Promise<void> {
  const program = await createProgram(argv)
  try {
    await program.parseAsync(argv)
  } catch (error) {
    process.exitCode = exitCodeOf(error)
    if (error instanceof CommanderError || error instanceof RunStoppedError) return
    if (isBenchError(error)) process.stderr.write(`bench: ${error.message}\n`)
    else
      process.stderr.write(
        `bench: unexpected error (a bug in bonbench or a plugin; exit ${EXIT.internal}):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      )
  }
}

/**
 * How long the process may stay up after its command returned before it exits anyway. Everything
 * a command opens is closed by then; this bounds what is out of its hands (a sandboxed candidate
 * that isolated-vm cannot stop, see plugins/verifiers/js-sandbox/README.md), and says so.
 */
const EXIT_GRACE_MS = 5000

// Started by bin/bench.js with an IPC channel: exit when the parent goes away (even by SIGKILL),
// and take the signals it forwards as messages.
if (process.channel) {
  process.on('disconnect', () => process.exit(process.exitCode ?? 137))
  process.on('message', (message) => {
    if (isStopSignalMessage(message)) deliverStopSignal(message.signal)
  })
  process.channel.unref()
}

await main(process.argv)

setTimeout(() => {
  process.stderr.write(
    `bench: the command finished but something still held the process after ${EXIT_GRACE_MS / 1000} s (a sandboxed candidate that never stops?); exiting.\n`,
  )
  const code = Number(process.exitCode ?? 0)
  // A thread stuck inside isolated-vm can keep even process.exit() from returning: bin/bench.js
  // then ends this process and exits with `code` itself.
  if (process.connected) process.send?.({ type: 'bench:exit', code } satisfies ExitMessage)
  process.exit(code)
}, EXIT_GRACE_MS).unref()
