import { BenchError } from '../errors.js'
import type { Plugin, PluginByKind, PluginKind } from '../plugin-api/index.js'
import { pluginKindPlurals } from '../plugin-api/common.js'
import type { BuiltinPlugins, PluginFactory } from './builtin-plugins.js'
import { validatePlugin } from './validate-plugin.js'
import { bareName, nearestName } from '../plugin-name.js'

/** A plugin known to a run, with where it came from (shown by `bench list`, kept in manifests). */
export interface RegisteredPlugin {
  plugin: Plugin
  /** 'built-in', 'inline', 'file:<path>' or 'npm:<package>@<version>'. */
  source: string
}

/** A plugin package (or, for `bench list`, a config's plugin file) that could not be loaded. */
export interface BrokenPackage {
  /** The package name, e.g. `bonbench-plugin-dice`, or the reference as the config wrote it. */
  name: string
  /** 'npm:<package>@<version>', 'npm:<package>' when its package.json is unreadable, or 'file:<ref>'. */
  source: string
  error: BenchError
}

/** The built-in namespace. */
export const BUILTIN_PREFIX = 'bonbench:'

/** The name every installed plugin package starts with (`bonbench-plugin-<name>`, or under a scope): how discovery finds them. */
export const PLUGIN_PACKAGE_PREFIX = 'bonbench-plugin-'

/** What a registry starts from. */
export interface PluginRegistryOptions {
  /** The built-ins names may resolve to (none by default: the core imports no plugin). */
  builtins?: BuiltinPlugins
}

/**
 * The plugins of one run, by name. Built-ins (injected by the composition root) are loaded and
 * instantiated with default options the first time a name refers to them; configured plugins are
 * added by the loader. The `bonbench:` namespace and the built-ins' short names belong to the
 * built-ins: a short name always means the built-in, loaded or not, and a third-party plugin may
 * not take either (see {@link PluginRegistry.add}).
 */
export class PluginRegistry {
  #byName = new Map<string, RegisteredPlugin>()
  #broken = new Map<string, BrokenPackage>()
  readonly #builtins: BuiltinPlugins

  constructor(options: PluginRegistryOptions = {}) {
    this.#builtins = options.builtins ?? {}
  }

  /**
   * Adds a validated plugin; two plugins with one name are an error naming both sources. A plugin
   * from a file or a package (`source` 'file:…' or 'npm:…') named `bonbench:<name>`, or named
   * exactly as a built-in's short name, is refused (BENCH_PLUGIN_RESERVED_NAME): it would replace
   * the built-in that name means.
   */
  add(plugin: Plugin, source: string): Plugin {
    validatePlugin(plugin, source)
    // Plugins from files and packages; a plugin object a program hands over (a built-in made with
    // options, composed in code) is the caller's own choice and keeps its name.
    if (source.startsWith('file:') || source.startsWith('npm:')) this.#refuseReservedName(plugin.name, source)
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
    return this.#find(name) !== undefined || this.builtinKind(shortName(name)) !== undefined
  }

