import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveConfig, type ResolvedConfig } from '../../core/config/resolve-config.js'
import type { UserConfig } from '../../core/config/types.js'
import type { Plugin } from '../../core/plugin-api/index.js'
import type { JournalRecord } from '../../core/run/journal-types.js'
import { loadPluginRef } from '../../core/registry/load-plugin.js'
import { PluginRegistry } from '../../core/registry/registry.js'
import { builtins } from '../../cli/builtins.js'

/** A temporary project folder for a programmatic run; `cleanup` removes it. */
export function tempProject(prefix = 'bonbench-run-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * A resolved config and a registry for a small programmatic `runMatrix`: the toy task and the
 * tabular model by default (fast, no pretraining), runs and cache inside `dir`, the given plugin
 * objects registered inline. `config` is merged over the defaults (matrix fields one by one);
 * concurrency is 1 unless `config.concurrency` says otherwise. A config whose `plugins` names
 * built-ins with options (`['tiny-transformer', { width: 16 }]`) needs {@link toyRunSetupWithPlugins}:
 * this one would leave those options out of the registry, so it refuses them.
 */
export function toyRunSetup(dir: string, opts: { plugins?: Plugin[]; config?: UserConfig } = {}): { config: ResolvedConfig; registry: PluginRegistry } {
  if (opts.config?.plugins?.length) throw new Error('toyRunSetup: config.plugins is loaded by toyRunSetupWithPlugins (its options apply only there)')
  return setupOf(dir, opts)
}

/**
 * {@link toyRunSetup} for a config with `plugins`: each reference (a built-in's name with its
 * options, a path, a package) is loaded into the registry as a run loads it (core/run/setup.ts),
 * so `['tiny-transformer', { width: 16 }]` is the model the run creates.
 */
export async function toyRunSetupWithPlugins(
  dir: string,
  opts: { plugins?: Plugin[]; config?: UserConfig } = {},
): Promise<{ config: ResolvedConfig; registry: PluginRegistry }> {
  const setup = setupOf(dir, opts)
  for (const ref of setup.config.plugins) await loadPluginRef(ref, setup.registry, setup.config.baseDir)
  return setup
}

function setupOf(dir: string, opts: { plugins?: Plugin[]; config?: UserConfig }): { config: ResolvedConfig; registry: PluginRegistry } {
  const registry = new PluginRegistry({ builtins })
  for (const plugin of opts.plugins ?? []) registry.add(plugin, 'inline')
  const user = opts.config ?? {}
  const config = resolveConfig({
    cwd: dir,
    fileConfig: {
      ...user,
      matrix: { task: 'toy', model: 'tabular', strategies: [], nGrid: [1, 2], seeds: [1], ...user.matrix },
      train: { steps: 2, batchPrompts: 2, ...user.train },
      eval: { testPrompts: 3, bootstrap: 50, ...user.eval },
      runsDir: join(dir, 'runs'),
      cacheDir: join(dir, 'cache'),
      concurrency: user.concurrency ?? 1,
    },
  })
  return { config, registry }
}

/** The records of a run's journal, in order. */
export function journalOf(runDir: string): JournalRecord[] {
  return readFileSync(join(runDir, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JournalRecord)
}

/** The one run directory a run created under `<dir>/runs` (for runs that threw before returning it). */
export function onlyRunDir(dir: string): string {
  const runs = readdirSync(join(dir, 'runs'))
  if (runs.length !== 1) throw new Error(`expected one run directory in ${dir}/runs, found ${runs.length}`)
  return join(dir, 'runs', runs[0]!)
}
