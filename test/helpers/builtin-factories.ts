import { builtins as catalog } from '../../cli/builtins.js'
import type { PluginFactory } from '../../core/registry/builtin-plugins.js'

/**
 * Every built-in's factory by short name, all loaded once when a test file imports this (the CLI
 * loads them one at a time, on first use): tests call the factories synchronously.
 */
export const builtins: Readonly<Record<string, PluginFactory>> = Object.fromEntries(
  await Promise.all(Object.entries(catalog).map(async ([short, builtin]) => [short, await builtin.load()] as const)),
)
