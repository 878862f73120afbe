import { existsSync } from 'node:fs'
import { basename, isAbsolute, join, relative } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import type { UserConfig } from '../core/config/types.js'
import { userConfigSchema } from '../core/config/schema.js'
import { BenchError } from '../core/errors.js'
import type { ResolvedConfig } from '../core/config/resolve-config.js'
import { configToJson } from '../core/run/provenance.js'

/**
 * A run's recorded config (run.json's `provenance.config`) as a flags layer: what `--resume` and
 * `bench eval` of a run's checkpoint start from. Plugins come from the config file again (the
 * recorded `configFile`), so the flags layer leaves them out.
 */
export function recordedToFlags(recorded: Record<string, unknown>): UserConfig {
  const { plugins: _plugins, baseDir: _b, configFile: _c, preset: _p, ...rest } = recorded
  // The resolved config is flat: the schema's matrix keys go back under `matrix`, so a new matrix key resumes too.
  const matrixKeys = new Set(Object.keys(userConfigSchema.shape.matrix.unwrap().shape))
  const matrix = Object.fromEntries(Object.entries(rest).filter(([k]) => matrixKeys.has(k)))
  const cleaned = Object.fromEntries(Object.entries(rest).filter(([k, v]) => !matrixKeys.has(k) && v !== undefined && v !== null))
  return { ...cleaned, matrix } as UserConfig
}

/**
 * The preset a run was started with (`--preset`), from its recorded config: `--resume`, queue
 * workers and `bench eval` of its checkpoint apply it again, since the preset's plugin options
 * (e.g. `study`'s math testSize 800) are not in the flags layer ({@link recordedToFlags}).
 */
export function recordedPreset(recorded: Record<string, unknown>): string | undefined {
  return typeof recorded.preset === 'string' ? recorded.preset : undefined
}

/**
 * The config file a run recorded, found again: the recorded (absolute) path when it is there, else
 * the file at the same place relative to `cwd` as it was to the run's base directory — a run
 * restored into another checkout (a clone, a worktree, another machine) finds its config there.
 * The recorded path when neither exists, so the error names what the run recorded.
 */
export function recordedConfigPath(recorded: Record<string, unknown>, cwd: string): string | undefined {
  const file = recorded.configFile
  if (typeof file !== 'string') return undefined
  if (existsSync(file)) return file
  const moved = movedConfigPath(recorded, cwd)
  return moved !== undefined && existsSync(moved) ? moved : file
}

/** Where a run's recorded config file would be in `cwd`'s checkout: the same place relative to it as to the run's base directory (undefined: the file was outside that directory). */
function movedConfigPath(recorded: Record<string, unknown>, cwd: string): string | undefined {
  const file = recorded.configFile
  const baseDir = recorded.baseDir
  if (typeof file !== 'string' || typeof baseDir !== 'string') return undefined
  const inside = relative(baseDir, file)
  if (inside.startsWith('..') || isAbsolute(inside)) return undefined
  return join(cwd, inside)
}

/**
 * The config file `bench run --resume` loads for the run in `runDir`: {@link recordedConfigPath};
 * false when the run recorded none — it then resumes without a config file (setupRun's
 * `configPath: false`), whatever `bench.config.*` the working folder holds now. Throws
 * BENCH_CONFIG_NOT_FOUND when the recorded file is gone (from its path and from the same place
 * under `cwd`): the run's plugins and their options come from it.
 */
export function resumeConfigPath(recorded: Record<string, unknown>, cwd: string, runDir: string): string | false {
  const path = recordedConfigPath(recorded, cwd)
  if (path === undefined) return false
  if (existsSync(path)) return path
  const moved = movedConfigPath(recorded, cwd)
  throw new BenchError(
    'BENCH_CONFIG_NOT_FOUND',
    `cannot resume ${runDir}: the run was started from the config file ${path}, which is gone${moved !== undefined && moved !== path ? ` (and not at ${moved}, the same place under this folder)` : ''}. Its plugins and their options come from that file: put it back at that path (or resume from the checkout that holds it at the same place), then resume again.`,
  )
}

/** Recorded settings that do not decide what a run computes: where runs and caches go, how much runs at once, and the plugins (checked one by one against the run's record when it resumes). */
const NOT_COMPARED = new Set(['plugins', 'runsDir', 'cacheDir', 'baseDir', 'configFile', 'concurrency'])

/**
 * Where the config a run recorded (run.json's `provenance.config`) differs from `current`, a
 * config resolved from its config file alone, one line each (`train.steps: 10 in the run, 20 in
 * c.json`); empty when the file gives what the run recorded. `bench run --resume --config <file>`
 * refuses a run found this way with differences: it would go on with the recorded config, and the
 * file's settings would silently not run.
 */
export function recordedConfigChanges(recorded: Record<string, unknown>, current: ResolvedConfig): string[] {
  const now = configToJson(current)
  const file = current.configFile !== undefined ? basename(current.configFile) : 'the config'
  const out: string[] = []
  const compare = (path: string, was: unknown, is: unknown) => {
    if (isDeepStrictEqual(was, is)) return
    if (isObject(was) && isObject(is)) {
      for (const key of new Set([...Object.keys(was), ...Object.keys(is)])) compare(`${path}.${key}`, was[key], is[key])
      return
    }
    out.push(`${path}: ${shown(was)} in the run, ${shown(is)} in ${file}`)
  }
  for (const key of new Set([...Object.keys(recorded), ...Object.keys(now)])) {
    if (!NOT_COMPARED.has(key)) compare(key, recorded[key], now[key])
  }
  return out
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function shown(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value)
}
