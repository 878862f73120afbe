import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { backendSpec, isInstalled } from '../backend/backend-catalog.js'
import { effectiveBackend } from '../backend/model-backend.js'
import { BenchError } from '../errors.js'
import type { ResolvedConfig } from '../config/resolve-config.js'
import type { ModelDescription, ModelPlugin } from '../plugin-api/model.js'
import type { PluginRegistry } from '../registry/registry.js'
import type { PlannedCell } from './planner.js'
import { type RunManifest, type RunManifestV1, upgradeManifest } from './journal-types.js'
import { buildProvenance, withResolvedBackend } from './provenance.js'
import type { Provenance } from './provenance.js'
import { publishFile } from './publish-dir.js'
import type { RunPlugins } from './run-plugins.js'
import type { ShardRecord } from './shard.js'

export { configToJson, gitState } from './provenance.js'

/** Builds run.json: the run's identity, its planned cells and its provenance (everything needed to reproduce it). */
export async function buildManifest(opts: {
  runId: string
  config: ResolvedConfig
  registry: PluginRegistry
  plugins: Pick<RunPlugins, 'strategies' | 'reward' | 'selector'>
  cells: PlannedCell[]
  dataFiles: Provenance['dataFiles']
  argv: string[]
  cwd: string
  checkpoint?: string
  trainedCheckpoint?: string
  testProblems?: ReadonlyArray<{ id: string; prompt: string }>
  shard?: ShardRecord
}): Promise<RunManifest> {
  return {
    version: 2,
    runId: opts.runId,
    createdAt: new Date().toISOString(),
    cells: opts.cells,
    ...(opts.shard ? { shard: opts.shard } : {}),
    provenance: await buildProvenance(opts),
  }
}

/**
 * Fills in the backend the base model runs on (core/run/prepare-base.ts: as soon as it is known,
 * before the first pretraining record; then its `describe()`): rewrites `<runDir>/run.json`
 * atomically when the record has none yet, or when `replace` (this process wrote a record that the
 * model's own description corrects). Returns a warning when a resumed run now runs on a different
 * backend than the one recorded (its numbers may differ), else undefined.
 */
export function recordResolvedBackend(
  runDir: string,
  model: Pick<ModelDescription, 'backend' | 'device'>,
  opts: { replace?: boolean } = {},
): string | undefined {
  const file = join(runDir, 'run.json')
  const manifest = readManifest(runDir)
  const recorded = manifest.provenance.backend.resolved
  if (recorded !== undefined && !opts.replace) {
    return recorded === model.backend ? undefined : `this run was recorded on backend ${recorded} but now runs on ${model.backend}; its numbers may differ`
  }
  const updated: RunManifest = { ...manifest, provenance: withResolvedBackend(manifest.provenance, model) }
  publishFile(file, JSON.stringify(updated, null, 2) + '\n')
  return undefined
}

/**
 * The config a resumed run goes on with: `--backend auto` (the default) becomes the backend the run
 * recorded that its model ran on (run.json's provenance.backend.resolved), so the rest of the run
 * computes where its first part did. `auto` picks by what the machine has (a GPU that answered its
 * probe, an installed binding): resumed elsewhere or later it can pick another backend, whose
 * numbers differ in their last digits, and the resumed run would no longer be the uninterrupted
 * one. A model that declares it runs on no TensorFlow.js backend (`usesBackend: false`), a named
 * backend, or a run that recorded none yet (stopped before its base model existed) keep the
 * config. A recorded backend that is not installed here is refused (BENCH_BACKEND_UNAVAILABLE),
 * naming it and how to install it; one installed that fails to start fails as a named backend does.
 */
export function onRecordedBackend(config: ResolvedConfig, model: Pick<ModelPlugin, 'usesBackend'>, runDir: string): ResolvedConfig {
  return onBackendRecorded(
    config,
    model,
    readManifest(runDir).provenance.backend.resolved,
    (missing) =>
      `cannot resume ${runDir}: ${missing}. Install it or resume where it runs: on another backend the rest of the run would compute numbers that differ from those of its first part.`,
  )
}

/**
 * `config` on the backend a run recorded its model ran on (`resolved`) when it asked for `auto`
 * ({@link pinnedBackend}), for a model that may run on one; that backend not installed here throws
 * BENCH_BACKEND_UNAVAILABLE with `refusal(why)` (the caller says what it could not do and the fix).
 */
export function onBackendRecorded(
  config: ResolvedConfig,
  model: Pick<ModelPlugin, 'usesBackend'>,
  resolved: string | undefined,
  refusal: (missing: string) => string,
): ResolvedConfig {
  if (model.usesBackend === false) return config
  const pinned = pinnedBackend(config.backend, resolved)
  if (pinned === undefined) return config
  const missing = missingBackend(pinned)
  if (missing) throw new BenchError('BENCH_BACKEND_UNAVAILABLE', refusal(missing))
  return { ...config, backend: pinned }
}

/**
 * The backend the rest of a run computes on when it asked for `requested` and its model ran on
 * `resolved`: `resolved` when the run asked for `auto` and `resolved` is a TensorFlow.js backend
 * (a model's own name, as the tabular model's 'js', pins nothing), else undefined (keep `requested`).
 */
