import { Ajv2020 } from 'ajv/dist/2020.js'
import { readFile } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { buildResults } from '../../../reports/results-json.js'
import { resultsSchema, upgradeResults } from '../../../reports/results-schema.js'
import { resultsSchemaPath, resultsSchemaText } from '../../../reports/write-results-schema.js'
import { syntheticRunData } from '../../helpers/synthetic-run.js'
import { deepFreeze } from '../../helpers/deep-freeze.js'

const now = new Date('2026-11-25T12:00:00Z')
const spec = { prompts: 20, poolSize: 8, grid: [1, 2, 4, 8], seeds: [0, 1], bootstrap: 50 }

/** syntheticRunData(spec), and its results.json at 50 resamples: made once, on first use, for the tests that read them (frozen). */
let specRunData: ReturnType<typeof syntheticRunData> | undefined
const specRun = () => (specRunData ??= deepFreeze(syntheticRunData(spec)))
let specResults50: ReturnType<typeof buildResults> | undefined
const specResults = () => (specResults50 ??= deepFreeze(buildResults(specRun(), { bootstrap: 50, now })))

describe('results.json', () => {
  it('has a committed JSON Schema equal to the one generated from the zod schema', async () => {
    const committed = await readFile(resultsSchemaPath, 'utf8')
    expect(committed, 'run `npx tsx reports/write-results-schema.ts` after editing reports/results-schema.ts').toBe(resultsSchemaText())
  })

  it('validates against the committed JSON Schema (ajv) and the zod schema', async () => {
    const results = JSON.parse(JSON.stringify(buildResults(specRun(), { bootstrap: 200, now })))
    const schema = JSON.parse(await readFile(resultsSchemaPath, 'utf8'))
    const ajv = new Ajv2020({ allErrors: true }) // strict mode: the schema uses no unknown keywords
    const validate = ajv.compile(schema)
    expect(validate(results), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true)
    expect(resultsSchema.safeParse(results).success).toBe(true)
    // and the schema rejects something that is not results.json
    expect(validate({ ...results, version: 1 })).toBe(false)
    const { cells: _cells, ...missingCells } = results
    expect(validate(missingCells)).toBe(false)
    // the provenance block is required, and a data file's hash must be a sha256
    const { provenance: _p, ...missingProvenance } = results
    expect(validate(missingProvenance)).toBe(false)
    const badHash = { ...results, provenance: { ...results.provenance, dataFiles: [{ path: 'x.jsonl', sha256: 'abc' }] } }
    expect(validate(badHash)).toBe(false)
    expect(resultsSchema.safeParse(badHash).success).toBe(false)
  })

  it('pools seeds into groups whose estimates are the mean of the cells and lie inside their CIs', () => {
    const run = specRun()
    const results = buildResults(run, { bootstrap: 300, now })
    expect(results.version).toBe(3)
    // No KL measured, no checkpoints: none of version 3's divergence fields appears.
    expect(results.groups.some((g) => 'frontier' in g)).toBe(false)
    expect(results.cells.some((c) => 'kl' in c || 'checkpoints' in c)).toBe(false)
    expect(results.charts.some((c) => c.kind === 'frontier')).toBe(false)
    expect(results.groups.map((g) => g.key.strategy)).toEqual(['base', 'base', 'bon-rl', 'bon-rl', 'sft', 'sft'])
    for (const group of results.groups) {
      const cells = run.cells.filter((c) => group.cellIds.includes(c.cellId))
      expect(cells).toHaveLength(2)
      group.grid.forEach((n, i) => {
        const mean = cells.reduce((s, c) => s + c.metrics.bestOfN[c.metrics.grid.indexOf(n)]!, 0) / cells.length
        expect(group.bestOfN[i]!.value).toBeCloseTo(mean, 12)
        expect(group.bestOfN[i]!.ci[0]).toBeLessThanOrEqual(group.bestOfN[i]!.value + 1e-12)
        expect(group.bestOfN[i]!.ci[1]).toBeGreaterThanOrEqual(group.bestOfN[i]!.value - 1e-12)
      })
      expect(group.pass1.value).toBeCloseTo(cells.reduce((s, c) => s + c.metrics.pass1, 0) / 2, 12)
    }
  })

  it('finds a large planted gain against the base and not a non-existent one, Holm-corrected', () => {
    const run = syntheticRunData({
      ...spec,
      prompts: 40,
      temperatures: [1],
      strategies: [
        { name: 'bon-rl', nTrain: 4, shift: 2.5 },
        { name: 'rl', shift: 0 },
      ],
    })
    const results = buildResults(run, { bootstrap: 400, now })
    const vsBase = results.comparisons.filter((c) => c.kind === 'vs-base')
    const gain = vsBase.find((c) => c.b.includes('/bon-rl/') && c.metric === 'pass1')!
    expect(gain.diff).toBeGreaterThan(0.2)
    expect(gain.significant).toBe(true)
    expect(gain.ci[0]).toBeGreaterThan(0)
    expect(vsBase.filter((c) => c.b.includes('/rl/')).every((c) => !c.significant)).toBe(true)
    expect(results.comparisons.some((c) => c.kind === 'between-strategies')).toBe(true)
    for (const c of results.comparisons) expect(c.pHolm).toBeGreaterThanOrEqual(c.p)
  })

  it('holds chart series that match the group estimates and the per-prompt data', () => {
    const run = specRun()
    const results = buildResults(run, { bootstrap: 100, now })
    const ids = results.charts.map((c) => c.id)
    expect(new Set(ids).size).toBe(ids.length)
    const kinds = new Set(results.charts.map((c) => c.kind))
    expect([...kinds].sort()).toEqual(['bon-curve', 'co-scaling', 'difficulty', 'pass-curve', 'training'])
    const bon = results.charts.find((c) => c.kind === 'bon-curve')!
    for (const series of bon.series) {
      const group = results.groups.find((g) => g.groupId === series.source)!
      expect(series.points.map((p) => p.y)).toEqual(group.bestOfN.map((e) => e.value))
      expect(series.points.map((p) => p.x)).toEqual(group.grid)
    }
    const difficulty = results.charts.find((c) => c.kind === 'difficulty')!
    expect(difficulty.series).toHaveLength(2)
    for (const series of difficulty.series) expect(series.points).toHaveLength(20)
    const loss = results.charts.find((c) => c.id === 'training-loss')!
    // pretraining + 4 temperatures×seeds cells of each of 2 trained strategies
    expect(loss.series).toHaveLength(1 + 8)
    expect(results.coScaling.fits.length).toBe(results.groups.length)
    expect(results.coScaling.bestTemperature.length).toBe(3 * 4)
  })

  it('is deterministic for the same run and options', () => {
    const run = specRun()
    expect(JSON.stringify(buildResults(run, { bootstrap: 100, now }))).toBe(JSON.stringify(buildResults(run, { bootstrap: 100, now })))
  })
})

