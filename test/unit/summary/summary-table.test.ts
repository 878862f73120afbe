import { describe, expect, it } from 'vitest'
import { cellLabel, varyingAxes } from '../../../core/summary/cell-label.js'
import { resumeCommand } from '../../../core/summary/resume-hint.js'
import { formatSummaryTable, summarizeResults } from '../../../core/summary/summary-table.js'
import { formatDuration, formatEstimate, formatValue } from '../../../core/summary/units.js'
import { key, metrics, result } from '../../fixtures/tui/run-events.js'

const m = (p: number[], b: number[]) => metrics(p, b)

describe('summarizeResults', () => {
  it('averages seeds, puts base first and keeps the strategies in order', () => {
    const table = summarizeResults([
      result('a0', key('bon-rl', 4, 0), m([0.4, 0.6, 0.8], [0.4, 0.5, 0.6]), 1),
      result('b0', key('base', 1, 0), m([0.2, 0.3, 0.4], [0.2, 0.25, 0.3]), 1),
      result('a1', key('bon-rl', 4, 1), m([0.6, 0.8, 1.0], [0.6, 0.7, 0.8]), 1),
      result('b1', key('base', 1, 1), m([0.4, 0.5, 0.6], [0.4, 0.45, 0.5]), 1),
    ])
    expect(table.grid).toEqual([2, 4])
    expect(table.rows.map((r) => [r.label, r.seeds])).toEqual([
      ['base', 2],
      ["bon-rl N'=4", 2],
    ])
    expect(table.rows[0]!.pass1).toBeCloseTo(0.3, 12)
    expect(table.rows[1]!.passAtN.get(4)).toBeCloseTo(0.9, 12)
    expect(table.rows[1]!.bestOfN.get(2)).toBeCloseTo(0.6, 12)
  })

  it('keeps rows apart by temperature and labels them with it', () => {
    const t = (temperature: number) => ({ ...key('sft'), temperature })
    const table = summarizeResults([result('x', t(0.7), m([0.5], [0.5]), 1), result('y', t(1), m([0.4], [0.4]), 1)])
    expect(table.rows.map((r) => r.label)).toEqual(['sft T=0.7', 'sft T=1'])
    expect(table.grid).toEqual([])
  })
})

describe('formatSummaryTable', () => {
  const table = summarizeResults([
    result('b', key('base'), metrics([0.1, 0.2, 0.3], [0.1, 0.15, 0.2]), 1),
    result('s', key('sft'), metrics([0.2, 0.3, 0.4], [0.2, 0.25, 0.3]), 1),
  ])
  const wide = { ...table, grid: [2, 4, 8, 16, 32, 64] }

  it('writes a header, a rule, one line per row and a note', () => {
    const lines = formatSummaryTable(table)
    expect(lines).toHaveLength(5)
    expect(lines[0]).toMatch(/^strategy\s+pass@1 │\s+pass@2\s+pass@4 │\s+Bo-2\s+Bo-4$/)
    expect(lines[1]).toMatch(/^─+$/)
    expect(lines[2]).toMatch(/^base\s+10\.0 │\s+20\.0\s+30\.0 │\s+15\.0\s+20\.0$/)
    expect(lines[4]).toBe('Values in %.')
  })

  it('drops inner N columns first to fit, keeping the smallest and the largest N', () => {
    const lines = formatSummaryTable(wide, { width: 60 })
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(60)
    expect(lines[0]).toContain('pass@64')
    expect(lines[0]).toContain('Bo-64')
    expect(lines[0]).not.toContain('pass@4 ')
    expect(lines.at(-1)).toContain('Some N hidden')
    expect(formatSummaryTable(wide).at(-1)).not.toContain('Some N hidden')
  })

  it('stays within very narrow widths', () => {
    for (const width of [10, 20, 30]) {
      for (const l of formatSummaryTable(wide, { width })) expect(l.length).toBeLessThanOrEqual(width)
    }
  })

  it('says so when no cell finished', () => {
    expect(formatSummaryTable({ grid: [], rows: [] })).toEqual(['No finished cells.'])
  })
})

describe('labels and units', () => {
  it('names only the axes that vary', () => {
    const keys = [key('base'), key('bon-rl', 4), { ...key('bon-rl', 4), seed: 1 }]
    const axes = varyingAxes(keys)
    expect(keys.map((k) => cellLabel(k, axes))).toEqual(['base s0', "bon-rl N'=4 s0", "bon-rl N'=4 s1"])
    expect(cellLabel(keys[2]!, axes, { withSeed: false })).toBe("bon-rl N'=4")
  })

  it('formats durations, estimates and values', () => {
    expect(formatDuration(0)).toBe('0:00')
    expect(formatDuration(62_400)).toBe('1:02')
    expect(formatDuration(3_723_000)).toBe('1:02:03')
    expect(formatDuration(Number.NaN)).toBe('--:--')
    expect(formatEstimate(42)).toBe('42s')
    expect(formatEstimate(200)).toBe('3m 20s')
    expect(formatEstimate(3900)).toBe('1h 05m')
    expect(formatValue(1.23456)).toBe('1.235')
    expect(formatValue(0.5)).toBe('0.5')
    expect(formatValue(0.00001234)).toBe('1.23e-5')
  })

  it('quotes a run directory for the shell only when it needs it', () => {
    expect(resumeCommand('.bench/runs/2026-11-25T13-45-abc')).toBe('bench run --resume .bench/runs/2026-11-25T13-45-abc')
    expect(resumeCommand("/tmp/my runs/it's")).toBe(`bench run --resume '/tmp/my runs/it'\\''s'`)
  })
})
