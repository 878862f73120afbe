import { BenchError, isBenchError } from '../errors.js'
import type { PluginRef } from '../config/types.js'
import { discoverPackages } from './discover-packages.js'
import { loadPluginRef, resolvePackage } from './load-plugin.js'
import type { PluginRegistry } from './registry.js'

/** The package a plugin reference names, when it names one. */
function refPackage(ref: PluginRef): string | undefined {
  if (typeof ref === 'string') return ref
  if (Array.isArray(ref)) return ref[0]
  return undefined
}

/**
 * The discovery rule of `bench list`, `bench run` and `bench eval` (README, "Plugins"): every
 * installed `bonbench-plugin-*` package, found in node_modules from `baseDir` upwards, is loaded
 * with default options; one the config names is left to the config (its options win). Call after
 * the config's plugins are loaded. A package that fails to load (its import throws, its plugins
 * are invalid, or it does not settle within the import deadline) does not stop the others: it is
 * recorded in the registry as broken, and a name it would provide fails with its error.
 */
export async function loadInstalledPackages(registry: PluginRegistry, baseDir: string, configRefs: readonly PluginRef[]): Promise<void> {
  const named = new Set(configRefs.map(refPackage))
  for (const pkg of discoverPackages(baseDir)) {
    if (named.has(pkg)) continue
    try {
      await loadPluginRef(pkg, registry, baseDir)
    } catch (error) {
      let source = `npm:${pkg}`
      try {
        source = `npm:${pkg}@${resolvePackage(pkg, baseDir).version}`
      } catch {
        // An unreadable package.json: the error below says what is wrong.
      }
      const wrapped = isBenchError(error) ? error : new BenchError('BENCH_PLUGIN_INVALID', `The plugin package ${pkg} failed to load: ${(error as Error).message}`, { cause: error })
      registry.addBroken({ name: pkg, source, error: wrapped })
    }
  }
}
