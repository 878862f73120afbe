import { describe, expect, it } from 'vitest'
import { progressBar } from '../../../cli/tui/progress-bar.js'
import { rowLayout } from '../../../cli/tui/row-layout.js'
import { sparkline } from '../../../cli/tui/sparkline.js'

describe('sparkline', () => {
  it('scales between min and max and keeps only the last width values', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe('▁▂▃▄▅▆▇█')
    expect(sparkline([9, 9, 0, 7], 2)).toBe('▁█')
    expect(sparkline([2, 2, 2], 10)).toBe('▄▄▄')
    expect(sparkline([], 10)).toBe('')
    expect(sparkline([1, Number.NaN, 3], 10)).toBe('▁█')
    expect(sparkline([1, 2], 0)).toBe('')
  })
})

describe('progressBar', () => {
  it('is exactly width characters, filled in proportion', () => {
    expect(progressBar(0, 10, 10)).toBe('░'.repeat(10))
    expect(progressBar(5, 10, 10)).toBe('█████░░░░░')
    expect(progressBar(10, 10, 4)).toBe('████')
    expect(progressBar(12, 10, 4)).toBe('████')
    expect(progressBar(0, 0, 3)).toBe('███')
  })
})

describe('rowLayout', () => {
  it.each([40, 60, 80, 100, 120, 200])('never exceeds %i columns', (columns) => {
    const l = rowLayout(columns, 40)
    const used = 2 + l.label + 1 + 9 + 1 + 5 + (l.rate ? 9 : 0) + (l.eta ? 10 : 0) + (l.metric ? 13 : 0) + l.bar + (l.inlineSpark > 0 ? l.inlineSpark + 2 : 0)
    expect(used).toBeLessThanOrEqual(columns)
    expect(l.sparkLine).toBeLessThanOrEqual(columns - 12)
  })

  it('puts the sparkline on the row when wide and drops ETA, then rate, when narrow', () => {
    expect(rowLayout(120, 12).inlineSpark).toBeGreaterThan(0)
    expect(rowLayout(80, 12).inlineSpark).toBe(0)
    expect(rowLayout(80, 12)).toMatchObject({ rate: true, eta: true, metric: true })
    expect(rowLayout(50, 12)).toMatchObject({ eta: false, rate: false })
  })
})
