import type { Plugin } from '../core/plugin-api/index.js'

/** A built-in plugin factory: takes the user's options, validates them, returns the plugin object. */
export type PluginFactory = (options?: Record<string, unknown>) => Plugin

/**
 * Built-in plugins: short name → factory (a map, never an if-chain). The registry names them
 * `bonbench:<short name>`; users refer to them by the short name.
 */
export const builtins: Record<string, PluginFactory> = {
}
