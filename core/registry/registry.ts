import { BenchError } from '../errors.js'
import type { Plugin, PluginByKind, PluginKind } from '../plugin-api/index.js'
import { builtins } from '../../plugins/builtins.js'
import { validatePlugin } from './validate-plugin.js'

/** A plugin known to a run, with where it came from (shown by `bench list`, kept in manifests). */
export interface RegisteredPlugin {
  plugin: Plugin
  /** 'built-in', 'inline', 'file:<path>' or 'npm:<package>@<version>'. */
  source: string
}

/** The built-in namespace. */
export const BUILTIN_PREFIX = 'bonbench:'

/**
 * The plugins of one run, by name. Built-ins are instantiated lazily with default options the
 * first time a name refers to them; configured plugins are added by the loader.
 */
export class PluginRegistry {
  #byName = new Map<string, RegisteredPlugin>()

  /** Adds a validated plugin; two plugins with one name are an error naming both sources. */
  add(plugin: Plugin, source: string): Plugin {
    validatePlugin(plugin, source)
    const existing = this.#byName.get(plugin.name)
    if (existing) {
      throw new BenchError(
        'BENCH_PLUGIN_DUPLICATE',
        `Two plugins are named '${plugin.name}' (from ${existing.source} and from ${source}). Remove one from the config's plugins list, or give one a different name.`,
      )
    }
    this.#byName.set(plugin.name, { plugin, source })
    return plugin
  }

  /** Whether a name (full, or short for a built-in or a unique suffix) resolves. */
  has(name: string): boolean {
    return this.#find(name) !== undefined || shortName(name) in builtins
  }

  /**
   * Resolves a name to a plugin of `kind`: an exact name, then `bonbench:<name>`, then a unique
   * `<package>/<name>` suffix, then a built-in with default options. Throws when none matches.
   */
  get<K extends PluginKind>(kind: K, name: string): PluginByKind[K] {
    let entry = this.#find(name)
    if (!entry && shortName(name) in builtins) {
      const plugin = builtins[shortName(name)]!({})
      this.add(plugin, 'built-in')
      entry = this.#byName.get(plugin.name)
    }
    if (!entry) {
      const known = this.names(kind)
      throw new BenchError(
        'BENCH_PLUGIN_NOT_FOUND',
        `No ${kind} plugin named '${name}'. Known ${kind}s: ${known.join(', ') || '(none)'}. Add it to the config's plugins list (a file path or an installed bonbench-plugin-* package).`,
      )
    }
    if (entry.plugin.kind !== kind) {
      throw new BenchError('BENCH_PLUGIN_INVALID', `'${name}' is a ${entry.plugin.kind} plugin (${entry.source}), but a ${kind} is needed here.`)
    }
    return entry.plugin as PluginByKind[K]
  }

  /** The registered entry of a plugin object or name. */
  entry(name: string): RegisteredPlugin | undefined {
    return this.#find(name)
  }

  /** Every registered plugin (configured, or built-ins already used). */
  list(): RegisteredPlugin[] {
    return [...this.#byName.values()]
  }

  /** Short and full names of every plugin of a kind, built-ins included. */
  names(kind: PluginKind): string[] {
    const loaded = this.list().filter((e) => e.plugin.kind === kind).map((e) => e.plugin.name)
    const builtinNames = Object.keys(builtins)
      .filter((short) => !loaded.includes(BUILTIN_PREFIX + short))
      .filter((short) => builtinKind(short) === kind)
    return [...loaded, ...builtinNames.map((short) => BUILTIN_PREFIX + short)]
  }

  #find(name: string): RegisteredPlugin | undefined {
    const exact = this.#byName.get(name) ?? this.#byName.get(BUILTIN_PREFIX + name)
    if (exact) return exact
    const bySuffix = this.list().filter((e) => e.plugin.name.endsWith(`/${name}`))
    if (bySuffix.length > 1) {
      throw new BenchError('BENCH_PLUGIN_DUPLICATE', `The name '${name}' is ambiguous: ${bySuffix.map((e) => e.plugin.name).join(', ')}. Use the full name.`)
    }
    return bySuffix[0]
  }
}

/** 'bonbench:math' → 'math'; other names unchanged. */
export function shortName(name: string): string {
  return name.startsWith(BUILTIN_PREFIX) ? name.slice(BUILTIN_PREFIX.length) : name
}

const kindCache = new Map<string, PluginKind>()

/** The kind of a built-in (instantiated once with default options to ask it). */
export function builtinKind(short: string): PluginKind | undefined {
  if (!(short in builtins)) return undefined
  if (!kindCache.has(short)) kindCache.set(short, builtins[short]!({}).kind)
  return kindCache.get(short)
}
