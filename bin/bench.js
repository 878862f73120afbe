#!/usr/bin/env node
// The `bench` executable. It re-runs Node with --no-node-snapshot (isolated-vm needs it on
// Node >= 20) and the tsx loader, so the TypeScript sources run as they are, without a build.
// An IPC channel ties the child to this process: if this one dies (even by SIGKILL), the child
// sees the channel close and exits, so no orphan keeps writing a run's journal.
import { execa } from 'execa'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const cli = fileURLToPath(new URL('../cli/main.ts', import.meta.url))
const tsx = require.resolve('tsx')
const child = execa(process.execPath, ['--no-node-snapshot', '--import', tsx, cli, ...process.argv.slice(2)], {
  stdio: 'inherit',
  ipc: true,
  reject: false,
  // The child handles SIGINT/SIGTERM itself (clean stop, journal kept); they are forwarded below.
  forceKillAfterDelay: false,
})
// Each SIGINT/SIGTERM this process gets goes to the CLI as one message (cli/stop-signals.ts):
// a terminal's Ctrl-C reaches both processes, and the CLI counts only this copy, so a second
// Ctrl-C is a second signal (exit at once), never the first one seen twice.
const forwarders = ['SIGINT', 'SIGTERM'].map((signal) => {
  const forward = () => {
    child.sendMessage({ type: 'bench:signal', signal }).catch(() => child.kill(signal))
  }
  process.on(signal, forward)
  return [signal, forward]
})
// The CLI says its command finished but it cannot exit (a thread stuck in isolated-vm can block
// even process.exit): end it after a short grace and exit with the code it reported.
let reportedExit
child.on('message', (message) => {
  if (message?.type !== 'bench:exit' || reportedExit !== undefined) return
  reportedExit = Number(message.code) || 0
  setTimeout(() => child.kill('SIGKILL'), 2000).unref()
})
const result = await child
for (const [signal, forward] of forwarders) process.off(signal, forward)
if (reportedExit !== undefined) process.exit(reportedExit)
if (result.signal) process.kill(process.pid, result.signal)
else process.exit(result.exitCode ?? 1)
