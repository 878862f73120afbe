import type { Command } from 'commander'
import { builtins } from '../builtins.js'
import { BenchError } from '../../core/errors.js'
import { optionRows, optionsJsonSchema } from '../../core/plugin-api/options-schema.js'
import { BUILTIN_PREFIX, PluginRegistry, type RegisteredPlugin } from '../../core/registry/registry.js'
import { loadConfigPluginsForListing, loadInstalledPackages } from '../../core/registry/installed-packages.js'
import { brokenRow, renderBroken } from '../list-broken.js'
import { loadConfigFile } from '../../core/config/load-config.js'
import { dirname } from 'node:path'
import { pluginKinds } from '../../core/registry/validate-plugin.js'
import { addExamples } from '../option-vocabulary.js'
import { choiceFlag } from '../parse-list.js'

/** `bench list`: every plugin known — built-ins, the config's plugins and installed bonbench-plugin-* packages. */
export function registerList(program: Command): void {
  const command = program
    .command('list [name]')
    .description(
      "list every known plugin: kind, name, source, version, and the selection judge of each strategy; with a name, that plugin's options (type, default, description)",
    )
    .option('-c, --config <file>', 'config file (default: bench.config.* in the working directory)')
    .option('--kind <kind>', `only this kind: ${pluginKinds.join(', ')}`, choiceFlag('--kind', pluginKinds))
    .option('--json', "print JSON (each plugin's options as JSON Schema)")
  addExamples(command, ['bench list', 'bench list --kind strategy', 'bench list bon-rlb', 'bench list --json']).action(
    async (name: string | undefined, flags: { config?: string; kind?: string; json?: boolean }) => {
      const cwd = process.cwd()
      const { config: fileConfig, file } = await loadConfigFile({ cwd, configPath: flags.config, env: { command: 'list' } })
      const baseDir = file ? dirname(file) : cwd
      // Every plugin that loads is listed; one that does not is listed as broken with its error.
      const registry = new PluginRegistry({ builtins })
      await loadConfigPluginsForListing(registry, fileConfig.plugins ?? [], baseDir)
      for (const short of registry.builtinNames()) if (!registry.entry(BUILTIN_PREFIX + short)) await registry.get(registry.builtinKind(short)!, short)
      await loadInstalledPackages(registry, baseDir, fileConfig.plugins ?? [])
      const broken = registry.broken()
      if (name !== undefined) {
        const entry = registry.entry(name)
        const from = broken.find((b) => name === b.name || name.startsWith(`${b.name}/`))
        if (!entry && from)
          throw new BenchError(from.error.code, `'${name}' comes from the installed package ${from.name}, which failed to load: ${from.error.message}`, {
            cause: from.error,
          })
        if (!entry) {
          const known = registry
            .list()
            .map((e) => e.plugin.name)
            .sort()
          throw new BenchError('BENCH_PLUGIN_NOT_FOUND', `No plugin named '${name}'. Known plugins: ${known.join(', ')}. Run 'bench list' to see them all.`)
        }
        process.stdout.write(flags.json ? JSON.stringify(pluginRow(entry), null, 2) + '\n' : formatPluginOptions(entry))
        return
      }
      const rows = registry
        .list()
        .filter((e) => !flags.kind || e.plugin.kind === flags.kind)
        .map(pluginRow)
        .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name))
      if (flags.json) {
        process.stdout.write(JSON.stringify([...rows, ...broken.map(brokenRow)], null, 2) + '\n')
        return
      }
      // `selection`: the judge that picks each strategy's BoN winners (reward R, verifier r, none).
      const header = ['kind', 'name', 'source', 'version', 'selection']
      const table = rows.map((r) => [r.kind, r.name, r.source, r.version, ('selection' in r ? r.selection : undefined) ?? ''])
      const widths = header.map((h, c) => Math.max(h.length, ...table.map((row) => row[c]!.length)))
      const line = (cells: string[]) =>
        cells
          .map((v, c) => v.padEnd(widths[c]!))
          .join('  ')
          .trimEnd()
      process.stdout.write([line(header), ...table.map(line)].join('\n') + '\n')
      if (broken.length > 0) process.stdout.write(renderBroken(broken))
    },
  )
}

/** One plugin as `bench list --json` prints it; `options` is the JSON Schema of its options (null without a zod schema). */
function pluginRow(e: RegisteredPlugin) {
  return {
    kind: e.plugin.kind,
    name: e.plugin.name,
    source: e.source,
    version: e.plugin.meta.version,
    ...(e.plugin.kind === 'strategy' ? { selection: e.plugin.selection } : {}),
    description: e.plugin.meta.description ?? '',
    ...(e.plugin.meta.apiVersion !== undefined ? { apiVersion: e.plugin.meta.apiVersion } : {}),
    options: optionsJsonSchema(e.plugin.optionsSchema) ?? null,
  }
}

/** `bench list <name>`: the plugin's facts, then one block per option (type, default, description). */
function formatPluginOptions(e: RegisteredPlugin): string {
  const { plugin } = e
  const lines = [`${plugin.name} (${plugin.kind}, version ${plugin.meta.version}, ${e.source})`]
  if (plugin.meta.description) lines.push(plugin.meta.description)
  if (plugin.meta.apiVersion) lines.push(`needs bonbench ${plugin.meta.apiVersion}`)
  const schema = optionsJsonSchema(plugin.optionsSchema)
  const rows = schema ? optionRows(schema) : []
  lines.push('')
  if (!schema) lines.push('options: not described (the plugin has no zod options schema)')
  else if (rows.length === 0) lines.push('options: none')
  else {
    lines.push('options:')
    for (const row of rows) {
      const fallback = row.default === '' ? '' : ` = ${row.default}`
      lines.push(`  ${row.name}: ${row.type}${fallback}`)
      if (row.description) lines.push(`      ${row.description}`)
    }
  }
  return lines.join('\n') + '\n'
}
