import { EXIT } from './exit-codes.js'
import { installProcessGuards } from './process-guards.js'
import { runCommandLine } from './run-command-line.js'
import { onCommandStall } from './stall-watch.js'
import { deliverStopSignal, type ExitMessage, isStopSignalMessage } from './stop-signals.js'

/**
 * How long the process may stay up after its command returned before it exits anyway. Everything
 * a command opens is closed by then; this bounds what is out of its hands (a sandboxed candidate
 * that isolated-vm cannot stop, see plugins/verifiers/js-sandbox/README.md), and says so.
 * TEST-ONLY: `BENCH_TEST_EXIT_GRACE_MS=n` (a positive integer) makes it n ms, as it does bin/bench.js's
 * wait after this process's exit message, so a test of a CLI that cannot exit need not spin out the
 * full graces.
 */
const EXIT_GRACE_MS = Number(/^[1-9]\d*$/.exec(process.env.BENCH_TEST_EXIT_GRACE_MS ?? '')?.[0] ?? 5000)

// Started by bin/bench.js with an IPC channel: exit when the parent goes away (even by SIGKILL),
// and take the signals it forwards as messages. A parent that died while this process was still
// loading its modules closed the channel before anyone listened: the channel is gone already, and
// BONBENCH_IPC_PARENT (set by bin/bench.js, removed here so that no process this one starts
// inherits it) says there was one: exit as a disconnect would have.
const startedWithChannel = process.env.BONBENCH_IPC_PARENT !== undefined
delete process.env.BONBENCH_IPC_PARENT
if (process.channel && process.connected) {
  process.on('disconnect', () => process.exit(process.exitCode ?? 137))
  process.on('message', (message) => {
    if (isStopSignalMessage(message)) deliverStopSignal(message.signal)
  })
  process.channel.unref()
} else if (startedWithChannel) process.exit(137)

installProcessGuards()

// A command whose work can never settle (a plugin hook that never resolves or rejects) exits 70
// with a message, not Node's silent 13; `bench run` and `bench eval` stop the run themselves.
const offStall = onCommandStall(EXIT.internal)
const failed = await runCommandLine(process.argv)
offStall()
if (failed !== undefined) process.exitCode = failed

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
