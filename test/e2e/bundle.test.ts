import { execa } from 'execa'
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tinyMathArgs, writeTinyMathConfig } from '../helpers/tiny-math-run.js'
import { repoRoot, tempDir } from './cli-helper.js'

// `npm run bundle -- <dir>` (scripts/bundle.ts): the folder an offline GPU node gets. Built into a
// temporary folder, moved elsewhere (nothing may point back at the checkout), then run with plain
// `node <dir>/bench.mjs` — no tsx, no node_modules of the repository on the way up.

function folderBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => {
    const full = join(dir, name)
    const stat = statSync(full)
    return sum + (stat.isDirectory() ? folderBytes(full) : stat.size)
  }, 0)
}

const cleanups: Array<() => void> = []
afterAll(() => cleanups.forEach((cleanup) => cleanup()))
/** A fresh temporary folder, removed after the file's tests. */
function scratch(prefix: string): string {
  const { dir, cleanup } = tempDir(prefix)
  cleanups.push(cleanup)
  return dir
}

let bundle = ''
const node = (args: string[], cwd: string) =>
  execa(process.execPath, [join(bundle, 'bench.mjs'), ...args], { cwd, reject: false, env: { CI: 'true', NO_COLOR: '1' } })

beforeAll(async () => {
  const built = join(scratch('bonbench-bundle-'), 'bundle')
  const result = await execa('npm', ['run', 'bundle', '--', built], { cwd: repoRoot, reject: false, all: true })
  expect(result.exitCode, result.all).toBe(0)
  expect(result.all).toMatch(/wrote .*: \d+\.\d MB/)
  bundle = join(scratch('bonbench-bundle-moved-'), 'bench')
  renameSync(built, bundle)
}, 300_000)

describe('npm run bundle', () => {
  it('writes a folder under 60 MB: the launcher, the CLI bundle, the worker entries and the native files', () => {
    expect(folderBytes(bundle)).toBeLessThan(60 * 1024 * 1024)
    for (const file of [
      'bench.mjs',
      'package.json',
      'cli/main.mjs',
      'cli/worker-entry.mjs',
      'cli/probe-worker-entry.mjs',
      'cli/fork-server.py',
      'cli/shim.bundle.js',
      'node_modules/isolated-vm/out/isolated_vm.node',
      'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
    ])
      expect(existsSync(join(bundle, file)), file).toBe(true)
    expect(readFileSync(join(bundle, 'cli/main.mjs'), 'utf8')).not.toContain(repoRoot)
  })

  it('runs with plain node: --help, and bench env starts the wasm and cpu backends for real', async () => {
    const cwd = scratch('bonbench-bundle-cwd-')
    const help = await node(['--help'], cwd)
    expect(help.exitCode).toBe(0)
    expect(help.stdout).toContain('Usage: bench')
    expect(help.stdout).toContain('env [options]')
    const env = await node(['env', '--json'], cwd)
    expect(env.exitCode, env.stderr).toBe(0)
    const report = JSON.parse(env.stdout) as { backends: Array<{ name: string; installed: boolean; start?: { state: string } }>; chosen: { name?: string } }
    const started = report.backends.filter((b) => b.start?.state === 'started').map((b) => b.name)
    expect(started).toEqual(expect.arrayContaining(['wasm', 'cpu']))
    expect(report.chosen.name).toBe('wasm')
  })

  it('runs a whole tiny matrix from the bundle: pretraining, the reward model, sampling in worker threads, the reports', async () => {
    const cwd = scratch('bonbench-bundle-run-')
    writeTinyMathConfig(cwd)
    const runsDir = join(cwd, 'runs')
    // With its reports: they read files beside the bundle (the HTML client, Chart.js, the schema).
    const args = tinyMathArgs({ runsDir, cacheDir: join(cwd, 'cache'), concurrency: 2 }).filter((a) => a !== '--no-reports')
    const run = await node(args, cwd)
    expect(run.exitCode, run.stderr).toBe(0)
    const [id] = readdirSync(runsDir)
    for (const file of ['results.json', 'report.md', 'report.html', 'journal.jsonl']) expect(existsSync(join(runsDir, id!, file)), file).toBe(true)
    // The HTML report inlines Chart.js from the bundle's node_modules.
    expect(readFileSync(join(runsDir, id!, 'report.html'), 'utf8')).toContain('Chart')
  }, 180_000)

  it('says a TypeScript config needs tsx, which the bundle leaves out', async () => {
    const cwd = scratch('bonbench-bundle-ts-')
    writeFileSync(join(cwd, 'bench.config.ts'), 'export default { matrix: { seeds: [0] } }\n')
    const run = await node(['run', 'math', '--dry-run'], cwd)
    expect(run.exitCode).not.toBe(0)
    expect(run.stderr).toMatch(/bench\.config\.ts needs tsx to load .* write it as \.mjs, \.js or \.json, or install tsx/)
  })
})
