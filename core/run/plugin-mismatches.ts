import { isDeepStrictEqual } from 'node:util'
import { bareName } from '../plugin-name.js'
import type { PluginRegistry } from '../registry/registry.js'
import { harnessPackage, pluginRecords, type PluginRecord, type Provenance } from './provenance.js'

/** Plugin kinds a cell runs with: each must be loaded again to run the run's cells. */
const CELL_KINDS = new Set(['task', 'model', 'verifier', 'strategy'])

/**
 * What differs between the plugins a run recorded and the ones a queue worker or a resumed run
 * loaded, one line each (empty: they may run the run's cells). Every recorded task, model, verifier and strategy
 * must be loaded with the same version and options, and bonbench must be the same version; where a
 * plugin comes from (`source`: a path, a package) may differ between machines. A recorded reporter
 * loaded here must have the same version and options too: its options decide what the run's
 * reports hold (the json reporter's `alpha`, which comparisons results.json calls significant). One
 * not loaded here (a queue worker, which writes no reports; a resume with `--no-reports`) writes
 * nothing, so it is no difference.
 */
export function pluginMismatches(
  recorded: { harness: { version: string }; plugins: readonly PluginRecord[] },
  mine: { harness: { version: string }; plugins: readonly PluginRecord[] },
  /** The plugin's `meta.neutralOptions` (by kind and name): options that may differ. */
  neutralOptions: (kind: string, name: string) => readonly string[] = () => [],
): string[] {
  const out: string[] = []
  if (recorded.harness.version === 'unknown')
    out.push(`the run predates recorded bonbench versions (a version-1 run.json), so nothing shows that bonbench ${mine.harness.version} here ran it`)
  else if (recorded.harness.version !== mine.harness.version) out.push(`bonbench ${mine.harness.version} here, ${recorded.harness.version} in the run`)
  const byName = new Map(mine.plugins.map((p) => [`${p.kind}:${p.name}`, p]))
  for (const want of recorded.plugins) {
    if (!CELL_KINDS.has(want.kind) && want.kind !== 'reporter') continue
    const have = byName.get(`${want.kind}:${want.name}`)
    if (!have) {
      if (want.kind !== 'reporter') out.push(`${want.kind} ${want.name}@${want.version} is not loaded here`)
    } else if (have.version !== want.version) out.push(`${want.kind} ${want.name} is version ${have.version} here, ${want.version} in the run`)
    else {
      const neutral = neutralOptions(want.kind, want.name)
      if (!isDeepStrictEqual(without(have.options, neutral), without(want.options, neutral)))
        out.push(`${want.kind} ${want.name} has other options here (${JSON.stringify(have.options)})`)
    }
  }
  return out
}

/**
 * The recorded plugins the run's `cells` can use: every one but a task or model that no planned
 * cell names (by its full or bare name). A config's plugins are recorded whether used or not — the
 * default config's `math` entry in a toy run — and such an entry is not needed again to finish or
 * evaluate the run's cells. Pure.
 */
export function usedByCells(plugins: readonly PluginRecord[], cells: readonly { key: { task: string; model: string } }[]): PluginRecord[] {
  const named = { task: new Set(cells.map((c) => c.key.task)), model: new Set(cells.map((c) => c.key.model)) }
  return plugins.filter((p) => {
    if (p.kind !== 'task' && p.kind !== 'model') return true
    const names = named[p.kind]
    return names.has(p.name) || names.has(bareName(p.name))
  })
}

/**
 * {@link pluginMismatches} of the run's record against what this process loaded: this bonbench and
 * the plugins `registry` holds, each plugin's `meta.neutralOptions` allowed to differ. What a queue
 * worker and a resumed run check before running the run's cells.
 */
export function loadedPluginMismatches(recorded: { harness: { version: string }; plugins: readonly PluginRecord[] }, registry: PluginRegistry): string[] {
  return pluginMismatches(
    recorded,
    { harness: harnessPackage(), plugins: pluginRecords(registry) },
    (_kind, name) => registry.entry(name)?.plugin.meta.neutralOptions ?? [],
  )
}

function without(options: unknown, names: readonly string[]): unknown {
  if (names.length === 0 || !options || typeof options !== 'object') return options
  return Object.fromEntries(Object.entries(options).filter(([name]) => !names.includes(name)))
}

/**
 * A plugin's options without those its `meta.neutralOptions` declares: what a cache key holds, so
 * that another value of an option that never changes a result (a sampling worker count, a server's
 * URL) finds the same entry, as a resume accepts it.
 */
export function resultOptions(plugin: { options?: unknown; meta: { neutralOptions?: readonly string[] } }): unknown {
  return without(plugin.options ?? {}, plugin.meta.neutralOptions ?? [])
}

/**
 * Data files of the run whose bytes are not among those loaded here (a file changed, or is gone),
 * one line each. By content, not by path: a run resumed from another folder names its files by
 * other paths.
 */
export function dataFileMismatches(recorded: Provenance['dataFiles'], mine: Provenance['dataFiles']): string[] {
  const here = new Set(mine.map((f) => f.sha256))
  return recorded.filter((f) => !here.has(f.sha256)).map((f) => `data file ${f.path} (sha256 ${f.sha256} in the run) is not loaded here with those bytes`)
}
