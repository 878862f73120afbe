import { describe, expect, it } from 'vitest'
import type { Provenance } from '../../../core/run/provenance.js'
import { compareToJunit, compareToMarkdown } from '../../../reports/compare-format.js'
import { compareInputs } from '../../../reports/compare-exact.js'
import { compareRuns } from '../../../reports/compare.js'
import type { RunData } from '../../../core/run/run-record.js'
import type { SyntheticRunSpec } from '../../helpers/synthetic-run.js'
import { syntheticRunData } from '../../helpers/synthetic-run.js'

const spec: SyntheticRunSpec = { prompts: 30, poolSize: 8, grid: [1, 2, 4, 8], temperatures: [1], seeds: [0, 1], bootstrap: 10, withText: false, trainSteps: 0 }

/** The run as if it ran from a clean checkout at `commit`, with `config`. */
function recorded(run: RunData, commit: string, config: Record<string, unknown> = { train: { learningRate: 0.001 } }, dirty = false): RunData {
  const p: Provenance = { ...run.manifest.provenance, harness: { name: 'bonbench', version: '0.1.0', git: { commit, dirty } }, config }
  return { ...run, manifest: { ...run.manifest, provenance: p } }
}

describe('bench compare: exact first', () => {
  const base = syntheticRunData({ ...spec, seed: 11, runId: 'last-good' })
  const same = syntheticRunData({ ...spec, seed: 11, runId: 'rerun' })
  const other = syntheticRunData({ ...spec, seed: 12, runId: 'tonight' })

  it('reports a rerun of the same code as bit-identical, cell by cell, and flags nothing', () => {
    const c = compareRuns(recorded(base, 'abc'), recorded(same, 'abc'))
    expect(c.exact.inputs).toEqual({ same: true, verifiable: true, changes: [] })
    expect(c.exact.identical).toBe(true)
    expect(c.exact.cells.map((e) => e.state)).toEqual(['identical', 'identical', 'identical'])
    expect(c.notReproducible).toBe(false)
    expect(c.regressed).toBe(false)
    expect(compareToMarkdown(c)).toMatch(/✅ \*\*No significant regression\*\* — all 3 cells are bit-identical/)
  })

  it('calls a changed cell on unchanged inputs not reproducible, naming the seed and the first differing number', () => {
    const c = compareRuns(recorded(base, 'abc'), recorded(other, 'abc'))
    expect(c.notReproducible).toBe(true)
    expect(c.exact.notReproducible).toEqual(['math/tiny-transformer/base/n1/t1', 'math/tiny-transformer/bon-rl/n4/t1', 'math/tiny-transformer/sft/n1/t1'])
    expect(c.exact.cells[0]!.differingSeeds).toEqual([0, 1])
    expect(c.exact.cells[0]!.differences[0]).toMatch(/^s0 metrics\./)
    const md = compareToMarkdown(c)
    expect(md.split('\n')[2]).toMatch(/^⛔ \*\*Not reproducible: 3 cell\(s\)/)
    expect(md).toContain('### Not reproducible')
    expect(compareToJunit(c)).toContain('<error message="not reproducible">')
  })

  it('lists changed cells on changed code or config as changed, never as not reproducible', () => {
    const c = compareRuns(recorded(base, 'abc'), recorded(other, 'def', { train: { learningRate: 0.03 } }))
    expect(c.notReproducible).toBe(false)
    expect(c.exact.changed).toHaveLength(3)
    expect(c.exact.inputs.changes).toEqual(['bonbench.commit: "abc" → "def"', 'config.train.learningRate: 0.001 → 0.03'])
    expect(compareToMarkdown(c)).toContain('0 of 3 cells bit-identical, 3 changed')
  })

  it('cannot vouch for code from a dirty tree: a changed cell there is changed, not an error', () => {
    const c = compareRuns(recorded(base, 'abc', undefined, true), recorded(other, 'abc'))
    expect(c.exact.inputs.verifiable).toBe(false)
    expect(c.exact.changed).toHaveLength(3)
    expect(c.notReproducible).toBe(false)
  })

  it('never calls a cell identical on other seeds: disjoint seeds compare nothing bit for bit, and are no error', () => {
    const drawn = syntheticRunData({ ...spec, seed: 11, runId: 'other-seeds', seeds: [10, 11] })
    const c = compareRuns(recorded(base, 'abc'), recorded(drawn, 'abc'))
    expect(c.exact.identical).toBe(false)
    expect(c.exact.cells.map((e) => e.state)).toEqual(['other-seeds', 'other-seeds', 'other-seeds'])
    expect(c.exact.cells[0]).toMatchObject({ seeds: [], otherSeeds: { base: [0, 1], next: [10, 11] }, differingSeeds: [] })
    expect(c.exact.otherSeeds).toHaveLength(3)
    expect(c.notReproducible).toBe(false)
    const md = compareToMarkdown(c)
    expect(md).not.toContain('bit-identical to the base run')
    expect(md).toContain('0 of 3 cells bit-identical, 0 changed, 3 on other seeds')
    expect(md).toContain('| ~ other seeds (none shared) |')
  })

  it('compares overlapping seed sets on the shared seeds: a differing one is changed, matching ones leave the cell on other seeds', () => {
    // Seed 0 is drawn alike in both runs (same generator seed), seed 1 of the base and seed 2 of the new run are another draw.
    const overlap = syntheticRunData({ ...spec, seed: 11, runId: 'overlap', seeds: [0, 2] })
    const c = compareRuns(recorded(base, 'abc'), recorded(overlap, 'abc'))
    expect(c.exact.cells.map((e) => e.state)).toEqual(['other-seeds', 'other-seeds', 'other-seeds'])
    expect(c.exact.cells[0]).toMatchObject({ seeds: [0], otherSeeds: { base: [1], next: [2] } })
    expect(compareToMarkdown(c)).toContain('| ~ other seeds (1 shared: identical) |')
    const moved = syntheticRunData({ ...spec, seed: 12, runId: 'overlap-moved', seeds: [0, 2] })
    const d = compareRuns(recorded(base, 'abc'), recorded(moved, 'abc'))
    // Their seeds are recorded inputs that differ: a differing shared seed is a change, not an error.
    expect(d.exact.cells.map((e) => e.state)).toEqual(['changed', 'changed', 'changed'])
    expect(d.exact.cells[0]!.differingSeeds).toEqual([0])
  })

  it('an unfinished rerun of unchanged inputs lacks seeds: not identical, yet never "not reproducible" (exit 3) for that alone', () => {
    const unfinished = { ...same, cells: same.cells.filter((cell) => cell.key.seed === 0) }
    const c = compareRuns(recorded(base, 'abc'), recorded(unfinished, 'abc'))
    expect(c.exact.inputs.same && c.exact.inputs.verifiable).toBe(true)
    expect(c.exact.cells.map((e) => e.state)).toEqual(['other-seeds', 'other-seeds', 'other-seeds'])
    expect(c.notReproducible).toBe(false)
    expect(c.missing).toHaveLength(3)
    // A shared seed that differs on the same inputs is still an error.
    const broken = { ...other, cells: other.cells.filter((cell) => cell.key.seed === 0) }
    expect(compareRuns(recorded(base, 'abc'), recorded(broken, 'abc')).exact.cells.map((e) => e.state)).toEqual([
      'not-reproducible',
      'not-reproducible',
      'not-reproducible',
    ])
  })

  it('ignores where the run wrote its files, but not what it read', () => {
    const p = base.manifest.provenance
    const a = { ...p, config: { runsDir: '/a/runs', cacheDir: '/a/cache', train: { steps: 3 } }, dataFiles: [{ path: '/a/x.json', sha256: '00' }] }
    const b = { ...p, config: { runsDir: '/b/runs', cacheDir: '/b/cache', train: { steps: 3 } }, dataFiles: [{ path: '/b/x.json', sha256: '00' }] }
    expect(compareInputs(a, b).changes.filter((x) => !x.includes('identity'))).toEqual([])
    expect(compareInputs(a, { ...b, dataFiles: [{ path: '/b/x.json', sha256: '01' }] }).changes[0]).toBe('data[0]: "00" → "01"')
  })
})
