import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { BenchError } from '../core/errors.js'
import type { CellKey } from '../core/plugin-api/results.js'
import type { ResolvedConfig } from '../core/config/resolve-config.js'
import { readManifest } from '../core/run/manifest.js'
import type { RunManifest } from '../core/run/journal-types.js'
import { dataFileMismatches, loadedPluginMismatches, usedByCells } from '../core/run/plugin-mismatches.js'
import type { RunPlugins } from '../core/run/run-plugins.js'
import { callHook } from '../core/run/hooks-in-flight.js'
import type { PluginRegistry } from '../core/registry/registry.js'

/** What `bench eval --checkpoint` points at: a run's trained cell, or a saved model of no known run. */
export type EvalTarget = { kind: 'run-cell'; dir: string; runDir: string; cellId: string; key: CellKey; manifest: RunManifest } | { kind: 'plain'; dir: string }

/**
 * Resolves `--checkpoint` before anything is created: `<run-dir>/checkpoints/<cell>` (or the short
 * form `<run-dir>/<cell>`) is that run's trained cell; any other existing folder is a plain saved
 * model. Throws BENCH_USAGE naming the flag when the path leads nowhere, so no run directory is
 * left behind by a typo.
 */
export function resolveEvalTarget(cwd: string, flag: string): EvalTarget {
  const given = resolve(cwd, flag)
  if (!existsSync(given)) {
    // The short form: <run-dir>/<cell> names the cell's checkpoint of that run.
    const runDir = dirname(given)
    if (existsSync(join(runDir, 'run.json'))) return runCell(runDir, basename(given), join(runDir, 'checkpoints', basename(given)), flag)
    throw new BenchError(
      'BENCH_USAGE',
      `--checkpoint ${flag}: no such folder. Give a folder written by a model's save(), e.g. <run-dir>/checkpoints/<cell> (or <run-dir>/<cell>), as \`bench run\` prints and writes them.`,
    )
  }
  if (!statSync(given).isDirectory())
    throw new BenchError('BENCH_USAGE', `--checkpoint ${flag} is a file; give the folder a model's save() wrote (e.g. <run-dir>/checkpoints/<cell>).`)
  if (existsSync(join(given, 'run.json')))
    throw new BenchError(
      'BENCH_USAGE',
      `--checkpoint ${flag} is a run directory; name one of its trained cells: ${flag}/checkpoints/<cell> (or ${flag}/<cell>). Its cells are listed in run.json.`,
    )
  const parent = dirname(given)
  if (basename(parent) === 'checkpoints' && existsSync(join(dirname(parent), 'run.json'))) return runCell(dirname(parent), basename(given), given, flag)
  return { kind: 'plain', dir: given }
}

function runCell(runDir: string, cellId: string, dir: string, flag: string): EvalTarget {
  const manifest = readManifest(runDir)
  const cell = manifest.cells.find((c) => c.cellId === cellId)
  const trained = manifest.cells.filter((c) => c.key.strategy !== 'base').map((c) => c.cellId)
  const listed = trained.length > 0 ? `its trained cells: ${trained.join(', ')}` : 'it has no trained cells'
  if (!cell) throw new BenchError('BENCH_USAGE', `--checkpoint ${flag}: the run ${runDir} has no cell '${cellId}' (${listed}).`)
  if (cell.key.strategy === 'base')
    throw new BenchError('BENCH_USAGE', `--checkpoint ${flag}: '${cellId}' is the run's base model, not a trained cell; ${listed}.`)
  // A folder left empty (a save that never happened, files removed) holds no weights either.
  if (!existsSync(dir) || readdirSync(dir).length === 0)
    throw new BenchError(
      'BENCH_USAGE',
      `--checkpoint ${flag}: cell '${cellId}' of ${runDir} has no saved weights at ${dir} (it did not finish training, or its model cannot save). Resume the run first: bench run --resume ${runDir}`,
    )
  return { kind: 'run-cell', dir, runDir, cellId, key: cell.key, manifest }
}

/** A run's trained cell, as {@link resolveEvalTarget} found it. */
export type RunCellTarget = Extract<EvalTarget, { kind: 'run-cell' }>

