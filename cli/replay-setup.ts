import { BenchError } from '../core/errors.js'
import type { MatrixConfig, EvalConfig } from '../core/config/types.js'
import { defaultKGrid } from '../core/metrics/pool-summary.js'
import { readSampleDump } from '../core/metrics/sample-dump.js'
import type { PluginRegistry } from '../core/registry/registry.js'

/**
 * What `bench eval --samples <dump>` sets unless flags do: the model `replay`; without a task, the
 * dump's own problems (task `sample-dump`); a pool of the dump's smallest pool size n (so every
 * sample is replayed, as `bench score` reads them), the N grid `bench score` uses for it (powers of
 * 2 up to n, and n), and every problem of the dump as a test prompt. Reads the dump once here (a
 * malformed line fails before any work, naming file and line).
 */
export async function replayDefaults(
  samples: string,
  flags: { task?: string; n?: number[]; poolSize?: number; testPrompts?: number },
): Promise<{ matrix: MatrixConfig; eval: EvalConfig }> {
  const dump = await readSampleDump(samples, { rewards: 'optional' })
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
 * Registers `replay` (and, for a run on the dump's own problems, `sample-dump`) with the dump as
 * their option, so the run and its record (run.json's plugins and options) name the file. A config
 * that lists `replay` itself gives it the dump there: both at once is a usage error.
 */
export async function registerReplay(registry: PluginRegistry, samples: string, opts: { ownTask: boolean }): Promise<void> {
  const names = ['replay', ...(opts.ownTask ? ['sample-dump'] : [])]
  for (const short of names) {
    if (registry.entry(`bonbench:${short}`))
      throw new BenchError('BENCH_USAGE', `the config lists ${short} with its own options and --samples gives a dump too: give the dump in one place.`)
    const factory = await registry.builtinFactory(short)
    if (!factory) throw new BenchError('BENCH_PLUGIN_NOT_FOUND', `the built-in ${short} is missing from this bonbench build.`)
    registry.add(factory({ samples }), 'built-in')
  }
}
