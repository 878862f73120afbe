#!/usr/bin/env node
// The `bench` executable. It re-runs Node with --no-node-snapshot (isolated-vm needs it on
// Node >= 20) on the compiled CLI, or in a checkout without a fresh build on the TypeScript
// sources (bin/cli-entry.js decides).
// An IPC channel ties the child to this process: if this one dies (even by SIGKILL), the child
// sees the channel close and exits, so no orphan keeps writing a run's journal.
// node:child_process, not execa: this process starts on every `bench` command, so it stays small.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { constants as osConstants } from 'node:os'
import { cliNodeArgs } from './cli-entry.js'

const nodeArgs = cliNodeArgs()
// The child handles SIGINT/SIGTERM itself (clean stop, journal kept); they are forwarded below.
// BONBENCH_IPC_PARENT tells the child it was started with the channel: if this process dies while
// the child is still loading, before it listens for the channel's end, the child finds the channel
// gone when it looks and exits (cli/main.ts), instead of running on as an orphan.
// On Linux, util-linux's setpriv (in every Debian and most distributions) also asks the kernel to
// SIGKILL the CLI when this process dies: the channel's end needs the CLI's event loop, which a
// plugin hook in a synchronous loop blocks. setpriv then execs Node, so the CLI keeps its pid.
const setpriv = process.platform === 'linux' ? ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path)) : undefined
const [command, args] = setpriv
  ? [setpriv, ['--pdeathsig', 'KILL', '--', process.execPath, ...nodeArgs, ...process.argv.slice(2)]]
  : [process.execPath, [...nodeArgs, ...process.argv.slice(2)]]
const child = spawn(command, args, {
  stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  env: { ...process.env, BONBENCH_IPC_PARENT: String(process.pid) },
})
// Each SIGINT/SIGTERM this process gets goes to the CLI as one message (cli/stop-signals.ts):
// a terminal's Ctrl-C reaches both processes, and the CLI counts only this copy, so a second
// Ctrl-C is a second signal (exit at once), never the first one seen twice.
// A child that a forwarded stop signal ends by that signal (the signal came as a real one after
// its IPC channel closed, or as a message after its run's handler was gone, so it raised it on
// itself) ends this command with 128 + the signal's number (130 for SIGINT), as a stopped run
// exits, never by the signal: a second Ctrl-C racing the end of a clean stop exits 130 either way.
// A second stop signal exits at once. A CLI that cannot take it — a plugin hook in a synchronous
// loop blocks its event loop, so no handler of its own runs — is ended after a short grace, and
// this process prints how to resume the run (the CLI sent the lines when the run started).
/** TEST-ONLY: the positive integer (milliseconds) the environment variable `name` holds, else `fallback`. */
const testMs = (name, fallback) => Number(/^[1-9]\d*$/.exec(process.env[name] ?? '')?.[0] ?? fallback)
// TEST-ONLY: BENCH_TEST_STUCK_GRACE_MS=n makes this grace n ms, so a test of a stuck CLI need not
// let it spin a core for the full 2 s.
const STUCK_GRACE_MS = testMs('BENCH_TEST_STUCK_GRACE_MS', 2000)
// The live UI (ink) hides the terminal's cursor while it draws and shows it again when it
// unmounts; a CLI this process ends (SIGKILL), or one a signal ends, never does: show it here.
let cursorShown = false
function showCursor() {
  if (cursorShown) return
  cursorShown = true
  const tty = process.stdout.isTTY ? process.stdout : process.stderr.isTTY ? process.stderr : undefined
  tty?.write('\x1b[?25h')
}
const forwarded = new Set()
let stops = 0
let endedStuck
let resumeLines = []
const forwarders = ['SIGINT', 'SIGTERM'].map((signal) => {
  const forward = () => {
    forwarded.add(signal)
    stops++
    if (!child.connected) child.kill(signal)
    else child.send({ type: 'bench:signal', signal }, (error) => error && child.kill(signal))
    if (stops === 2) {
      setTimeout(() => {
        if (child.exitCode !== null || child.signalCode !== null) return
        endedStuck = signal
        showCursor()
        process.stderr.write(
          [
            `bench: the command did not stop within ${STUCK_GRACE_MS / 1000} s of a second ${signal}: something blocks it (a plugin hook in a synchronous loop?); ending it.`,
            ...resumeLines,
          ].join('\n') + '\n',
        )
        child.kill('SIGKILL')
      }, STUCK_GRACE_MS).unref()
    }
  }
  process.on(signal, forward)
  return [signal, forward]
})
// The CLI says its command finished but it cannot exit (a thread stuck in isolated-vm can block
// even process.exit): end it after a short grace and exit with the code it reported.
// TEST-ONLY: BENCH_TEST_EXIT_GRACE_MS=n (a positive integer) makes this grace n ms (cli/main.ts).
const EXIT_KILL_GRACE_MS = testMs('BENCH_TEST_EXIT_GRACE_MS', 2000)
let reportedExit
child.on('message', (message) => {
  if (message?.type === 'bench:resume-hint' && Array.isArray(message.lines)) resumeLines = message.lines.map(String)
  if (message?.type !== 'bench:exit' || reportedExit !== undefined) return
  reportedExit = Number(message.code) || 0
  setTimeout(() => child.kill('SIGKILL'), EXIT_KILL_GRACE_MS).unref()
})
const [exitCode, exitSignal] = await once(child, 'exit')
for (const [signal, forward] of forwarders) process.off(signal, forward)
if (exitSignal) showCursor()
if (reportedExit !== undefined) process.exit(reportedExit)
if (endedStuck) process.exit(128 + osConstants.signals[endedStuck])
if (exitSignal && forwarded.has(exitSignal)) process.exit(128 + osConstants.signals[exitSignal])
if (exitSignal) process.kill(process.pid, exitSignal)
else process.exit(exitCode ?? 1)
