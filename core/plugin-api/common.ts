/** Facts every plugin carries: recorded in each run manifest for reproducibility. */
export interface PluginMeta {
  /** Semantic version of the plugin (for a package: its package.json version). */
  version: string
  /** One line saying what the plugin does; shown by `bench list`. */
  description?: string
  /**
   * A semver range of the bonbench plugin API the plugin needs (e.g. `'^0.1.0'`, `'>=0.1.0 <0.3.0'`),
   * checked against the installed bonbench's version when the plugin is loaded; outside it the
   * load fails with BENCH_PLUGIN_API_VERSION naming both. Absent: accepted with any bonbench
   * (the plugin claims nothing). Ranges read: `x.y.z`, `^`, `~`, `>=`, `>`, `<`, `<=`, `*`/`x`,
   * space-separated conjunctions and `||`.
   */
  apiVersion?: string
  /**
   * Options that never change a result, only where or how the work is done (a server's URL, the
   * environment variable of a key, retries, timeouts): `bench run --resume` and queue workers,
   * which refuse a plugin whose options differ from the run's record, accept other values for these,
   * and the base model's cache key leaves them out. Declare only what a test shows changes no number.
   */
  neutralOptions?: readonly string[]
}

/** The five plugin kinds (DESIGN §3). */
export type PluginKind = 'model' | 'verifier' | 'task' | 'strategy' | 'reporter'

/** Each kind's plural, for messages that list plugins of one kind ("Known strategies: …"). */
export const pluginKindPlurals: Readonly<Record<PluginKind, string>> = {
  model: 'models',
  verifier: 'verifiers',
  task: 'tasks',
  strategy: 'strategies',
  reporter: 'reporters',
}

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
  /**
   * Optional lifecycle, the same for every kind. The core calls `setup` once per run, before the
   * run first uses the plugin (open pools, spawn workers, connect), in this order: reporters, task,
   * model, reward verifier, selector verifier, strategies (a plugin used twice, e.g. one verifier
   * as reward and selector, is set up once). A setup that throws stops the run before any work (a
   * BenchError keeps its code; any other error becomes BENCH_RUN_INVALID naming the plugin), and
   * the plugins already set up are disposed.
   */
  setup?(ctx: PluginSetupContext): Promise<void> | void
  /**
   * Frees what the plugin holds (isolate pools, child processes, worker threads, tensors). The
   * core calls it exactly once per run for every plugin it set up — on success, on error and on
   * interruption — in reverse order of setup. A dispose that throws is reported with the plugin's
   * name and does not stop the other disposals. It must be safe to call twice, and a later
   * `setup` must make the plugin usable again (one plugin object may serve several runs in one
   * process). Model *instances* have their own `dispose()` (core/plugin-api/model.ts).
   */
  dispose?(): Promise<void> | void
}

/** Handed to `setup`. */
export interface PluginSetupContext {
  /** Aborted when the run is interrupted; a long setup should honour it. */
  signal?: AbortSignal
  /** A folder for content-hash caches (the run's `cacheDir`). */
  cacheDir: string
  /** A line for the run's log. */
  log(message: string): void
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
