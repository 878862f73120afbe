import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { BenchError } from '../errors.js'
import { loadConfigFile } from '../config/load-config.js'
import { deepFreeze, type ResolvedConfig } from '../config/resolve-config.js'
import type { PluginRef } from '../config/types.js'
import type { Plugin, PluginKind } from '../plugin-api/index.js'
import type { PluginRegistry } from '../registry/registry.js'
import type { BuiltinPlugins } from '../registry/builtin-plugins.js'
import { indexJournal } from './journal-index.js'
import { readJournal } from './journal.js'
import type { JournalRecord, RunManifest } from './journal-types.js'
import { harnessGitState, harnessPackage, type Provenance } from './provenance.js'
import { checkNamedBackend, onBackendRecorded, readManifest } from './manifest.js'
import { resumeCommand } from '../summary/resume-hint.js'
import type { ShardSpec } from './shard.js'
import { resolveRunPlugins } from './run-plugins.js'
import { loadRegistry } from './setup.js'

/** A finished run made ready to run again from its record. */
export interface RerunPlan {
  /** The run directory that was recorded, and its manifest (upgraded to version 2). */
  runDir: string
  recorded: RunManifest
  /** The recorded run's journal (every planned cell has an outcome in it): what the rerun's is compared with. */
  journal: JournalRecord[]
  /**
   * The recorded resolved config, with the recorded plugins loaded again; `backend: auto` becomes
   * the backend the run recorded its model ran on, as `bench run --resume` does (core/run/manifest.ts).
   */
  config: ResolvedConfig
  /** The shard a shard run (`bench run --shard i/n`) ran: the rerun runs that shard's cells, not the whole plan. */
  shard?: ShardSpec
  registry: PluginRegistry
  /** What differs from the record and makes the rerun a different experiment (plugin versions, data hashes, harness version). */
  mismatches: string[]
  /** Differences that need not change a number (Node version, git state, platform), for the user to see. */
  notes: string[]
}

/** Where the rerun writes and what it tolerates. */
export interface RerunOptions {
  /** Folder for the new run directory (default: the folder holding the recorded run). */
  runsDir?: string
  /** Cache folder (default: the recorded one). */
  cacheDir?: string
  /** Go on when plugins, data files or the harness differ from the record (they are returned as `mismatches`). */
  allowMismatch?: boolean
  /** The built-ins recorded plugins may name (the CLI passes bonbench's). */
  builtins?: BuiltinPlugins
}

/** Canonical JSON (object keys sorted) so that options compare by value, not key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )
}

/** The recorded plugin references again; inline plugin objects come back from the recorded config file. */
async function recordedRefs(provenance: Provenance): Promise<PluginRef[]> {
  const config = provenance.config
  const refs = (Array.isArray(config.plugins) ? config.plugins : []) as Array<PluginRef | { inline: string }>
  const inline = refs.filter(
    (r): r is { inline: string } => typeof r === 'object' && !Array.isArray(r) && typeof (r as { inline?: unknown }).inline === 'string',
  )
  let fromFile: Plugin[] = []
  if (inline.length > 0) {
    const file = typeof config.configFile === 'string' ? config.configFile : undefined
    const names = inline.map((r) => r.inline).join(', ')
    if (!file)
      throw new BenchError(
        'BENCH_RERUN_MISMATCH',
        `The run used inline plugin(s) ${names} but recorded no config file to load them from; rerun it with \`bench run\` and its config instead.`,
      )
    const loaded = await loadConfigFile({
      cwd: provenance.cwd,
      configPath: file,
      env: { command: 'run', preset: typeof config.preset === 'string' ? config.preset : undefined },
    })
    fromFile = (loaded.config.plugins ?? []).filter((r): r is Plugin => typeof r === 'object' && !Array.isArray(r))
  }
  return refs.map((ref) => {
    if (typeof ref !== 'object' || Array.isArray(ref) || typeof (ref as { inline?: unknown }).inline !== 'string') return ref as PluginRef
    const name = (ref as { inline: string }).inline
    const plugin = fromFile.find((p) => p.name === name)
    if (!plugin)
      throw new BenchError(
        'BENCH_RERUN_MISMATCH',
        `The inline plugin '${name}' is no longer in the config file ${String(config.configFile)}; restore it there to rerun this run.`,
      )
    return plugin
  })
}

