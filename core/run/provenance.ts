import { createHash } from 'node:crypto'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { readFileSync } from 'node:fs'
import { cpus, platform, arch } from 'node:os'
import { resolve } from 'node:path'
import type { ResolvedConfig } from '../config/resolve-config.js'
import type { ModelDescription } from '../plugin-api/model.js'
import type { PluginRegistry } from '../registry/registry.js'
import type { RunPlugins } from './run-plugins.js'
import type { SelectionJudge } from '../plugin-api/strategy.js'
import { packageRoot } from '../package-root.js'

/** A git checkout's state: the HEAD commit and whether the tree has uncommitted changes. */
export interface GitState {
  commit: string
  dirty: boolean
}

/** One plugin as a run used it: enough to load the same one again. */
export interface PluginRecord {
  name: string
  kind: string
  version: string
  options: Record<string, unknown>
  /** 'built-in', 'inline', 'file:<path>' or 'npm:<package>@<version>'. */
  source: string
}

/**
 * Everything needed to reproduce a run, recorded in `run.json` before any work and copied verbatim
 * into `results.json` (one builder: {@link buildProvenance}). `bench rerun` reads it alone.
 */
export interface Provenance {
  /** The bonbench that ran: package name and version, and its git checkout when it runs from one. */
  harness: { name: string; version: string; git?: GitState }
  /** Node.js version (`process.version`). */
  node: string
  platform: { os: string; arch: string; cpus: number; cpuModel: string }
  /** The working directory of the run, and its git state when it is a checkout. */
  cwd: string
  git?: GitState
  /** The command line after `bench`. */
  argv: string[]
  /** The resolved config as plain JSON (inline plugin objects become `{ inline: name }`). */
  config: Record<string, unknown>
  /** Every plugin the run loaded, with version and resolved options. */
  plugins: PluginRecord[]
  /**
   * Each matrix strategy or named arm: its plugin and the judge that selects its picks (absent: the
   * plugin does not say); for a named arm (`matrix.arms`) also `arm: true`, the plugin's resolved
   * options and the arm's own learning rate, when it sets one.
   */
  strategies: Array<{ name: string; plugin: string; selection?: SelectionJudge; arm?: true; options?: Record<string, unknown>; learningRate?: number }>
  /** The environment reward R and the selector r that BoN ranks by (the same plugin for an oracle). */
  judges: { reward: string; selector: string }
  /** The backend asked for, and the one the model ran on (filled once the base model exists). */
  backend: { requested: string; resolved?: string; device?: string }
  seeds: { matrix: number[]; task: number }
  /** sha256 of every data file the task read, of its bytes on disk. */
  dataFiles: Array<{ path: string; sha256: string }>
  /** The saved model evaluated as the base (`bench eval --checkpoint`), when there was one. */
  checkpoint?: string
  /** The saved weights evaluated as the matrix's strategy cells (`bench eval` of a run's checkpoint), when there were some. */
  trainedCheckpoint?: string
  /**
   * Each test prompt's id → the first 16 hex digits of the sha256 of its prompt text: `bench
   * compare` pairs prompts by id, and a task whose prompts changed under the same ids (another
   * option, generator or data file) must not be compared as if they were the same. Absent in runs
   * recorded before it was.
   */
  testPrompts?: Record<string, string>
}

/** {@link Provenance.testPrompts} of a test split. */
export function promptDigests(problems: ReadonlyArray<{ id: string; prompt: string }>): Record<string, string> {
  const digests: Record<string, string> = {}
  for (const p of problems) digests[p.id] = createHash('sha256').update(p.prompt).digest('hex').slice(0, 16)
  return digests
}

/** bonbench's package name and version (from its package.json). */
export function harnessPackage(): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(resolve(packageRoot, 'package.json'), 'utf8')) as { name: string; version: string }
  return { name: pkg.name, version: pkg.version }
}

/** The git state of bonbench's own checkout, when it runs from one (not when installed inside another project). */
export function harnessGitState(): Promise<GitState | undefined> {
  return gitState(packageRoot, true)
}

/**
 * The git state of the checkout `dir` belongs to; with `exact`, only when `dir` is that checkout's
 * top level (so a package inside some project's node_modules is not given the project's commit).
 */
export async function gitState(dir: string, exact = false): Promise<GitState | undefined> {
  try {
    // node:child_process, not execa: `import('bonbench')` loads this module and must stay fast.
    const git = async (...args: string[]) => (await promisify(execFile)('git', args, { cwd: dir, timeout: 5000 })).stdout
    if (exact) {
      const top = await git('rev-parse', '--show-toplevel')
      if (resolve(top.trim()) !== resolve(dir)) return undefined
    }
    const commit = await git('rev-parse', 'HEAD')
    const status = await git('status', '--porcelain')
    return { commit: commit.trim(), dirty: status.trim() !== '' }
  } catch {
    return undefined
  }
}

