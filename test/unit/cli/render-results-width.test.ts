// The end-of-run tables and curves fit the terminal they are printed to (a pipe gets them whole).
import { describe, expect, it } from 'vitest'
import { renderCurves, renderResultsTable, resultRows, seriesMarker } from '../../../cli/render-results.js'
import { syntheticRun } from '../../helpers/synthetic-run.js'

const rows = resultRows(
  syntheticRun({ withText: false, seeds: [0, 1], temperatures: [0.7, 1] }).records.flatMap((r) => (r.type === 'cell' ? [r.result] : [])),
  { resamples: 100 },
)
// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\u001B\[[0-9;]*m/g, '')

describe('renderResultsTable with a terminal width', () => {
  it.each([40, 100])('keeps every line within %i columns, dropping N columns (and saying so) rather than wrapping a CI', (width) => {
    const table = renderResultsTable(rows, { width })
    for (const line of table.split('\n')) expect(line.length, line).toBeLessThanOrEqual(width)
    expect(table.replace(/\n/g, ' ')).toContain('some N hidden: widen the terminal or see the report')
    // Each row of both tables keeps at least one value with its CI whole.
    const rowLines = table.split('\n').filter((l) => /^(base|sft|bon-rl)/.test(l))
    expect(rowLines).toHaveLength(2 * rows.length)
    for (const line of rowLines) expect(line).toMatch(/ \d+\.\d \[\d+\.\d,\d+\.\d\]/)
  })

  it('without a width (a pipe, a file) prints every N, as before', () => {
    const table = renderResultsTable(rows)
    expect(table).not.toContain('hidden')
    expect(Math.max(...table.split('\n').map((l) => l.length))).toBeGreaterThan(100)
  })
})

describe('renderCurves with a terminal width', () => {
  it('wraps the legend between entries at the width, colour codes not counted', () => {
    for (const color of [false, true]) {
      const legend = renderCurves(rows, { width: 40, color }).split('\n\n').at(-1)!
      const lines = plain(legend).split('\n')
      expect(lines.length).toBeGreaterThan(1)
      for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(40)
      expect(lines.join('   ')).toBe(rows.map((r, i) => `${seriesMarker(i)} ${r.label}`).join('   '))
    }
    expect(renderCurves(rows).split('\n\n').at(-1)!.split('\n')).toHaveLength(1)
    // The charts of a five-N grid fit 40 columns too: the N axis gives up its padding, not a line.
    for (const line of plain(renderCurves(rows, { width: 40, color: true })).split('\n')) expect(line.length, line).toBeLessThanOrEqual(40)
    expect(renderCurves(rows)).toMatch(/ {7}1 {5}2 {5}4 {5}8 {5}16 {4} {2}\(N\)/)
  })
})

describe('renderCurves of a curve flat up to float noise', () => {
  it('draws it and returns (Bo-N 0.5, 0.49999999999999994, 0.5 made asciichart loop for ever: bench eval never exited)', () => {
    const point = (value: number) => ({ value, ci: [value, value] as [number, number] })
    const row = { label: 'replay', seeds: 1, grid: [1, 2, 4], passAtN: [0.5, 0.75, 0.875].map(point), bestOfN: [0.5, 0.49999999999999994, 0.5].map(point) }
    const text = renderCurves([row])
    expect(text).toContain('Bo-N')
    // The flat curve is one row of markers at 50%.
    expect(text.split('\n').filter((line) => line.includes('50%') && line.includes(seriesMarker(0))).length).toBeGreaterThan(0)
  })
})
