import { BenchError } from '../core/errors.js'
import type { MatrixConfig, EvalConfig } from '../core/config/types.js'
import { defaultKGrid } from '../core/metrics/pool-summary.js'
import { readSampleDump } from '../core/metrics/sample-dump.js'
import { dirname, resolve } from 'node:path'
import { loadConfigFile } from '../core/config/load-config.js'
import type { PluginRef } from '../core/config/types.js'
import { presets } from '../core/presets/index.js'

/**
 * What `bench eval --samples <dump>` sets unless flags do: the model `replay`; without a task, the
 * dump's own problems (task `sample-dump`); a pool of the dump's smallest pool size n (so every
 * sample is replayed, as `bench score` reads them), the N grid `bench score` uses for it (powers of
 * 2 up to n, and n), and every problem of the dump as a test prompt. Reads the dump once here, so
 * what the replay would refuse fails before any work: a malformed or repeated line (naming file
 * and lines), and a dump where some samples carry a score and others do not (BENCH_USAGE: the
 * evaluation ranks every pool by one score and cannot skip Bo-N as `bench score` does).
 */
export async function replayDefaults(
  samples: string,
  flags: { task?: string; n?: number[]; poolSize?: number; testPrompts?: number },
): Promise<{ matrix: MatrixConfig; eval: EvalConfig }> {
  const dump = await readSampleDump(samples, { rewards: 'optional', scores: 'all-or-none' })
  const nMin = Math.min(...dump.problems.map((p) => p.samples.length))
  const poolSize = flags.poolSize ?? nMin
  return {
    matrix: {
      model: 'replay',
      ...(flags.task === undefined ? { task: 'sample-dump' } : {}),
      poolSize,
      nGrid: flags.n ?? defaultKGrid(Math.min(poolSize, nMin)),
    },
    eval: { testPrompts: flags.testPrompts ?? dump.problems.length },
  }
}

/**
 * The plugins list of a replay: the config file's (else the default preset's) plus `replay` and,
 * for a run on the dump's own problems, `sample-dump`, both with the dump as their option. Given as
 * the flags' plugins (which replace the file's), so the resolved config, run.json and `bench rerun`
 * name the dump. A config that lists one of them itself is a usage error: give the dump once.
 */
export async function replayPlugins(cwd: string, configPath: string | undefined, samples: string, opts: { ownTask: boolean }): Promise<PluginRef[]> {
  const { config, file } = await loadConfigFile({ cwd, configPath, env: { command: 'eval' } })
  const listed = config.plugins ?? presets.default!.plugins ?? []
  const names = ['replay', ...(opts.ownTask ? ['sample-dump'] : [])]
  for (const ref of listed) {
    const name = typeof ref === 'string' ? ref : Array.isArray(ref) ? ref[0] : ref.name
    if (names.some((n) => name === n || name === `bonbench:${n}`))
      throw new BenchError('BENCH_USAGE', `the config lists ${name} and --samples gives a dump too: give the dump in one place.`)
  }
  // Relative paths in the file's list resolve against its folder; the flags' plugins would resolve against cwd.
  const baseDir = file ? dirname(file) : cwd
  const rebased = listed.map((ref) => (typeof ref === 'string' && /^\.\.?[\\/]/.test(ref) ? resolve(baseDir, ref) : ref))
  return [...rebased, ...names.map((n): PluginRef => [n, { samples }])]
}
