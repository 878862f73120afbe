import { execa } from 'execa'
import { cpus, platform, arch } from 'node:os'
import type { ResolvedConfig } from '../config/resolve-config.js'
import type { PluginRegistry } from '../registry/registry.js'
import type { PlannedCell } from './planner.js'
import type { RunManifest } from './journal-types.js'

/** The git commit of `cwd`, when it is a git checkout (undefined otherwise). */
export async function gitState(cwd: string): Promise<RunManifest['git']> {
  try {
    const commit = await execa('git', ['rev-parse', 'HEAD'], { cwd, reject: true, timeout: 5000 })
    const status = await execa('git', ['status', '--porcelain'], { cwd, reject: true, timeout: 5000 })
    return { commit: commit.stdout.trim(), dirty: status.stdout.trim() !== '' }
  } catch {
    return undefined
  }
}

/** The resolved config as plain JSON (plugin objects become their names). */
export function configToJson(config: ResolvedConfig): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({ ...config, plugins: config.plugins.map((ref) => (typeof ref === 'object' && !Array.isArray(ref) ? { inline: ref.name } : ref)) }),
  ) as Record<string, unknown>
}

/** Builds run.json: everything needed to reproduce the run. */
export async function buildManifest(opts: {
  runId: string
  config: ResolvedConfig
  registry: PluginRegistry
  cells: PlannedCell[]
  dataFiles: RunManifest['dataFiles']
  backend?: string
  argv: string[]
  cwd: string
}): Promise<RunManifest> {
  const cpuList = cpus()
  return {
    version: 1,
    runId: opts.runId,
    createdAt: new Date().toISOString(),
    config: configToJson(opts.config),
    plugins: opts.registry.list().map(({ plugin, source }) => ({
      name: plugin.name,
      kind: plugin.kind,
      version: plugin.meta.version,
      options: (plugin.options ?? {}) as Record<string, unknown>,
      source,
    })),
    cells: opts.cells,
    dataFiles: opts.dataFiles,
    git: await gitState(opts.cwd),
    node: process.version,
    backend: opts.backend,
    platform: { os: platform(), arch: arch(), cpus: cpuList.length, cpuModel: cpuList[0]?.model ?? 'unknown' },
    seeds: [...opts.config.seeds],
    argv: opts.argv,
  }
}
