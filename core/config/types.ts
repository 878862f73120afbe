import type { z } from 'zod'
import type { evalConfigSchema, matrixConfigSchema, pluginRefSchema, trainConfigSchema, userConfigSchema } from './schema.js'

// The config types are inferred from the zod schemas in schema.ts (their fields carry the JSDoc),
// so what type-checks and what validates cannot drift apart. `import type` keeps zod out of the
// runtime imports of `defineConfig`.

/**
 * How a config refers to a plugin: a built-in or loaded name (`'math'`, `'bonbench:math'`),
 * `[name, options]`, a plugin object, a path to a `.ts`/`.js`/`.mjs` file, or an npm package
 * `bonbench-plugin-<x>` (scoped too). Relative paths resolve against the config file's folder.
 */
export type PluginRef = z.input<typeof pluginRefSchema>

/** The axes of a run (DESIGN §1): every strategy × N′ × temperature × seed. */
export type MatrixConfig = z.input<typeof matrixConfigSchema>

/** Training settings shared by every strategy cell. */
export type TrainConfig = z.input<typeof trainConfigSchema>

/** Evaluation settings. */
export type EvalConfig = z.input<typeof evalConfigSchema>

/**
 * What people write in `bench.config.*` (every field optional; flags override). Validated by
 * `userConfigSchema` when loaded; `ResolvedConfig` is what a run uses.
 */
export type UserConfig = z.input<typeof userConfigSchema>

/** A config export: an object, a promise of one, or a function of the environment. */
export type ConfigExport = UserConfig | Promise<UserConfig> | ((env: ConfigEnv) => UserConfig | Promise<UserConfig>)

/** Handed to a function config. */
export interface ConfigEnv {
  command: string
  preset?: string
}

/** Identity helper with overloads (Vite-style) so configs are type-checked. */
export function defineConfig(config: UserConfig): UserConfig
export function defineConfig(config: Promise<UserConfig>): Promise<UserConfig>
export function defineConfig(config: (env: ConfigEnv) => UserConfig | Promise<UserConfig>): (env: ConfigEnv) => UserConfig | Promise<UserConfig>
export function defineConfig(config: ConfigExport): ConfigExport {
  return config
}
