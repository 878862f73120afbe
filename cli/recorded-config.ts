import { existsSync } from 'node:fs'
import { isAbsolute, join, relative } from 'node:path'
import type { UserConfig } from '../core/config/types.js'
import { userConfigSchema } from '../core/config/schema.js'

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
  const baseDir = recorded.baseDir
  if (typeof baseDir !== 'string') return file
  const inside = relative(baseDir, file)
  if (inside.startsWith('..') || isAbsolute(inside)) return file
  const moved = join(cwd, inside)
  return existsSync(moved) ? moved : file
}
