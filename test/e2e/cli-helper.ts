import { execa, type Options } from 'execa'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)))

/** The shared data folder beside the repository. */
export const sharedData = resolve(repoRoot, '../shared/data')

/** The real `bench` executable. */
export const benchBin = join(repoRoot, 'bin', 'bench.js')

/** Runs the real CLI (`node bin/bench.js …`) in `cwd`; never rejects, returns the result. */
export function bench(args: string[], opts: Options & { cwd: string }) {
  return execa(process.execPath, [benchBin, ...args], { reject: false, env: { CI: 'true', NO_COLOR: '1', ...opts.env }, ...opts })
}

/** A fresh temporary folder, removed by the returned cleanup function. */
export function tempDir(prefix = 'bonbench-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
