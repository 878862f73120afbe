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
