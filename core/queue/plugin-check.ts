import { isDeepStrictEqual } from 'node:util'
import type { PluginRecord } from '../run/provenance.js'

/** Plugin kinds a cell runs with (reporters run on the coordinator only). */
const CELL_KINDS = new Set(['task', 'model', 'verifier', 'strategy'])

/**
 * What differs between the plugins a run recorded and the ones a worker loaded, one line each
 * (empty: the worker may run the run's cells). Every recorded task, model, verifier and strategy
 * must be loaded with the same version and options, and bonbench must be the same version; where a
 * plugin comes from (`source`: a path, a package) may differ between machines.
 */
export function pluginMismatches(
  recorded: { harness: { version: string }; plugins: readonly PluginRecord[] },
  mine: { harness: { version: string }; plugins: readonly PluginRecord[] },
): string[] {
  const out: string[] = []
  if (recorded.harness.version !== mine.harness.version) out.push(`bonbench ${mine.harness.version} here, ${recorded.harness.version} in the run`)
  const byName = new Map(mine.plugins.map((p) => [`${p.kind}:${p.name}`, p]))
  for (const want of recorded.plugins) {
    if (!CELL_KINDS.has(want.kind)) continue
    const have = byName.get(`${want.kind}:${want.name}`)
    if (!have) out.push(`${want.kind} ${want.name}@${want.version} is not loaded here`)
    else if (have.version !== want.version) out.push(`${want.kind} ${want.name} is version ${have.version} here, ${want.version} in the run`)
    else if (!isDeepStrictEqual(have.options, want.options)) out.push(`${want.kind} ${want.name} has other options here (${JSON.stringify(have.options)})`)
  }
  return out
}
