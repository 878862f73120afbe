/**
 * The public API's entry points into running things — `setupRun`, `runMatrix`, `prepareRerun`,
 * `loadPluginRef` — each loading its module on first call. Together they pull in about half of
 * core's modules (the stages of a run, the config loader, package discovery), which a plugin that
 * only imports the kit (`defineVerifier`, `z`) never needs: `import('bonbench')` stays under the
 * 150 ms that issue 14 sets (`npm run bench:startup`). The modules are the ones the CLI imports by
 * path, so there is still one core: the first call loads them, or finds them already loaded.
 */
import type { PluginRef } from './config/types.js'
import type { Plugin } from './plugin-api/index.js'
import type { PluginRegistry } from './registry/registry.js'
import type { RerunOptions, RerunPlan } from './run/rerun.js'
import type { RunMatrixOptions, RunOutcome } from './run/run-matrix.js'
import type { RunSetup, SetupRunOptions } from './run/setup.js'

/**
 * Loads the config file (found or given), applies the preset and the flags, and loads every plugin
 * reference into a fresh registry (see core/run/setup.ts). All validation errors surface here,
 * before any work.
 */
export async function setupRun(opts: SetupRunOptions): Promise<RunSetup> {
  return (await import('./run/setup.js')).setupRun(opts)
}

/** Runs the matrix as a pipeline of named stages (see core/run/run-matrix.ts). */
export async function runMatrix(opts: RunMatrixOptions): Promise<RunOutcome> {
  return (await import('./run/run-matrix.js')).runMatrix(opts)
}

/**
 * Prepares `bench rerun <run-dir>`: the recorded plugins and config loaded again, every difference
 * that could make it another experiment checked (see core/run/rerun.ts).
 */
export async function prepareRerun(runDir: string, options?: RerunOptions): Promise<RerunPlan> {
  return (await import('./run/rerun.js')).prepareRerun(runDir, options)
}

/**
 * Loads one plugin reference into the registry: a plugin object, `'name'`, `['name', options]`, a
 * file path or a `bonbench-plugin-*` package (see core/registry/load-plugin.ts).
 */
export async function loadPluginRef(ref: PluginRef, registry: PluginRegistry, baseDir: string): Promise<Plugin[]> {
  return (await import('./registry/load-plugin.js')).loadPluginRef(ref, registry, baseDir)
}
