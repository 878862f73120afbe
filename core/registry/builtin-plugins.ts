import type { Plugin, PluginKind } from '../plugin-api/index.js'

/** A built-in plugin factory: takes the user's options, validates them, returns the plugin object. */
export type PluginFactory = (options?: Record<string, unknown>) => Plugin

/**
 * One built-in plugin as the composition root (cli/builtins.ts) hands it to the registry: its
 * kind, known without loading it (so `bench list` and "known tasks" messages load nothing), and
 * `load`, which imports its module on first use and resolves to its factory.
 */
export interface BuiltinPlugin {
  kind: PluginKind
  load(): Promise<PluginFactory>
}

/**
 * Built-in plugins by short name (a map, never an if-chain). The core names none itself: the
 * composition root injects them (`new PluginRegistry({ builtins })`, `setupRun({ builtins })`).
 * The registry names them `bonbench:<short name>`; users refer to them by the short name.
 */
export type BuiltinPlugins = Readonly<Record<string, BuiltinPlugin>>
