import { execa } from 'execa'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cliNodeArgs } from '../../bin/cli-entry.js'

/** The repository root. */
export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)))

/** The shared data folder beside the repository. */
export const sharedData = resolve(repoRoot, '../shared/data')

/** The real `bench` executable. */
export const benchBin = join(repoRoot, 'bin', 'bench.js')

/**
 * What bench() starts: the program the executable would run (bin/cli-entry.js: the build when it
 * is fresh, else the sources), chosen once per test file, without the executable's own Node in
 * front of it (its signal forwarding, death tie and stuck-exit grace): about a tenth of a CPU
 * second per command, over some 300 commands. Tests of what the executable itself does (signals,
 * a stuck CLI, the terminal's cursor, an installed package's `bench`) start `benchBin`.
 */
const cliArgs = cliNodeArgs()

/** Node's arguments for `bench <args>` as bench() starts it, for a test that starts and stops the process itself (a queue worker, `bench serve`). */
export function benchArgs(args: string[]): string[] {
  return [...cliArgs, ...args]
}

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

/**
 * Runs the real CLI (the program `bench` runs, see cliArgs; through the executable itself with
 * `launcher`) in `cwd` with CI=true; never rejects.
 */
export async function bench(args: string[], opts: { cwd: string; env?: Record<string, string>; timeout?: number; launcher?: boolean }): Promise<BenchResult> {
  const result = await execa(process.execPath, [...(opts.launcher ? [benchBin] : cliArgs), ...args], {
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

/** The run directory a `bench run` (or `bench eval`) printed. */
export const runDirOf = (stdout: string): string => /run directory: (.+)/.exec(stdout)![1]!.trim()

/**
 * A tabular toy matrix of 16 cells with small records, for the tests that compare runs record for
 * record (e2e/queue-mode, e2e/shard-merge): a base cell is 8 pool records and its cell record, a
 * trained cell 10 training steps, a checkpoint, 8 pools and its cell — 276 records, where the
 * defaults (100 steps, 32 test prompts) make 1,740 for the same checks.
 */
export const SIXTEEN_CELLS = [
  ...['toy', '--model', 'tabular', '--strategies', 'sft,bon-rlb', '--n-train', '2,4', '--n', '1,2,4', '--seeds', '1,2', '--temperatures', '0.7,1'],
  ...['--steps', '10', '--test-prompts', '8'],
]
