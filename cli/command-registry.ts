import path from 'node:path'
import { loadConfigFile } from '../core/config/load-config.js'
import { loadInstalledPackages } from '../core/registry/installed-packages.js'
import type { PluginRegistry } from '../core/registry/registry.js'
import { loadRegistry } from '../core/run/setup.js'
import { builtins } from './builtins.js'

/**
 * The plugins a command that runs no matrix sees (`bench verify`, `bench weights`), by the rule
 * `list`, `run` and `eval` follow (README, "Which plugins a command sees"): the built-ins, the
 * config's plugins with their options (`configPath`, else bench.config.* in `cwd`), and every
 * installed bonbench-plugin-* package found from the config's folder (else `cwd`) upwards.
 */
export async function commandRegistry(command: string, opts: { configPath?: string; cwd?: string } = {}): Promise<PluginRegistry> {
  const cwd = opts.cwd ?? process.cwd()
  const { config, file } = await loadConfigFile({ cwd, configPath: opts.configPath, env: { command } })
  const baseDir = file ? path.dirname(file) : cwd
  const registry = await loadRegistry(config.plugins ?? [], baseDir, builtins)
  await loadInstalledPackages(registry, baseDir, config.plugins ?? [])
  return registry
}
