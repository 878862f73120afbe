import type { Command } from 'commander'
import { builtins } from '../builtins.js'
import { BUILTIN_PREFIX } from '../../core/registry/registry.js'
import { discoverPackages } from '../../core/registry/discover-packages.js'
import { loadRegistry } from '../../core/run/setup.js'
import { loadConfigFile } from '../../core/config/load-config.js'
import { dirname } from 'node:path'
import { loadPluginRef } from '../../core/registry/load-plugin.js'

/** `bench list`: every plugin known — built-ins, the config's plugins and installed bonbench-plugin-* packages. */
export function registerList(program: Command): void {
  program
    .command('list')
    .description('list every known plugin: kind, name, source, version, and the selection judge of each strategy')
    .option('-c, --config <file>', 'config file (default: bench.config.* in the working directory)')
    .option('--kind <kind>', 'only this kind: model, verifier, task, strategy, reporter')
    .option('--json', 'print JSON')
    .action(async (flags: { config?: string; kind?: string; json?: boolean }) => {
      const cwd = process.cwd()
      const { config: fileConfig, file } = await loadConfigFile({ cwd, configPath: flags.config, env: { command: 'list' } })
      const baseDir = file ? dirname(file) : cwd
      const registry = await loadRegistry(fileConfig.plugins ?? [], baseDir, builtins)
      for (const short of registry.builtinNames()) if (!registry.entry(BUILTIN_PREFIX + short)) await registry.get(registry.builtinKind(short)!, short)
      const listed = new Set(registry.list().map((e) => e.source))
      for (const pkg of discoverPackages(baseDir)) {
        if ([...listed].some((s) => s.startsWith(`npm:${pkg}@`))) continue
        await loadPluginRef(pkg, registry, baseDir)
      }
      const rows = registry
        .list()
        .filter((e) => !flags.kind || e.plugin.kind === flags.kind)
        .map((e) => ({
          kind: e.plugin.kind,
          name: e.plugin.name,
          source: e.source,
          version: e.plugin.meta.version,
          ...(e.plugin.kind === 'strategy' ? { selection: e.plugin.selection } : {}),
          description: e.plugin.meta.description ?? '',
        }))
        .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name))
      if (flags.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n')
        return
      }
      // `selection`: the judge that picks each strategy's BoN winners (reward R, verifier r, none).
      const header = ['kind', 'name', 'source', 'version', 'selection']
      const table = rows.map((r) => [r.kind, r.name, r.source, r.version, r.selection ?? ''])
      const widths = header.map((h, c) => Math.max(h.length, ...table.map((row) => row[c]!.length)))
      const line = (cells: string[]) => cells.map((v, c) => v.padEnd(widths[c]!)).join('  ').trimEnd()
      process.stdout.write([line(header), ...table.map(line)].join('\n') + '\n')
    })
}
