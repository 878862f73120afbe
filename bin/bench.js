#!/usr/bin/env node
// The `bench` executable. It re-runs Node with --no-node-snapshot (isolated-vm needs it on
// Node >= 20) and the tsx loader, so the TypeScript sources run as they are, without a build.
// An IPC channel ties the child to this process: if this one dies (even by SIGKILL), the child
// sees the channel close and exits, so no orphan keeps writing a run's journal.
import { execa } from 'execa'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const cli = fileURLToPath(new URL('../core/cli/main.ts', import.meta.url))
const tsx = require.resolve('tsx')
const child = execa(process.execPath, ['--no-node-snapshot', '--import', tsx, cli, ...process.argv.slice(2)], {
  stdio: 'inherit',
  ipc: true,
  reject: false,
  // The child handles SIGINT itself (clean stop, journal kept); forward what the terminal sends.
  forceKillAfterDelay: false,
})
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal))
}
const result = await child
if (result.signal) process.kill(process.pid, result.signal)
else process.exit(result.exitCode ?? 1)
