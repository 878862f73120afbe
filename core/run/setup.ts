import { loadConfigFile } from '../config/load-config.js'
import { type ResolvedConfig, resolveConfig } from '../config/resolve-config.js'
import type { UserConfig } from '../config/types.js'
import { withModelOptions } from '../config/model-option-flags.js'
import { loadPluginRef } from '../registry/load-plugin.js'
import type { BuiltinPlugins } from '../registry/builtin-plugins.js'
import { PluginRegistry } from '../registry/registry.js'
import { loadInstalledPackages } from '../registry/installed-packages.js'

/** A resolved config with its plugins loaded: what every command that runs things starts from. */
export interface RunSetup {
  config: ResolvedConfig
  registry: PluginRegistry
}

/** What {@link setupRun} reads: where, which config and preset, the flags, the command, the built-ins. */
export interface SetupRunOptions {
  cwd: string
  /** The config file; unset: the first `bench.config.*` in `cwd`; false: none (a run recorded without one). */
  configPath?: string | false
  preset?: string
  flags?: UserConfig
  command: string
  builtins?: BuiltinPlugins
  /** Options for the run's model given by flags (`--base-url`), merged over the config's (see withModelOptions). */
  modelOptions?: Record<string, unknown>
}

/**
 * Loads the config file (found or given), applies the preset and the flags, and loads every
 * plugin reference into a fresh registry that knows `builtins` (none unless given; the CLI passes
 * bonbench's), then every installed `bonbench-plugin-*` package the config does not name (the
 * discovery rule, see loadInstalledPackages). All validation errors surface here, before any work.
 */
export async function setupRun(opts: SetupRunOptions): Promise<RunSetup> {
  const { config: fileConfig, file } =
    opts.configPath === false
      ? { config: {}, file: undefined }
      : await loadConfigFile({ cwd: opts.cwd, configPath: opts.configPath, env: { command: opts.command, preset: opts.preset } })
  const config = withModelOptions(resolveConfig({ file, cwd: opts.cwd, fileConfig, flags: opts.flags, preset: opts.preset }), opts.modelOptions ?? {})
  const registry = await loadRegistry(config.plugins, config.baseDir, opts.builtins)
  await loadInstalledPackages(registry, config.baseDir, config.plugins)
  return { config, registry }
}

/** A registry holding every plugin a config lists (built-ins not listed are added when first used). */
export async function loadRegistry(refs: ResolvedConfig['plugins'], baseDir: string, builtins?: BuiltinPlugins): Promise<PluginRegistry> {
  const registry = new PluginRegistry({ builtins })
  for (const ref of refs) await loadPluginRef(ref, registry, baseDir)
  return registry
}
