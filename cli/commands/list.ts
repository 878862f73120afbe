import type { Command } from 'commander'
import { builtins } from '../builtins.js'
import { BenchError } from '../../core/errors.js'
import { type JsonSchema, optionRows, optionsJsonSchema } from '../../core/plugin-api/options-schema.js'
import { BUILTIN_PREFIX, type BrokenPackage, PLUGIN_PACKAGE_PREFIX, PluginRegistry, type RegisteredPlugin } from '../../core/registry/registry.js'
import { loadConfigPluginsForListing, loadInstalledPackages } from '../../core/registry/installed-packages.js'
import { loadPluginRef, type UnconfiguredPlugin } from '../../core/registry/load-plugin.js'
import { brokenHint, brokenKinds, brokenLines, brokenOrigin, brokenRow, renderBroken } from '../list-broken.js'
import { loadConfigFile } from '../../core/config/load-config.js'
import type { PluginRef } from '../../core/config/types.js'
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
      // Every plugin that loads is listed; one that does not is listed as broken with its error. A
      // plugin listed without options that lacks only required ones is described from its schema.
      const registry = new PluginRegistry({ builtins })
      const unconfigured: UnconfiguredPlugin[] = []
      const describe = (p: UnconfiguredPlugin) => void unconfigured.push(p)
      await loadConfigPluginsForListing(registry, fileConfig.plugins ?? [], baseDir, describe)
      for (const short of registry.builtinNames()) if (!registry.entry(BUILTIN_PREFIX + short)) await registry.get(registry.builtinKind(short)!, short)
      await loadInstalledPackages(registry, baseDir, fileConfig.plugins ?? [], describe)
      const broken = registry.broken()
      if (name !== undefined) {
        const needs = unconfigured.filter((p) => p.name === name || p.name.endsWith(`/${name}`))
        if (needs.length === 1 && !registry.entry(name)) {
          process.stdout.write(flags.json ? JSON.stringify(unconfiguredRow(needs[0]!), null, 2) + '\n' : formatPluginOptions(describedAs(needs[0]!)))
          return
        }
        const entry = registry.entry(name)
        // A plugin the config gives options it rejects is broken, listed under its reference: its
        // options error sends the user here, so describe its options beside the error.
        const rejected = (await optionsRejected(broken, baseDir, fileConfig.plugins ?? [])).filter(({ plugin }) => {
          const full = 'plugin' in plugin ? plugin.plugin.name : plugin.name
          return entry ? full === entry.plugin.name : full === name || full.endsWith(`/${name}`)
        })
        if (rejected.length === 1) {
          const { plugin, error } = rejected[0]!
          const row = 'plugin' in plugin ? pluginRow(plugin) : unconfiguredRow(plugin)
          process.stdout.write(
            flags.json
              ? JSON.stringify({ ...row, optionsError: { code: error.code, message: error.message } }, null, 2) + '\n'
              : formatPluginOptions({ ...describedAs(plugin), rejected: error.message }),
          )
          return
        }
        // A plugin's name starts with its package's, and a short name is the package's without
        // bonbench-plugin- (the scaffold's convention): `bench list unbuilt` for bonbench-plugin-unbuilt.
        const from = broken.find(
          (b) =>
            name === b.name ||
            name.startsWith(`${b.name}/`) ||
            b.name === `${PLUGIN_PACKAGE_PREFIX}${name}` ||
            b.name.endsWith(`/${PLUGIN_PACKAGE_PREFIX}${name}`),
        )
        if (!entry && from) {
          const message = `'${name}' comes from ${brokenOrigin(from)}, which failed to load: ${from.error.message}${brokenHint(from, baseDir)}`
          throw new BenchError(from.error.code, message, { cause: from.error })
        }
        if (!entry) {
          const known = [...registry.list().map((e) => e.plugin.name), ...unconfigured.map((p) => p.name)].sort()
          throw new BenchError(
            'BENCH_PLUGIN_NOT_FOUND',
            `No plugin named '${name}'. Known plugins: ${known.join(', ')}. Run 'bench list' to see them all.` +
              (broken.length > 0 ? `\nPlugins that failed to load (one may hold it):${brokenLines(broken, baseDir)}` : ''),
          )
        }
        process.stdout.write(flags.json ? JSON.stringify(pluginRow(entry), null, 2) + '\n' : formatPluginOptions(describedAs(entry)))
        return
      }
      const rows = [...registry.list().map(pluginRow), ...unconfigured.map(unconfiguredRow)]
        .filter((r) => !flags.kind || r.kind === flags.kind)
        .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name))
      // What failed to load may hold a plugin of any kind: --kind leaves out only what is known to hold none of that kind.
      const shownBroken = flags.kind ? await brokenOfKind(broken, flags.kind, baseDir, fileConfig.plugins ?? []) : broken
      if (flags.json) {
        process.stdout.write(JSON.stringify([...rows, ...shownBroken.map((b) => brokenRow(b, baseDir))], null, 2) + '\n')
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
      const needing = unconfigured.filter((p) => !flags.kind || p.kind === flags.kind)
      if (needing.length > 0) process.stdout.write(renderNeedsOptions(needing))
      if (shownBroken.length > 0) process.stdout.write(renderBroken(shownBroken, baseDir))
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

/**
 * A plugin listed without options that needs some (see UnconfiguredPlugin) as `bench list --json`
 * prints it: a plugin row (its `options` JSON Schema has their names in `required`) with
 * `needsOptions`, the required options the listing lacked; no `selection` (create() says it).
 */
function unconfiguredRow(p: UnconfiguredPlugin) {
  return {
    kind: p.kind,
    name: p.name,
    source: p.source,
    version: p.meta.version,
    description: p.meta.description ?? '',
    ...(p.meta.apiVersion !== undefined ? { apiVersion: p.meta.apiVersion } : {}),
    options: optionsJsonSchema(p.optionsSchema) ?? null,
    ...(p.missing.length > 0 ? { needsOptions: p.missing } : {}),
  }
}

/**
 * The plugins of the broken references whose options were rejected (BENCH_PLUGIN_OPTIONS), each
 * loaded again without options to describe it (made, or described from its schema when it has
 * required options), with the error of the options the config gave. A plugin described from its
 * schema needs only the required options the config did not give (`missing`, maybe none): the
 * config's options are what failed, not their absence. A reference that still fails is left out
 * (`bench list <name>` then reports its error as before).
 */
async function optionsRejected(
  broken: readonly BrokenPackage[],
  baseDir: string,
  refs: readonly PluginRef[],
): Promise<Array<{ from: BrokenPackage; plugin: RegisteredPlugin | UnconfiguredPlugin; error: BenchError }>> {
  const found: Array<{ from: BrokenPackage; plugin: RegisteredPlugin | UnconfiguredPlugin; error: BenchError }> = []
  for (const b of broken) {
    if (b.error.code !== 'BENCH_PLUGIN_OPTIONS' || b.name === 'inline plugin') continue
    const given = refs.find((ref): ref is [string, Record<string, unknown>] => Array.isArray(ref) && ref[0] === b.name)?.[1] ?? {}
    const scratch = new PluginRegistry({ builtins })
    const unconfigured: UnconfiguredPlugin[] = []
    try {
      const made = await loadPluginRef(b.name, scratch, baseDir, (p) => void unconfigured.push(p))
      for (const plugin of made) {
        const entry = scratch.entry(plugin.name)
        if (entry) found.push({ from: b, plugin: entry, error: b.error })
      }
      for (const plugin of unconfigured)
        found.push({ from: b, plugin: { ...plugin, missing: plugin.missing.filter((k) => !Object.hasOwn(given, k)) }, error: b.error })
    } catch {
      // It fails without options too: not an options problem to describe.
    }
  }
  return found
}

/**
 * The broken entries `bench list --kind <kind>` shows: those that may hold a plugin of that kind.
 * One is left out only when its kinds are known and exclude it — an installed package's
 * `bonbench-<kind>` keywords, or the plugins of a reference whose options alone were rejected.
 */
async function brokenOfKind(broken: readonly BrokenPackage[], kind: string, baseDir: string, refs: readonly PluginRef[]): Promise<BrokenPackage[]> {
  const rejected = await optionsRejected(broken, baseDir, refs)
  return broken.filter((b) => {
    const described = rejected.filter(({ from }) => from === b).map(({ plugin }) => ('plugin' in plugin ? plugin.plugin.kind : plugin.kind))
    const kinds = described.length > 0 ? described : brokenKinds(b, baseDir)
    return kinds === undefined || kinds.some((k) => k === kind)
  })
}

/** The lines `bench list` prints below its table for the plugins that need options to be made. */
function renderNeedsOptions(plugins: UnconfiguredPlugin[]): string {
  const lines = ['', "need options (list them in the config as ['<file or package>', { …options }]; `bench list <name>` describes each):"]
  for (const p of plugins) lines.push(`  ${p.name}  required: ${p.missing.join(', ')}  (${p.ref})`)
  return lines.join('\n') + '\n'
}

/** What `bench list <name>` describes: a registered plugin, or one that needs options (described from its schema). */
interface Described {
  name: string
  kind: string
  meta: { version: string; description?: string; apiVersion?: string }
  optionsSchema: unknown
  source: string
  /** The required options a listing without options lacked, with the reference to list them on. */
  needs?: { missing: string[]; ref: string; inArray: boolean }
  /** The error of the options the config gives it, which its schema rejected. */
  rejected?: string
}

function describedAs(e: RegisteredPlugin | UnconfiguredPlugin): Described {
  if ('plugin' in e) {
    const { name, kind, meta, optionsSchema } = e.plugin
    return { name, kind, meta, optionsSchema, source: e.source }
  }
  return {
    name: e.name,
    kind: e.kind,
    meta: e.meta,
    optionsSchema: e.optionsSchema,
    source: e.source,
    ...(e.missing.length > 0 ? { needs: { missing: e.missing, ref: e.ref, inArray: e.inArray } } : {}),
  }
}

/** The dotted names of the required options of a JSON Schema, nested as optionRows flattens them. */
function requiredOptions(schema: JsonSchema, prefix = ''): Set<string> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]).map((k) => prefix + k) : [])
  for (const [key, property] of Object.entries(properties))
    if (property.type === 'object' && property.properties) for (const n of requiredOptions(property, `${prefix}${key}.`)) required.add(n)
  return required
}

