import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BenchError } from '../errors.js'
import type { ResolvedConfig } from '../config/resolve-config.js'
import type { ModelDescription } from '../plugin-api/model.js'
import type { PluginRegistry } from '../registry/registry.js'
import type { PlannedCell } from './planner.js'
import { type RunManifest, type RunManifestV1, upgradeManifest } from './journal-types.js'
import { buildProvenance, withResolvedBackend } from './provenance.js'
import type { Provenance } from './provenance.js'
import type { RunPlugins } from './run-plugins.js'

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
}): Promise<RunManifest> {
  return {
    version: 2,
    runId: opts.runId,
    createdAt: new Date().toISOString(),
    cells: opts.cells,
    provenance: await buildProvenance(opts),
  }
}

/**
 * Fills in the backend the base model actually runs on (its `describe()`), once it exists: rewrites
 * `<runDir>/run.json` atomically when the record has none yet. Returns a warning when a resumed run
 * now runs on a different backend than the one recorded (its numbers may differ), else undefined.
 */
export function recordResolvedBackend(runDir: string, model: Pick<ModelDescription, 'backend' | 'device'>): string | undefined {
  const file = join(runDir, 'run.json')
  const manifest = readManifest(runDir)
  const recorded = manifest.provenance.backend.resolved
  if (recorded !== undefined) {
    return recorded === model.backend ? undefined : `this run was recorded on backend ${recorded} but now runs on ${model.backend}; its numbers may differ`
  }
  const updated: RunManifest = { ...manifest, provenance: withResolvedBackend(manifest.provenance, model) }
  const tmp = `${file}.tmp-${process.pid}`
  writeFileSync(tmp, JSON.stringify(updated, null, 2) + '\n')
  renameSync(tmp, file)
  return undefined
}

/**
 * Reads a run directory's run.json, upgrading a version-1 record to the current shape; a clear
 * error when the folder is not a run directory.
 */
export function readManifest(runDir: string): RunManifest {
  const path = join(runDir, 'run.json')
  if (!existsSync(path)) throw new BenchError('BENCH_RUN_INVALID', `${runDir} is not a run directory (no run.json). Give the folder that \`bench run\` printed.`)
  return upgradeManifest(JSON.parse(readFileSync(path, 'utf8')) as RunManifest | RunManifestV1)
}
