import { execa } from 'execa'
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

/** What a CLI run printed and returned. */
export interface BenchResult {
  exitCode: number
  /** The signal that ended the process (e.g. 'SIGKILL'), if one did. */
  signal?: string
  stdout: string
  stderr: string
  /** True when the process was still running at `timeout` and was killed. */
  timedOut: boolean
}

/** Runs the real CLI (`node bin/bench.js …`) in `cwd` with CI=true; never rejects. */
export async function bench(args: string[], opts: { cwd: string; env?: Record<string, string>; timeout?: number }): Promise<BenchResult> {
  const result = await execa(process.execPath, [benchBin, ...args], {
    cwd: opts.cwd,
    reject: false,
    timeout: opts.timeout,
    env: { CI: 'true', NO_COLOR: '1', ...opts.env },
  })
  return {
    exitCode: result.exitCode ?? 1,
    signal: result.signal ?? undefined,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    timedOut: result.timedOut === true,
  }
}

/** A fresh temporary folder, removed by the returned cleanup function. */
export function tempDir(prefix = 'bonbench-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
