/** Facts every plugin carries: recorded in each run manifest for reproducibility. */
export interface PluginMeta {
  /** Semantic version of the plugin (for a package: its package.json version). */
  version: string
  /** One line saying what the plugin does; shown by `bench list`. */
  description?: string
}

/** The five plugin kinds (DESIGN §3). */
export type PluginKind = 'model' | 'verifier' | 'task' | 'strategy' | 'reporter'

/**
 * A minimal schema: anything with a `safeParse` (zod schemas qualify). A plugin that declares
 * `optionsSchema` has its options checked at load time; a failure is reported with the plugin's name.
 */
export interface OptionsSchema<T = unknown> {
  safeParse(input: unknown): { success: true; data: T } | { success: false; error: { message: string } }
}

/** Fields shared by every plugin object. */
export interface PluginBase<K extends PluginKind = PluginKind> {
  /** Namespaced: `bonbench:<name>` for built-ins, `<package>/<name>` for third-party plugins. */
  name: string
  kind: K
  meta: PluginMeta
  /** The options the factory was called with (after defaults), recorded in results. */
  options?: Record<string, unknown>
  /** Checked against `options` when the plugin is loaded; a failure names the plugin. */
  optionsSchema?: OptionsSchema
}

/** Deterministic random source handed to plugins; seeded by the core. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** Integer in [0, n). */
  int(n: number): number
  /** A new independent stream derived from this one and a label. */
  fork(label: string | number): Rng
}
