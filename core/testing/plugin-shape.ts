import type { PluginKind } from '../plugin-api/common.js'
import { validatePlugin } from '../registry/validate-plugin.js'
import type { ContractCollector } from './contract-report.js'

/**
 * The checks every kind shares, run first by each tester: the loader's own validation (`shape`:
 * name, kind, meta.version, required hooks, options against `optionsSchema`), the expected kind
 * (`kind`) and a namespaced name (`name`: `bonbench:<name>` or `<package>/<name>`). Returns
 * false when the object is too broken for the kind's other checks to run.
 */
export async function checkPluginShape(plugin: unknown, kind: PluginKind, collector: ContractCollector): Promise<boolean> {
  const shapeOk = await collector.run('shape', () => {
    validatePlugin(plugin, 'the contract tester')
  })
  const kindOk = await collector.run('kind', (fail) => {
    const actual = (plugin as { kind?: unknown } | null)?.kind
    if (actual !== kind) fail(`expected kind '${kind}', got ${JSON.stringify(actual)}`)
  })
  await collector.run('name', (fail) => {
    const name = (plugin as { name?: unknown } | null)?.name
    if (typeof name !== 'string' || !/^[^\s:/]+[:/][^\s]+$/.test(name)) {
      fail(`name ${JSON.stringify(name)} is not namespaced: use 'bonbench:<name>' for built-ins or '<package>/<name>'`)
    }
  })
  return shapeOk && kindOk
}

/** The plugin's name for reports, whatever the object looks like. */
export function pluginLabel(plugin: unknown): string {
  const name = (plugin as { name?: unknown } | null)?.name
  return typeof name === 'string' && name !== '' ? name : '(unnamed plugin)'
}
