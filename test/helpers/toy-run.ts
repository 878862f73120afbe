import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveConfig, type ResolvedConfig } from '../../core/config/resolve-config.js'
import type { UserConfig } from '../../core/config/types.js'
import type { Plugin } from '../../core/plugin-api/index.js'
import type { JournalRecord } from '../../core/run/journal-types.js'
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
 * concurrency is 1 unless `config.concurrency` says otherwise.
 */
export function toyRunSetup(dir: string, opts: { plugins?: Plugin[]; config?: UserConfig } = {}): { config: ResolvedConfig; registry: PluginRegistry } {
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