export function pinnedBackend(requested: string, resolved: string | undefined): string | undefined {
  return requested === 'auto' && resolved !== undefined && backendSpec(resolved) ? resolved : undefined
}

/**
 * Why a run's recorded backend cannot run here (it is not installed), with its install command, as
 * a clause the caller completes with what to do; undefined when it is installed.
 */
export function missingBackend(name: string): string | undefined {
  const spec = backendSpec(name)
  if (!spec || isInstalled(spec)) return undefined
  return `its model ran on backend ${name} (what --backend auto chose when the run started), which is not installed here (${spec.install})`
}

/**
 * Refuses a named backend (config `backend`, `--backend`: not `auto`) that is not installed here,
 * for a model that may run on one (`usesBackend` not false): BENCH_BACKEND_UNAVAILABLE (exit 2)
 * with `refusal(missing)`, where `missing` names the backend and its install command and the caller
 * says what it could not do and a fix that works for its command. Checked before a run directory
 * exists (`bench run` and its `--dry-run` and `--resume`, `bench eval`, `bench rerun`): else the
 * model fails to start the backend once the run is open (exit 4), and the resume it suggests fails
 * the same way. A backend that is installed but fails to start is not caught here.
 */
export function checkNamedBackend(
  config: Pick<ResolvedConfig, 'backend'>,
  model: Pick<ModelPlugin, 'name' | 'usesBackend' | 'options'>,
  refusal: (missing: string) => string,
): void {
  if (model.usesBackend === false) return
  // The backend the model runs on: its own `backend` option where it names one (a conflict with the run's is refused here too).
  const spec = backendSpec(effectiveBackend(model, config.backend))
  if (!spec || isInstalled(spec)) return
  throw new BenchError('BENCH_BACKEND_UNAVAILABLE', refusal(`backend ${spec.name}, which is not installed here (${spec.install})`))
}

/**
 * Reads a run directory's run.json, upgrading a version-1 record to the current shape: the one
 * reader of run.json (resume, rerun, reports, compare). A BENCH_RUN_INVALID error that says what
 * to do when the folder is not a run directory, the file is not JSON or its version is unknown.
 */
export function readManifest(runDir: string): RunManifest {
  const path = join(runDir, 'run.json')
  let raw: string
  try {
    raw = readFileSync(path, 'utf8')
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no run.json' : `cannot read run.json: ${(error as Error).message}`
    throw new BenchError('BENCH_RUN_INVALID', `${runDir} is not a run directory (${why}). Give the folder that \`bench run\` printed.`, { cause: error })
  }
  let manifest: RunManifest | RunManifestV1
  try {
    manifest = JSON.parse(raw) as RunManifest | RunManifestV1
  } catch (error) {
    throw new BenchError('BENCH_RUN_INVALID', `${path} is not valid JSON: ${(error as Error).message}`, { cause: error })
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `${path} is not a run record (it holds ${describeJson(manifest)}, not an object). Give the folder that \`bench run\` printed.`,
    )
  }
  if (manifest.version !== 1 && manifest.version !== 2) {
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `${path} has version ${String((manifest as { version?: unknown } | null)?.version)}; this bonbench reads versions 1 and 2 — use the bonbench that wrote the run`,
    )
  }
  const broken = manifestShapeProblem(manifest as unknown as Record<string, unknown>)
  if (broken !== undefined) {
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `${path} is damaged: ${broken}. It was not written this way by bonbench; restore it from a copy, or start a new run.`,
    )
  }
  return upgradeManifest(manifest)
}

function describeJson(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * The first field of a run.json (version 1 or 2) that does not have the shape bonbench writes, as a
 * phrase; undefined when the fields every reader relies on are there. A valid JSON of another shape
 * would otherwise crash a reader with a TypeError (exit 70) instead of naming the file.
 */
function manifestShapeProblem(m: Record<string, unknown>): string | undefined {
  if (typeof m.runId !== 'string') return `runId is ${describeJson(m.runId)}, not a string`
  if (!Array.isArray(m.cells)) return `cells is ${describeJson(m.cells)}, not an array`
  const cell = m.cells.findIndex((c) => !isObject(c) || typeof c.cellId !== 'string' || !isObject(c.key))
  if (cell >= 0) return `cells[${cell}] is not a { cellId, key } object`
  const record = m.version === 2 ? m.provenance : m
  if (!isObject(record)) return `provenance is ${describeJson(m.provenance)}, not an object`
  if (!isObject(record.config)) return `${m.version === 2 ? 'provenance.' : ''}config is ${describeJson(record.config)}, not an object`
  for (const list of ['plugins', 'dataFiles'] as const) {
    if (!Array.isArray(record[list])) return `${m.version === 2 ? 'provenance.' : ''}${list} is ${describeJson(record[list])}, not an array`
  }
  if (m.version === 2 && (!isObject(m.provenance) || !isObject((m.provenance as Record<string, unknown>).harness))) return 'provenance.harness is missing'
  return undefined
}