/** The recorded config as a ResolvedConfig with the given plugin references and folders. */
function recordedConfig(provenance: Provenance, refs: PluginRef[], runsDir: string, cacheDir: string): ResolvedConfig {
  return deepFreeze({ ...(provenance.config as unknown as ResolvedConfig), plugins: refs, runsDir, cacheDir })
}

/** Plugins whose version, options or source differ from the record, or that are gone. */
async function pluginMismatches(provenance: Provenance, registry: PluginRegistry): Promise<string[]> {
  const out: string[] = []
  for (const rec of provenance.plugins) {
    let entry = registry.entry(rec.name)
    if (!entry) {
      try {
        await registry.get(rec.kind as PluginKind, rec.name)
        entry = registry.entry(rec.name)
      } catch {
        entry = undefined
      }
    }
    if (!entry) {
      out.push(`plugin ${rec.name} (${rec.kind}, version ${rec.version}, ${rec.source}): not available here`)
      continue
    }
    const { plugin, source } = entry
    if (plugin.meta.version !== rec.version) out.push(`plugin ${rec.name}: version ${rec.version} recorded, ${plugin.meta.version} here`)
    const options = JSON.parse(JSON.stringify(plugin.options ?? {})) as unknown
    if (canonical(options) !== canonical(rec.options)) out.push(`plugin ${rec.name}: options ${canonical(rec.options)} recorded, ${canonical(options)} here`)
    if (source !== rec.source) out.push(`plugin ${rec.name}: loaded from ${rec.source} when recorded, from ${source} here`)
  }
  return out
}

/** Data files whose bytes no longer hash to the recorded sha256, or that cannot be read. */
async function dataMismatches(provenance: Provenance): Promise<string[]> {
  const out: string[] = []
  for (const file of provenance.dataFiles) {
    let bytes: Buffer
    try {
      bytes = await readFile(resolve(provenance.cwd, file.path))
    } catch (error) {
      out.push(`data file ${file.path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); sha256 ${file.sha256} recorded`)
      continue
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    if (sha256 !== file.sha256) out.push(`data file ${file.path}: sha256 ${file.sha256} recorded, ${sha256} here`)
  }
  return out
}

function gitText(git: Provenance['git']): string {
  return git ? `${git.commit.slice(0, 12)}${git.dirty ? ' (dirty)' : ''}` : 'none'
}

/** Differences in the environment that the record keeps for information. */
function environmentNotes(recorded: Provenance, here: { node: string; harnessGit?: Provenance['git'] }): string[] {
  const notes: string[] = []
  if (recorded.node !== here.node) notes.push(`Node ${recorded.node} recorded, ${here.node} here`)
  const was = recorded.harness.git
  const now = here.harnessGit
  if (was && (!now || now.commit !== was.commit || now.dirty || was.dirty)) notes.push(`bonbench commit ${gitText(was)} recorded, ${gitText(now)} here`)
  return notes
}

/**
 * The recorded journal of a finished run: every planned cell of run.json has an outcome (finished,
 * or failed with its error). A run without a journal, or one stopped before all its cells ended,
 * has nothing (or not everything) to compare a rerun with: refused before anything runs, saying what to do.
 */
function finishedJournal(dir: string, recorded: RunManifest): JournalRecord[] {
  const path = resolve(dir, 'journal.jsonl')
  const records = readJournal(path).records
  if (records.length === 0)
    throw new BenchError(
      'BENCH_RERUN_MISMATCH',
      `${path} is missing or empty: there is no recorded result to compare a rerun with. Restore the run's journal.jsonl, or start the run anew with bench run.`,
    )
  const index = indexJournal(records)
  const open = recorded.cells.map((c) => c.cellId).filter((id) => !index.cells.has(id) && !index.failures.has(id))
  if (open.length > 0) {
    const shown = open.length > 5 ? `${open.slice(0, 5).join(', ')}, …` : open.join(', ')
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `Cannot rerun ${dir}: the run is not finished (${open.length} of its ${recorded.cells.length} planned cells have no result: ${shown}). ` +
        `bench rerun reproduces a finished run; finish it first with \`${resumeCommand(dir)}\`, then rerun it.`,
    )
  }
  return records
}

