import type { CellResult } from '../core/plugin-api/results.js'
import type { Provenance } from '../core/run/provenance.js'
import { cellResultDifferences, valueDifferences } from '../core/run/rerun-diff.js'
import type { CellGroup } from './groups.js'

/**
 * How one cell (key without seed) of a new run stands against the base run, bit for bit:
 * - `identical`: both runs hold the same seeds of the cell, and every seed's metrics, per-prompt
 *   metrics, training log and compute counts are bit-identical (wall time aside);
 * - `other-seeds`: the runs hold other seeds of the cell (another draw, or seeds one run lacks), and
 *   the seeds both hold (if any) are bit-identical. The rest can only be compared statistically, so
 *   the cell is not called identical — nor an error: a different seed set draws different numbers;
 * - `changed`: a seed both runs hold differs and so do the runs' inputs (code, config, data,
 *   plugins or environment), or the code's identity cannot be checked (a dirty or missing git state);
 * - `not-reproducible`: a seed both runs hold differs although every input is recorded the same on
 *   a clean commit — an error of its own, whatever the statistics say.
 */
export type ExactState = 'identical' | 'other-seeds' | 'changed' | 'not-reproducible'

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
  /** The seeds both runs hold: the ones compared bit for bit. */
  seeds: number[]
  /** Seeds only one run holds (not compared bit for bit); both empty when the seed sets are equal. */
  otherSeeds: { base: number[]; next: number[] }
  /** Seeds both runs hold whose cell differs. */
  differingSeeds: number[]
  /** The first differences, `s<seed> path: base → new`. */
  differences: string[]
}

/** The exact-first part of `bench compare`. */
export interface ExactComparison {
  inputs: InputsComparison
  cells: CellExact[]
  /** Every compared cell is bit-identical, on the same seeds. */
  identical: boolean
  /** Cells whose seed sets differ and whose shared seeds (if any) are bit-identical: not compared bit for bit in full. */
  otherSeeds: string[]
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

/** The state of a cell from what its seeds showed (see {@link ExactState}). */
function exactState(differing: number, otherSeeds: CellExact['otherSeeds'], inputs: InputsComparison): ExactState {
  if (differing > 0) return inputs.same && inputs.verifiable ? 'not-reproducible' : 'changed'
  // No seed both runs hold differs: identical only when there is no other seed either (with no seed
  // in common, "nothing differs" would be vacuous). Other seeds are no evidence of an error.
  return otherSeeds.base.length + otherSeeds.next.length > 0 ? 'other-seeds' : 'identical'
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
    const sorted = (xs: number[]) => xs.sort((x, y) => x - y)
    // Only the seeds both runs hold are compared bit for bit; a seed one run lacks (an unfinished
    // run, another draw) makes the cell 'other-seeds', and compareRuns reports it as missing or drawn.
    const seeds = sorted([...a.keys()].filter((s) => b.has(s)))
    const otherSeeds = { base: sorted([...a.keys()].filter((s) => !b.has(s))), next: sorted([...b.keys()].filter((s) => !a.has(s))) }
    const differingSeeds: number[] = []
    const differences: string[] = []
    for (const s of seeds) {
      const found = cellResultDifferences(a.get(s)!, b.get(s)!)
      if (found.length === 0) continue
      differingSeeds.push(s)
      differences.push(...found.map((f) => `s${s} ${f}`))
    }
    const state = exactState(differingSeeds.length, otherSeeds, inputs)
    return { groupId: base.groupId, label: base.label, state, seeds, otherSeeds, differingSeeds, differences: differences.slice(0, limit) }
  })
  const inState = (state: ExactState) => cells.filter((c) => c.state === state).map((c) => c.groupId)
  return {
    inputs,
    cells,
    identical: cells.every((c) => c.state === 'identical'),
    otherSeeds: inState('other-seeds'),
    changed: inState('changed'),
    notReproducible: inState('not-reproducible'),
  }
}
