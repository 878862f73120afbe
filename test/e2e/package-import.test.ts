import { execa } from 'execa'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from './cli-helper.js'

// The compiled package (dist/, built by `npm ci` through the `prepare` script) must load in plain
// Node — no tsx, no TypeScript loader — from a project that depends on bonbench.
describe('bonbench in plain Node', () => {
  let project: string
  beforeAll(async () => {
    if (!existsSync(join(repoRoot, 'dist', 'core', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` (npm ci runs it)')
    project = await mkdtemp(join(tmpdir(), 'bonbench-plain-'))
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', dependencies: { bonbench: '*' } }))
    await mkdir(join(project, 'node_modules'))
    await symlink(repoRoot, join(project, 'node_modules', 'bonbench'), 'dir')
  })
  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true })
  })

  it("imports 'bonbench' and 'bonbench/testing' without a TypeScript loader", async () => {
    const script = [
      "const api = await import('bonbench')",
      "const testing = await import('bonbench/testing')",
      'console.log(JSON.stringify({ defineConfig: typeof api.defineConfig, runMatrix: typeof api.runMatrix, BenchError: typeof api.BenchError, checkStrategyContract: typeof testing.checkStrategyContract }))',
    ].join('\n')
    const result = await execa(process.execPath, ['--input-type=module', '-e', script], { cwd: project, reject: false, env: { NODE_OPTIONS: '' } })
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({ defineConfig: 'function', runMatrix: 'function', BenchError: 'function', checkStrategyContract: 'function' })
  })

  it('loads only the kit on import (one bundled zod, no run stages, no TensorFlow.js or isolated-vm); a run entry point loads its modules on first call', async () => {
    // A loader hook that records every module Node loads, as a third party's process would load them.
    await writeFile(
      join(project, 'record-loads.mjs'),
      [
        "import { register } from 'node:module'",
        'register(`data:text/javascript,export async function load(url, context, next) { process.stderr.write("load " + url + "\\\\n"); return next(url, context) }`)',
      ].join('\n'),
    )
    const script = [
      "const api = await import('bonbench')",
      "process.stderr.write('imported\\n')",
      "const error = await api.prepareRerun('no-such-run').catch((e) => e)",
      'console.log(JSON.stringify({ code: error.code, z: typeof api.z.strictObject }))',
    ].join('\n')
    const result = await execa(process.execPath, ['--import', './record-loads.mjs', '--input-type=module', '-e', script], {
      cwd: project,
      reject: false,
      env: { NODE_OPTIONS: '' },
    })
    expect(result.exitCode, result.stderr).toBe(0)
    const [atImport, later] = result.stderr.split('imported\n').map((part) => [...part.matchAll(/^load (\S+)$/gm)].map((m) => m[1]!))
    const dist = (path: string) => `file://${join(repoRoot, 'dist', path)}`
    expect(atImport).toContain(dist('vendor/zod.js'))
    expect(atImport!.filter((url) => url.includes('/node_modules/'))).toEqual([])
    expect(atImport).not.toContain(dist('core/run/run-matrix.js'))
    expect(atImport).not.toContain(dist('core/run/rerun.js'))
    // prepareRerun's module loads on the first call, and says what is wrong with the folder.
    expect(later).toContain(dist('core/run/rerun.js'))
    expect(JSON.parse(result.stdout)).toEqual({ code: expect.stringMatching(/^BENCH_/), z: 'function' })
  })
})
