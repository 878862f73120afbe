#!/usr/bin/env node
// The `bench` executable. It re-runs Node with --no-node-snapshot (isolated-vm needs it on
// Node >= 20) and the tsx loader, so the TypeScript sources run as they are, without a build.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const cli = fileURLToPath(new URL('../core/cli/main.ts', import.meta.url))
const tsx = require.resolve('tsx')
const args = ['--no-node-snapshot', '--import', tsx, cli, ...process.argv.slice(2)]
const child = spawn(process.execPath, args, { stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal))
}
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal)
  else process.exit(code ?? 1)
})
