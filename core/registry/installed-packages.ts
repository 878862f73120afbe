import { BenchError, isBenchError } from '../errors.js'
import type { PluginRef } from '../config/types.js'
import { discoverPackages } from './discover-packages.js'
import { isPathRef, type ListingSink, loadPluginRef, resolvePackage } from './load-plugin.js'
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
export async function loadInstalledPackages(registry: PluginRegistry, baseDir: string, configRefs: readonly PluginRef[], listing?: ListingSink): Promise<void> {
  const named = new Set(configRefs.map(refPackage))
  for (const pkg of discoverPackages(baseDir)) {
    if (!named.has(pkg)) await loadOrMarkBroken(registry, pkg, baseDir, listing)
  }
}

/**
 * `bench list`'s way with the config's own plugins: like the config loader, but a reference that
 * fails to load is recorded as broken (and listed) instead of stopping the listing. With `listing`,
 * a kit factory given no options that lacks only required ones is handed to it, described instead
 * of made (also in {@link loadInstalledPackages}).
 */
export async function loadConfigPluginsForListing(registry: PluginRegistry, refs: readonly PluginRef[], baseDir: string, listing?: ListingSink): Promise<void> {
  for (const ref of refs) await loadOrMarkBroken(registry, ref, baseDir, listing)
}

async function loadOrMarkBroken(registry: PluginRegistry, ref: PluginRef, baseDir: string, listing?: ListingSink): Promise<void> {
  try {
    await loadPluginRef(ref, registry, baseDir, listing)
  } catch (error) {
    const name = refPackage(ref) ?? 'inline plugin'
    let source = isPathRef(name) ? `file:${name}` : /(^|\/)bonbench-plugin-/.test(name) ? `npm:${name}` : 'built-in'
    try {
      if (source.startsWith('npm:')) source = `npm:${name}@${resolvePackage(name, baseDir).version}`
    } catch {
      // Not installed, or an unreadable package.json: the error says what is wrong.
    }
    const wrapped = isBenchError(error)
      ? error
      : new BenchError('BENCH_PLUGIN_INVALID', `The plugin ${name} failed to load: ${(error as Error).message}`, { cause: error })
    registry.addBroken({ name, source, error: wrapped })
  }
}