describe('results.json provenance', () => {
  it('is run.json’s provenance block, copied whole', () => {
    const run = specRun()
    const results = specResults()
    expect(results.provenance).toEqual(run.manifest.provenance)
    expect(results.run).toEqual({ runId: run.manifest.runId, createdAt: run.manifest.createdAt, plannedCells: run.manifest.cells.length })
  })

  it('reads a version-1 results.json (the committed study) by moving its run facts into provenance', async () => {
    const v1 = JSON.parse(gunzipSync(await readFile('docs/study/results.json.gz')).toString('utf8'))
    expect(v1.version).toBe(1)
    expect(resultsSchema.safeParse(v1).success).toBe(false)
    const parsed = resultsSchema.parse(upgradeResults(v1))
    expect(parsed.version).toBe(3)
    expect(parsed.provenance.node).toBe(v1.run.node)
    expect(parsed.provenance.git).toEqual(v1.run.git)
    expect(parsed.provenance.plugins).toEqual(v1.run.plugins)
    expect(parsed.provenance.seeds.matrix).toEqual(v1.run.seeds)
    expect(parsed.provenance.harness.version).toBe('unknown')
    expect(parsed.run).toEqual({ runId: v1.run.runId, createdAt: v1.run.createdAt, plannedCells: v1.run.plannedCells })
  })

  it('reads a version-2 results.json: version 3 only added optional divergence fields', () => {
    const v2 = { ...specResults(), version: 2 }
    expect(resultsSchema.safeParse(v2).success).toBe(false)
    const parsed = resultsSchema.parse(upgradeResults(v2))
    expect(parsed).toEqual({ ...v2, version: 3 })
  })
})
