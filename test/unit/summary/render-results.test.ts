import { describe, expect, it } from 'vitest'
import { renderCurves, renderResultsTable, resultRows, seriesMarker } from '../../../cli/render-results.js'
import type { CellResult } from '../../../core/plugin-api/results.js'
import { buildResults } from '../../../reports/results-json.js'
import { syntheticRun, syntheticRunData } from '../../helpers/synthetic-run.js'

function cellsOf(spec: Parameters<typeof syntheticRun>[0]): CellResult[] {
  return syntheticRun({ withText: false, ...spec }).records.flatMap((r) => (r.type === 'cell' ? [r.result] : []))
}

describe('end-of-run tables', () => {
  it('prints one row per cell when the run has one seed, with the CIs the reports print (results.json groups)', () => {
    const run = syntheticRunData({ seeds: [0], temperatures: [1], withText: false })
    const rows = resultRows(run.cells, { resamples: 300 })
    expect(rows.map((r) => r.label)).toEqual(['base', "bon-rl N'=4", 'sft'])
    const sft = run.cells.find((c) => c.key.strategy === 'sft')!
    expect(rows[2]!.passAtN.map((e) => e.value)).toEqual(sft.metrics.passAtN)
    const groups = buildResults(run, { bootstrap: 300 }).groups
    expect(rows.map((r) => [r.passAtN, r.bestOfN])).toEqual(groups.map((g) => [g.passAtN, g.bestOfN]))
    const table = renderResultsTable(resultRows(run.cells))
    expect(table).toMatch(/\nsft\s+[\d.]+ \[[\d.]+,[\d.]+\]/)
    expect(table).toContain('CI over prompts')
    expect(table).toContain('pass@N counts any correct sample')
    expect(renderResultsTable(rows, { threshold: 0.5 })).toContain('pass@N counts any sample with reward ≥ 0.5')
    // Laid out by the same text formatter as the summary table: one ─ rule under the header.
    expect(table.split('\n')[1]).toMatch(/^─+$/)
    expect(table.split('\n')[1]).toHaveLength(table.split('\n')[0]!.length)
  })

  it('gives one CI to equal per-prompt values: pass@1 and pass@N at N = 1, Bo-N and pass@N under an oracle', () => {
    const run = syntheticRunData({ seeds: [0, 1, 2], temperatures: [1], withText: false, verifierNoise: 0 })
    const results = buildResults(run, { bootstrap: 300 })
    for (const g of results.groups) {
      expect(g.pass1).toEqual(g.passAtN[g.grid.indexOf(1)])
      // With a noiseless verifier Bo-N picks a correct sample whenever there is one: Bo-N = pass@N per
      // prompt (by two formulas, so to the last bits), and the same resamples give the same CI.
      g.passAtN.forEach((e, i) => [e.value, ...e.ci].forEach((x, j) => expect([g.bestOfN[i]!.value, ...g.bestOfN[i]!.ci][j]).toBeCloseTo(x, 12)))
    }
    const rows = resultRows(run.cells, { resamples: 300 })
    expect(rows.map((r) => r.passAtN)).toEqual(results.groups.map((g) => g.passAtN))
  })

  it('pools the seeds of each group into one row (mean over seeds, two-level CI) when there are several', () => {
    const cells = cellsOf({ seeds: [0, 1, 2], temperatures: [0.7, 1] })
    const rows = resultRows(cells, { resamples: 200 })
    expect(rows).toHaveLength(6)
    expect(rows.map((r) => r.label)).toContain("bon-rl N'=4 T=0.7 (3 seeds)")
    const row = rows.find((r) => r.label === 'sft T=1 (3 seeds)')!
    const members = cells.filter((c) => c.key.strategy === 'sft' && c.key.temperature === 1)
    row.grid.forEach((_, i) => {
      const mean = members.reduce((s, c) => s + c.metrics.passAtN[i]!, 0) / members.length
      expect(row.passAtN[i]!.value).toBeCloseTo(mean, 10)
      expect(row.passAtN[i]!.ci[0]).toBeLessThanOrEqual(mean)
      expect(row.passAtN[i]!.ci[1]).toBeGreaterThanOrEqual(mean)
    })
    const table = renderResultsTable(resultRows(cells))
    expect(table).not.toMatch(/ s\d\b/)
    expect(table).toContain('seeds pooled')
    const pooledRows = resultRows(cells)
    expect(renderCurves(pooledRows)).toContain(`${seriesMarker(pooledRows.findIndex((r) => r.label === 'sft T=1 (3 seeds)'))} sft T=1 (3 seeds)`)
  })
})

describe('end-of-run charts', () => {
  it('give each series its own marker, drawn on its points and named in the legend, without colour', () => {
    const rows = resultRows(cellsOf({ seeds: [0], temperatures: [1] }))
    const text = renderCurves(rows)
    expect(text).not.toContain('\u001b[')
    const [boN, passN, legend] = text.split('\n\n')
    expect(legend).toBe(rows.map((r, i) => `${seriesMarker(i)} ${r.label}`).join('   '))
    expect(new Set(rows.map((_, i) => seriesMarker(i))).size).toBe(rows.length)
    // Every series is visible in each chart by its marker (points may coincide, so at least one each).
    for (const chart of [boN!, passN!]) for (let i = 0; i < rows.length; i++) expect(chart, rows[i]!.label).toContain(seriesMarker(i))
  })
})
