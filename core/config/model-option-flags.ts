import { bareName } from '../plugin-name.js'
import type { PluginRef } from './types.js'
import { type ResolvedConfig, deepFreeze } from './resolve-config.js'

/**
 * The config with `options` merged over the run's model's own options (flags such as `--base-url`
 * that set a model option): the model's entry in `plugins` gets them on top of what the config
 * file gave it, or a `[model, options]` entry is added when the config does not list the model.
 * The run records the merged entry in run.json like any configured option.
 */
export function withModelOptions(config: ResolvedConfig, options: Record<string, unknown>): ResolvedConfig {
  if (Object.keys(options).length === 0) return config
  const name = bareName(config.model)
  let found = false
  const plugins = config.plugins.map((ref): PluginRef => {
    if (typeof ref === 'string' && bareName(ref) === name) {
      found = true
      return [ref, { ...options }]
    }
    if (Array.isArray(ref) && typeof ref[0] === 'string' && bareName(ref[0]) === name) {
      found = true
      return [ref[0], { ...(ref[1] as Record<string, unknown> | undefined), ...options }]
    }
    return ref
  })
  if (!found) plugins.push([config.model, { ...options }])
  return deepFreeze({ ...config, plugins })
}
