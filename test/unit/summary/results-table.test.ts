import { describe, expect, it } from 'vitest'
import { formatTableText, formatTableValue } from '../../../core/summary/format-table-text.js'
import { metricColumns, resultsTable, type TableSource } from '../../../core/summary/results-table.js'
import { markdownTable } from '../../../reports/markdown.js'

const e = (value: number, lo?: number, hi?: number) => (lo === undefined ? { value } : { value, ci: [lo, hi!] as const })
const base: TableSource = {
  label: 'base',
  seeds: 2,
  grid: [1, 2, 4],
  pass1: e(0.1, 0.05, 0.15),
  passAtN: [e(0.1), e(0.2), e(0.3)],
  bestOfN: [e(0.1), e(0.15), e(0.2)],
  majorityAtN: [e(0.1), e(0.12), e(0.14)],
}
const sft: TableSource = { label: 'sft', seeds: 1, grid: [1, 2], pass1: e(0.2), passAtN: [e(0.2), e(0.3)], bestOfN: [e(0.2), e(0.25)] }

describe('the results-table model', () => {
  it('names columns metric by metric, pass@1 once, or N=… in a one-metric table', () => {
    expect(metricColumns(['pass1', 'passAtN', 'bestOfN', 'majorityAtN'], [2, 4]).map((c) => c.header)).toEqual([
      'pass@1',
      'pass@2',
      'pass@4',
      'Bo-2',
      'Bo-4',
      'maj@2',
      'maj@4',
    ])
    expect(metricColumns(['bestOfN'], [1, 8], { headers: 'n' }).map((c) => c.header)).toEqual(['N=1', 'N=8'])
  })

  it('takes each value at its N of the row’s own grid, and leaves a gap where the grid lacks it', () => {
    const t = resultsTable([base, sft], metricColumns(['pass1', 'bestOfN'], [2, 4]))
    expect(t.title).toBe('strategy')
    expect(t.rows.map((r) => [r.label, r.seeds])).toEqual([
      ['base', 2],
      ['sft', 1],
    ])
    expect(t.rows[0]!.values).toEqual([base.pass1, e(0.15), e(0.2)])
    expect(t.rows[1]!.values).toEqual([sft.pass1, e(0.25), undefined])
  })
})

describe('formatTableText', () => {
  it('right-aligns values (CIs as [low,high]), separates metrics with │ and marks gaps with -', () => {
    const { lines, hidden } = formatTableText(resultsTable([base, sft], metricColumns(['pass1', 'passAtN', 'bestOfN'], [2, 4])))
    expect(hidden).toBe(0)
    expect(lines[0]).toBe('strategy           pass@1 │  pass@2  pass@4 │    Bo-2    Bo-4')
    expect(lines[1]).toMatch(/^─+$/)
    expect(lines[1]).toHaveLength(lines[0]!.length)
    expect(lines[2]).toBe('base      10.0 [5.0,15.0] │    20.0    30.0 │    15.0    20.0')
    expect(lines[3]).toBe('sft                  20.0 │    30.0       - │    25.0       -')
    expect(formatTableValue(e(Number.NaN))).toBe('-')
  })

  it('drops inner N first to fit a width, never pass@1, and says how many N it hid', () => {
    const wide = { ...base, grid: [2, 4, 8, 16], passAtN: [e(0.2), e(0.3), e(0.4), e(0.5)], bestOfN: [e(0.2), e(0.3), e(0.4), e(0.5)] }
    const t = resultsTable([wide], metricColumns(['pass1', 'passAtN', 'bestOfN'], wide.grid))
    const { lines, hidden } = formatTableText(t, { width: 70 })
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(70)
    expect(hidden).toBe(2)
    expect(lines[0]).toMatch(/pass@1 │\s+pass@2\s+pass@16 │\s+Bo-2\s+Bo-16$/)
  })
})

describe('markdownTable', () => {
  it('lays the same model out as Markdown, value (low–high), with an optional seeds column', () => {
    const t = resultsTable([base, sft], metricColumns(['pass1', 'bestOfN'], [4]))
    expect(markdownTable(t, { seeds: true })).toBe(
      ['| strategy | seeds | pass@1 | Bo-4 |', '| --- | ---: | ---: | ---: |', '| base | 2 | 10.0 (5.0–15.0) | 20.0 |', '| sft | 1 | 20.0 | — |'].join('\n'),
    )
    expect(markdownTable(resultsTable([{ ...sft, label: 'a|b' }], metricColumns(['pass1'], [])))).toBe(
      ['| strategy | pass@1 |', '| --- | ---: |', '| a\\|b | 20.0 |'].join('\n'),
    )
  })
})