  /**
   * Resolves a name to a plugin of `kind`: an exact name, then `bonbench:<name>` (a built-in with
   * default options, its module imported here on first use), then a unique `<package>/<name>`
   * suffix, which applies only to names no built-in has. Rejects when none matches.
   */
  async get<K extends PluginKind>(kind: K, name: string): Promise<PluginByKind[K]> {
    let entry = this.#find(name)
    const factory = entry ? undefined : await this.builtinFactory(shortName(name))
    // Another get() may have added the built-in while its module loaded.
    entry ??= this.#find(name)
    if (!entry && factory) entry = this.#byName.get(this.add(factory({}), 'built-in').name)
    if (!entry) {
      const from = [...this.#broken.values()].find((b) => name.startsWith(`${b.name}/`))
      if (from)
        throw new BenchError(from.error.code, `${kind} '${name}' comes from the installed package ${from.name}, which failed to load: ${from.error.message}`, {
          cause: from.error,
        })
      const known = this.names(kind)
      const broken = [...this.#broken.values()].map((b) => `\n  ${b.name}: ${b.error.message}`).join('')
      const near = nearestName(name, known)
      throw new BenchError(
        'BENCH_PLUGIN_NOT_FOUND',
        `No ${kind} plugin named '${name}'.${near ? ` Did you mean '${near}'?` : ''} Known ${pluginKindPlurals[kind]}: ${known.join(', ') || '(none)'}. Add it to the config's plugins list (a file path or an installed bonbench-plugin-* package).` +
          (broken ? `\nInstalled packages that failed to load (one may hold it):${broken}` : ''),
      )
    }
    if (entry.plugin.kind !== kind) {
      // A short name means the built-in even where a third-party plugin has it as its suffix: name that one in full.
      const fullNames = (entry.source === 'built-in' ? this.#bySuffix(name) : []).filter((e) => e.plugin.kind === kind).map((e) => `'${e.plugin.name}'`)
      const hint = fullNames.length > 0 ? ` The short name '${name}' means the built-in; for the ${kind} ${fullNames.join(' or ')}, write its full name.` : ''
      throw new BenchError('BENCH_PLUGIN_INVALID', `'${name}' is a ${entry.plugin.kind} plugin (${entry.source}), but a ${kind} is needed here.${hint}`)
    }
    return entry.plugin as PluginByKind[K]
  }

  /**
   * Records an installed `bonbench-plugin-*` package that failed to load (found by discovery, not
   * named by the config): `bench list` shows it, and a name it would have provided fails with its error.
   */
  addBroken(broken: BrokenPackage): void {
    this.#broken.set(broken.name, broken)
  }

  /** The installed packages that failed to load, in discovery order. */
  broken(): BrokenPackage[] {
    return [...this.#broken.values()]
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
    const loaded = this.list()
      .filter((e) => e.plugin.kind === kind)
      .map((e) => e.plugin.name)
    const builtinNames = this.builtinNames()
      .filter((short) => !loaded.includes(BUILTIN_PREFIX + short))
      .filter((short) => this.builtinKind(short) === kind)
    return [...loaded, ...builtinNames.map((short) => BUILTIN_PREFIX + short)]
  }

  /** The short names of the injected built-ins, in the order they were given. */
  builtinNames(): string[] {
    return Object.keys(this.#builtins)
  }

  /** The kind of a built-in by short name (known without loading it); undefined when there is none. */
  builtinKind(short: string): PluginKind | undefined {
    return Object.hasOwn(this.#builtins, short) ? this.#builtins[short]!.kind : undefined
  }

  /** The factory of a built-in by short name, its module imported on first call; undefined when there is none. */
  async builtinFactory(short: string): Promise<PluginFactory | undefined> {
    return Object.hasOwn(this.#builtins, short) ? await this.#builtins[short]!.load() : undefined
  }

  /**
   * The registered plugin a name means: its exact name, then the built-in `bonbench:<name>`, then
   * a unique `<package>/<name>` suffix. A built-in's short name never falls through to the suffix
   * rule: undefined until the built-in is loaded (get() loads it), whatever else was added.
   */
  #find(name: string): RegisteredPlugin | undefined {
    const exact = this.#byName.get(name) ?? this.#byName.get(BUILTIN_PREFIX + name)
    if (exact) return exact
    if (this.builtinKind(shortName(name)) !== undefined) return undefined
    const bySuffix = this.#bySuffix(name)
    if (bySuffix.length > 1) {
      throw new BenchError('BENCH_PLUGIN_DUPLICATE', `The name '${name}' is ambiguous: ${bySuffix.map((e) => e.plugin.name).join(', ')}. Use the full name.`)
    }
    return bySuffix[0]
  }

  /** The registered plugins named `<package>/<name>`. */
  #bySuffix(name: string): RegisteredPlugin[] {
    return this.list().filter((e) => e.plugin.name.endsWith(`/${name}`))
  }

  /** Refuses a third-party plugin named `bonbench:…` or as a built-in's short name (see add()). */
  #refuseReservedName(name: string, source: string): void {
    const from = describeSource(source)
    const suggested = `'${suggestedPackage(source)}/${bareName(name)}'`
    if (name.startsWith(BUILTIN_PREFIX)) {
      throw new BenchError(
        'BENCH_PLUGIN_RESERVED_NAME',
        `Plugin '${name}' (from ${from}) uses the namespace '${BUILTIN_PREFIX}', which is reserved for bonbench's built-in plugins. Name it ${suggested} (third-party plugins are named '<package>/<name>').`,
      )
    }
    if (this.builtinKind(name) !== undefined) {
      throw new BenchError(
        'BENCH_PLUGIN_RESERVED_NAME',
        `Plugin '${name}' (from ${from}) has the short name of the built-in ${this.builtinKind(name)} '${BUILTIN_PREFIX}${name}', which the name '${name}' always means. Name it ${suggested} (third-party plugins are named '<package>/<name>').`,
      )
    }
  }
}

/** 'file:/a/b.mjs' → 'the file /a/b.mjs'; 'npm:pkg@1.0.0' → 'the package pkg@1.0.0'; others as they are. */
function describeSource(source: string): string {
  if (source.startsWith('file:')) return `the file ${source.slice('file:'.length)}`
  if (source.startsWith('npm:')) return `the package ${source.slice('npm:'.length)}`
  return `a plugin object (${source})`
}

/** The `<package>` a renamed plugin should take: the package's own name for a package, else a placeholder. */
function suggestedPackage(source: string): string {
  if (!source.startsWith('npm:')) return '<package>'
  const spec = source.slice('npm:'.length)
  const at = spec.lastIndexOf('@')
  return at > 0 ? spec.slice(0, at) : spec
}

/** 'bonbench:math' → 'math'; other names unchanged. */
export function shortName(name: string): string {
  return name.startsWith(BUILTIN_PREFIX) ? name.slice(BUILTIN_PREFIX.length) : name
}