/** The resolved config as plain JSON (plugin objects become `{ inline: name }`). */
export function configToJson(config: ResolvedConfig): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({ ...config, plugins: config.plugins.map((ref) => (typeof ref === 'object' && !Array.isArray(ref) ? { inline: ref.name } : ref)) }),
  ) as Record<string, unknown>
}

/** Every registered plugin as a record (name, kind, version, options, source), sorted by kind then name (not by when it was first used). */
export function pluginRecords(registry: PluginRegistry): PluginRecord[] {
  const sorted = [...registry.list()].sort((a, b) => (a.plugin.kind + '\0' + a.plugin.name < b.plugin.kind + '\0' + b.plugin.name ? -1 : 1))
  return sorted.map(({ plugin, source }) => ({
    name: plugin.name,
    kind: plugin.kind,
    version: plugin.meta.version,
    options: JSON.parse(JSON.stringify(plugin.options ?? {})) as Record<string, unknown>,
    source,
  }))
}

/**
 * Builds the provenance block of a run. Runs once, before any work, after the run's plugins are
 * resolved and its task has loaded (so every plugin used is registered and the data files are
 * hashed). The backend's resolved name is filled in later by {@link withResolvedBackend}.
 */
export async function buildProvenance(opts: {
  config: ResolvedConfig
  registry: PluginRegistry
  plugins: Pick<RunPlugins, 'strategies' | 'reward' | 'selector'>
  dataFiles: Provenance['dataFiles']
  argv: string[]
  cwd: string
  checkpoint?: string
  trainedCheckpoint?: string
  /** The test split the run evaluates: its prompts' digests are recorded (testPrompts). */
  testProblems?: ReadonlyArray<{ id: string; prompt: string }>
}): Promise<Provenance> {
  const cpuList = cpus()
  const [git, harnessGit] = await Promise.all([gitState(opts.cwd), harnessGitState()])
  const { config } = opts
  return {
    harness: { ...harnessPackage(), ...(harnessGit ? { git: harnessGit } : {}) },
    node: process.version,
    platform: { os: platform(), arch: arch(), cpus: cpuList.length, cpuModel: cpuList[0]?.model ?? 'unknown' },
    cwd: opts.cwd,
    ...(git ? { git } : {}),
    argv: [...opts.argv],
    config: configToJson(config),
    plugins: pluginRecords(opts.registry),
    // The loader has checked every strategy's selection (validate-plugin.ts).
    strategies: [...opts.plugins.strategies].map(([name, plugin]) => {
      const arm = config.arms?.[name]
      if (!arm) return { name, plugin: plugin.name, selection: plugin.selection }
      return {
        name,
        plugin: plugin.name,
        selection: plugin.selection,
        arm: true as const,
        options: JSON.parse(JSON.stringify(plugin.options ?? {})) as Record<string, unknown>,
        ...(arm.learningRate !== undefined ? { learningRate: arm.learningRate } : {}),
      }
    }),
    judges: { reward: opts.plugins.reward.name, selector: opts.plugins.selector.name },
    backend: { requested: config.backend },
    seeds: { matrix: [...config.seeds], task: config.taskSeed },
    dataFiles: opts.dataFiles.map((f) => ({ path: f.path, sha256: f.sha256 })),
    ...(opts.checkpoint !== undefined ? { checkpoint: resolve(opts.cwd, opts.checkpoint) } : {}),
    ...(opts.trainedCheckpoint !== undefined ? { trainedCheckpoint: resolve(opts.cwd, opts.trainedCheckpoint) } : {}),
    ...(opts.testProblems ? { testPrompts: promptDigests(opts.testProblems) } : {}),
  }
}

/** The provenance with the backend the model reports (`describe()`) filled in. */
export function withResolvedBackend(provenance: Provenance, model: Pick<ModelDescription, 'backend' | 'device'>): Provenance {
  return { ...provenance, backend: { ...provenance.backend, resolved: model.backend, device: model.device } }
}

/** A short label of a selecting strategy's judge for tables: "picks by R" or "picks by r"; undefined for no picks or an undeclared judge. */
export function selectionLabel(selection: SelectionJudge | undefined): string | undefined {
  if (selection === 'reward') return 'picks by R'
  if (selection === 'verifier') return 'picks by r'
  return undefined
}