/**
 * Prepares `bench rerun <run-dir>`: reads the run's provenance record (run.json), loads the recorded
 * plugins again (with their recorded options, from the same sources), rebuilds the resolved config
 * from the record, and checks what could make the rerun a different experiment: every plugin's
 * version, options and source, the sha256 of every data file, and the harness version. Throws
 * BENCH_RERUN_MISMATCH listing every difference unless `allowMismatch`; the caller runs the plan.
 * Refused before any plugin loads: a run whose journal is missing (BENCH_RERUN_MISMATCH) or that is
 * not finished (BENCH_RUN_INVALID: resume it first). A shard run's plan keeps its shard; a run that
 * asked for `backend: auto` reruns on the backend it recorded, and is refused
 * (BENCH_BACKEND_UNAVAILABLE) naming that backend when it is not installed here, as is a run that
 * named a backend (`--backend wasm`) not installed here.
 */
export async function prepareRerun(runDir: string, options: RerunOptions = {}): Promise<RerunPlan> {
  const dir = resolve(runDir)
  const recorded = readManifest(dir)
  const provenance = recorded.provenance
  if (!provenance.config || typeof provenance.config.task !== 'string') {
    throw new BenchError('BENCH_RUN_INVALID', `${dir}/run.json records no resolved config; it cannot be rerun.`)
  }
  const journal = finishedJournal(dir, recorded)
  const refs = await recordedRefs(provenance)
  const baseDir = typeof provenance.config.baseDir === 'string' ? provenance.config.baseDir : provenance.cwd
  const registry = await loadRegistry(refs, baseDir, options.builtins)
  const runsDir = resolve(options.runsDir ?? dirname(dir))
  const cacheDir = resolve(
    options.cacheDir ?? (typeof provenance.config.cacheDir === 'string' ? provenance.config.cacheDir : resolve(provenance.cwd, '.bench/cache')),
  )
  const asRecorded = recordedConfig(provenance, refs, runsDir, cacheDir)
  const { model } = await resolveRunPlugins(asRecorded, registry)
  // `auto` picks by what this machine has: the rerun computes where the run did, or not at all.
  const config = deepFreeze(
    onBackendRecorded(
      asRecorded,
      model,
      provenance.backend.resolved,
      (missing) =>
        `cannot rerun ${dir} as recorded: ${missing}. Install it, or rerun where it is installed: on another backend the numbers differ from the record's in their last digits.`,
    ),
  )
  // A named backend (`--backend wasm` when the run started) must be here too: on another, the model would fail to start.
  checkNamedBackend(
    config,
    model,
    (missing) =>
      `cannot rerun ${dir} as recorded: the run asked for ${missing}. Install it, or rerun where it is installed: on another backend the numbers differ from the record's in their last digits.`,
  )
  const mismatches = [...(await pluginMismatches(provenance, registry)), ...(await dataMismatches(provenance))]
  const harness = harnessPackage()
  if (provenance.harness.version !== 'unknown' && provenance.harness.version !== harness.version) {
    mismatches.unshift(`bonbench ${provenance.harness.version} recorded, ${harness.version} here`)
  }
  const notes = environmentNotes(provenance, { node: process.version, harnessGit: await harnessGitState() })
  if (config.backend !== asRecorded.backend)
    notes.push(`backend ${asRecorded.backend} recorded: rerunning on ${config.backend}, the backend the run's model ran on`)
  if (provenance.harness.version === 'unknown') notes.push('the record predates harness versions (run.json version 1): the harness could not be checked')
  if (mismatches.length > 0 && !options.allowMismatch) {
    throw new BenchError(
      'BENCH_RERUN_MISMATCH',
      `Cannot rerun ${dir} as recorded (BENCH_RERUN_MISMATCH):\n${mismatches.map((m) => `  - ${m}`).join('\n')}\n` +
        'Restore the recorded plugins and data, or pass --allow-mismatch to rerun anyway (the comparison then says whether the numbers still agree).',
    )
  }
  const shard = recorded.shard ? { index: recorded.shard.index, count: recorded.shard.count } : undefined
  return { runDir: dir, recorded, journal, config, ...(shard ? { shard } : {}), registry, mismatches, notes }
}
