import { CommanderError } from 'commander'
import { isBenchError } from '../core/errors.js'
import { EXIT, exitCodeOf } from './exit-codes.js'
import { RunStoppedError } from './run-failures.js'
import { createProgram } from './program.js'
import { deliverStopSignal, type ExitMessage, isStopSignalMessage } from './stop-signals.js'

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