/** `bench list <name>`: the plugin's facts, then one block per option (type, required or default, description). */
function formatPluginOptions(plugin: Described): string {
  const lines = [`${plugin.name} (${plugin.kind}, version ${plugin.meta.version}, ${plugin.source})`]
  if (plugin.meta.description) lines.push(plugin.meta.description)
  if (plugin.meta.apiVersion) lines.push(`needs bonbench ${plugin.meta.apiVersion}`)
  const { needs } = plugin
  if (needs) {
    const how = needs.inArray
      ? `${needs.ref} exports it in an array of factories, which takes no options: export a factory that passes them`
      : `list it in the config as ['${needs.ref}', { ${needs.missing.map((k) => `${k}: …`).join(', ')} }]`
    lines.push(`needs options: ${needs.missing.join(', ')} (required; ${how})`)
  }
  // The error's last sentence sends the user to this listing: leave it out here.
  if (plugin.rejected) lines.push(`the config's options are invalid: ${plugin.rejected.replace(/; `bench list [^`]*` describes each option\.$/, '.')}`)
  const schema = optionsJsonSchema(plugin.optionsSchema)
  const rows = schema ? optionRows(schema) : []
  const required = schema ? requiredOptions(schema) : new Set<string>()
  lines.push('')
  if (!schema) lines.push('options: not described (the plugin has no zod options schema)')
  else if (rows.length === 0) lines.push('options: none')
  else {
    lines.push('options:')
    for (const row of rows) {
      const fallback = row.default === '' ? '' : ` = ${row.default}`
      lines.push(`  ${row.name}: ${row.type}${fallback}${required.has(row.name) ? ' (required)' : ''}`)
      if (row.description) lines.push(`      ${row.description}`)
    }
  }
  return lines.join('\n') + '\n'
}
