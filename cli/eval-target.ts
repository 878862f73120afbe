import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { BenchError } from '../core/errors.js'
import type { CellKey } from '../core/plugin-api/results.js'
import { readManifest } from '../core/run/manifest.js'
import type { RunManifest } from '../core/run/journal-types.js'

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

/** How the results table names a plain checkpoint: its path, relative to the working directory when shorter. */
export function checkpointLabel(cwd: string, dir: string): string {
  const rel = relative(cwd, dir)
  return `checkpoint ${rel && !rel.startsWith('..') && rel.length < dir.length ? rel : dir}`
}
