import type { CellResult } from '../core/plugin-api/results.js'
import type { Provenance } from '../core/run/provenance.js'
import { cellResultDifferences, valueDifferences } from '../core/run/rerun-diff.js'
import type { CellGroup } from './groups.js'

/**
 * How one cell (key without seed) of a new run stands against the base run, bit for bit:
 * - `identical`: every seed's metrics, per-prompt metrics, training log and compute counts are
 *   bit-identical (wall time aside);
 * - `changed`: something differs and so do the runs' inputs (code, config, data, plugins or
 *   environment), or the code's identity cannot be checked (a dirty or missing git state);
 * - `not-reproducible`: something differs although every input is recorded the same on a clean
 *   commit — an error of its own, whatever the statistics say.
 */
export type ExactState = 'identical' | 'changed' | 'not-reproducible'

/** What differs between the inputs of two runs, from their provenance blocks. */
export interface InputsComparison {
  /** Every recorded input is the same: bonbench version and commit, config, plugins, data hashes, seeds, Node, platform, backend. */
  same: boolean
  /** Both runs ran from a clean git commit, so "same inputs" covers the code too. */
  verifiable: boolean
  /** One line per difference (`config.train.learningRate: 0.001 → 0.03`), and why the code cannot be checked when it cannot. */
  changes: string[]
}

/** The exact comparison of one cell. */
export interface CellExact {
  groupId: string
  label: string
  state: ExactState
  /** Seeds present in either run. */
  seeds: number[]
  /** Seeds whose cell differs (or is in one run only). */
  differingSeeds: number[]
  /** The first differences, `s<seed> path: base → new`. */
  differences: string[]
}

/** The exact-first part of `bench compare`. */
export interface ExactComparison {
  inputs: InputsComparison
  cells: CellExact[]
  /** Every compared cell is bit-identical. */
  identical: boolean
  /** Cells that changed on changed inputs (listed whether or not a test calls them a regression). */
  changed: string[]
  /** Cells that changed on unchanged inputs: the run does not reproduce itself. */
  notReproducible: string[]
}

// Where the run's files went, and where the config was read from, say nothing about its numbers.
const pathKeys = ['runsDir', 'cacheDir', 'baseDir', 'configFile', 'data']

function configInputs(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config }
  for (const k of pathKeys) delete out[k]
  return out
}

/** The inputs of a run that decide its numbers, as plain JSON (paths to files left out; their hashes stay). */
export function recordedInputs(p: Provenance): Record<string, unknown> {
  return {
    bonbench: { version: p.harness.version, commit: p.harness.git?.commit ?? null },
    project: p.git?.commit ?? null,
    config: configInputs(p.config),
    // A file plugin's path depends on where the project lies; its name, version and options do not.
    plugins: p.plugins.map((x) => ({
      name: x.name,
      kind: x.kind,
      version: x.version,
      options: x.options,
      source: x.source.startsWith('file:') ? 'file' : x.source,
    })),
    judges: p.judges,
    seeds: p.seeds,
    data: p.dataFiles.map((f) => f.sha256).sort(),
    node: p.node,
    platform: { os: p.platform.os, arch: p.platform.arch },
    backend: p.backend.resolved ?? p.backend.requested,
  }
}

/** Compares two runs' recorded inputs. Pure. */
export function compareInputs(base: Provenance, next: Provenance): InputsComparison {
  const changes = valueDifferences(recordedInputs(base), recordedInputs(next))
  const noGit = [base, next].filter((p) => !p.harness.git).length
  const dirty = [base, next].filter((p) => p.harness.git && (p.harness.git.dirty || p.git?.dirty)).length
  const why = [
    ...(noGit ? [`${noGit === 2 ? 'neither run records' : 'one run records no'} git commit of bonbench`] : []),
    ...(dirty ? [`${dirty === 2 ? 'both runs' : 'one run'} ran from a working tree with uncommitted changes`] : []),
  ]
  return { same: changes.length === 0, verifiable: why.length === 0, changes: [...changes, ...why.map((w) => `${w}: the code's identity cannot be checked`)] }
}

/**
 * Compares matched cells bit for bit, seed by seed, and classifies each (see {@link ExactState}).
 * Runs in `bench compare` before any statistics. Pure; `limit` caps the differences kept per cell.
 */
export function compareExact(
  baseProvenance: Provenance,
  nextProvenance: Provenance,
  pairs: ReadonlyArray<{ base: CellGroup; next: CellGroup }>,
  limit = 5,
): ExactComparison {
  const inputs = compareInputs(baseProvenance, nextProvenance)
  const cells: CellExact[] = pairs.map(({ base, next }) => {
    const bySeed = (g: CellGroup) => new Map<number, CellResult>(g.cells.map((c) => [c.key.seed, c]))
    const a = bySeed(base)
    const b = bySeed(next)
    // The seeds both runs have: a seed only one run has is no evidence of a changed number (an
    // unfinished run lacks it); compareRuns reports it as missing.
    const seeds = [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y)
    const differingSeeds: number[] = []
    const differences: string[] = []
    for (const s of seeds) {
      const found = cellResultDifferences(a.get(s)!, b.get(s)!)
      if (found.length === 0) continue
      differingSeeds.push(s)
      differences.push(...found.map((f) => `s${s} ${f}`))
    }
    const state: ExactState = differingSeeds.length === 0 ? 'identical' : inputs.same && inputs.verifiable ? 'not-reproducible' : 'changed'
    return { groupId: base.groupId, label: base.label, state, seeds, differingSeeds, differences: differences.slice(0, limit) }
  })
  return {
    inputs,
    cells,
    identical: cells.every((c) => c.state === 'identical'),
    changed: cells.filter((c) => c.state === 'changed').map((c) => c.groupId),
    notReproducible: cells.filter((c) => c.state === 'not-reproducible').map((c) => c.groupId),
  }
}