/**
 * How to evaluate a run's cell's weights as a plain checkpoint (labelled by their path, with none
 * of the run's claims): the config file the run recorded, else the task, model and preset, named
 * on the command line (a config or preset given makes a run's checkpoint plain). `extra`: the
 * flags the user wants it evaluated with.
 */
export function plainEvalCommand(target: RunCellTarget, configFile: string | undefined, preset: string | undefined, extra = ''): string {
  const rest = extra ? ` ${extra}` : ''
  if (configFile !== undefined) return `bench eval --checkpoint ${target.dir} --config ${configFile}${rest}`
  return `bench eval ${target.key.task} --model ${target.key.model} --checkpoint ${target.dir} --preset ${preset ?? 'default'}${rest}`
}

/**
 * Flags that would evaluate a run's cell as another cell: a temperature or seed other than the
 * cell's is part of its identity (`rl-n1-t1-s0`: trained at T=1 with seed 0), so evaluated under
 * it the weights would be labelled as a cell trained at those settings, and `bench compare`
 * would pair them with one. One line per such flag (empty: none).
 */
export function flagsOtherThanTheCell(target: RunCellTarget, f: { temperatures?: number[]; seeds?: number[] }): string[] {
  const { key } = target
  const out: string[] = []
  if (f.temperatures?.some((t) => t !== key.temperature))
    out.push(`--temperatures ${f.temperatures.join(',')}: the cell was trained (and the run evaluated it) at temperature ${key.temperature}`)
  if (f.seeds?.some((s) => s !== key.seed)) out.push(`--seeds ${f.seeds.join(',')}: the cell was trained (and the run evaluated it) with seed ${key.seed}`)
  return out
}

/**
 * What differs between the run's record (run.json) and what its recorded config loads here, one
 * line each (empty: the cell is evaluated as the run evaluated it): bonbench's version, the
 * version and options of the task, model and verifiers and of the cell's strategy (the run's other
 * strategies are not loaded by an evaluation of one cell), and the bytes of the run's data files
 * (the task is loaded for them only when the run read any). The check `bench run --resume` makes.
 */
export async function changedSinceTheRun(
  target: RunCellTarget,
  config: ResolvedConfig,
  registry: PluginRegistry,
  plugins: Pick<RunPlugins, 'task' | 'strategies'>,
): Promise<string[]> {
  const recorded = target.manifest.provenance
  const strategies = new Set([...plugins.strategies.values()].map((s) => s.name))
  const cellsOwn = {
    harness: recorded.harness,
    plugins: usedByCells(recorded.plugins, [target]).filter((p) => p.kind !== 'strategy' || strategies.has(p.name)),
  }
  const differences = loadedPluginMismatches(cellsOwn, registry)
  const dataFiles = recorded.dataFiles ?? []
  if (dataFiles.length > 0) {
    const task = plugins.task
    const data = await callHook(task, 'load', () => task.load({ seed: config.taskSeed, dataPath: config.data }))
    differences.push(...dataFileMismatches(dataFiles, data.files ?? []))
  }
  return differences
}

/**
 * The pool size a run's cell is evaluated with over the N grid `--n` gives, when `--pool-size` is
 * not given: the run's own while it holds the largest N (so an unchanged grid draws the run's
 * pools), else 2 × the largest N (the default of a run with that grid). Undefined: the run's.
 */
export function poolSizeForGrid(recordedPoolSize: unknown, n: number[] | undefined, poolSize: number | undefined): number | undefined {
  if (poolSize !== undefined || n === undefined || n.length === 0 || typeof recordedPoolSize !== 'number') return undefined
  const largest = Math.max(...n)
  return recordedPoolSize < largest ? 2 * largest : undefined
}

/** How the results table names a plain checkpoint: its path, relative to the working directory when shorter. */
export function checkpointLabel(cwd: string, dir: string): string {
  const rel = relative(cwd, dir)
  return `checkpoint ${rel && !rel.startsWith('..') && rel.length < dir.length ? rel : dir}`
}
