// Which program `bench` runs, and how: the compiled CLI (dist/cli/main.js) when the build is there
// and newer than every source file — it starts in a fraction of the time; an installed package
// ships only dist/ (package.json `files`) — and otherwise, in a checkout, the TypeScript sources
// through the tsx loader, without a build. From the sources, --conditions=bonbench-source makes
// `import 'bonbench'` (what the built-ins write) resolve to the sources too (package.json's
// exports), so there is one core; worker threads inherit the flag. BONBENCH_FROM_SOURCE=1 forces
// the sources. --no-node-snapshot: isolated-vm needs it on Node >= 20.
// Used by bin/bench.js, and by the tests' bench() (test/e2e/cli-helper.ts), which starts this
// program directly when the test is not about the launcher.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const root = fileURLToPath(new URL('..', import.meta.url))
const built = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url))
// Written last by `npm run build` (scripts/copy-build-assets.mjs).
const stamp = fileURLToPath(new URL('../dist/build-stamp.json', import.meta.url))

/** The newest modification time of the files under `dir` (milliseconds; 0 when there are none). */
function newestSource(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs)
  }
  return newest
}

function useBuild() {
  if (!existsSync(new URL('../cli/main.ts', import.meta.url))) return true
  if (process.env.BONBENCH_FROM_SOURCE || !existsSync(built) || !existsSync(stamp)) return false
  const builtAt = statSync(stamp).mtimeMs
  return ['core', 'cli', 'plugins', 'reports'].every((top) => !existsSync(`${root}/${top}`) || newestSource(`${root}/${top}`) <= builtAt)
}

/** Node's arguments before the command's own: the flags and the CLI's entry file. */
export function cliNodeArgs() {
  return useBuild()
    ? ['--no-node-snapshot', built]
    : ['--no-node-snapshot', '--conditions=bonbench-source', '--import', require.resolve('tsx'), fileURLToPath(new URL('../cli/main.ts', import.meta.url))]
}
