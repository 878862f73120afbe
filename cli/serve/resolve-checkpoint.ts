import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { BenchError } from '../../core/errors.js'

/**
 * The checkpoint folder `bench serve` was pointed at: a folder written by a model's `save()`
 * (a cell's `<run-dir>/checkpoints/<cell>`, a cached base model under `.bench/cache/models/`), or
 * `<run-dir>/<cell>`, which names the cell's checkpoint in that run. A run directory alone, or a
 * path that is none of these, is a usage error naming the checkpoints it holds.
 */
export function resolveCheckpoint(target: string, cwd: string): string {
  const path = resolve(cwd, target)
  if (existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, 'checkpoint.json'))) return path
  const inRun = join(dirname(path), 'checkpoints', basename(path))
  if (existsSync(join(inRun, 'checkpoint.json'))) return inRun
  const runDir = existsSync(join(path, 'checkpoints')) ? path : dirname(path)
  const cells = existsSync(join(runDir, 'checkpoints')) ? readdirSync(join(runDir, 'checkpoints')) : []
  const known = cells.length > 0 ? ` That run's checkpoints: ${cells.map((c) => join(runDir, c)).join(', ')}.` : ''
  throw new BenchError(
    'BENCH_USAGE',
    `bench serve: ${target} is not a checkpoint (a folder with checkpoint.json, written by a model's save()) nor <run-dir>/<cell> of a trained cell.${known}`,
  )
}
