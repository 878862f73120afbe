/** Column widths of a live cell row for one terminal width. */
export interface RowLayout {
  label: number
  bar: number
  rate: boolean
  eta: boolean
  metric: boolean
  /** Width of the sparkline on the row itself; 0 puts it on a line of its own below. */
  inlineSpark: number
  /** Width of the sparkline when it sits on its own line (0: no room at all). */
  sparkLine: number
}

const ICON = 2
const PHASE = 9
const PCT = 5
const RATE = 9
const ETA = 10
const METRIC = 13

/**
 * Fits a row into `columns`: labels get about a fifth of the width, the bar what is left (6–30),
 * and the sparkline goes on the row when at least 12 columns remain. On narrow terminals it drops
 * the ETA, then the rate, then the metric, then shortens the label; never wider than `columns`.
 */
export function rowLayout(columns: number, longestLabel: number): RowLayout {
  const layout: RowLayout = {
    label: Math.max(6, Math.min(longestLabel, Math.max(12, Math.floor(columns * 0.22)))),
    bar: 0,
    rate: true,
    eta: true,
    metric: true,
    inlineSpark: 0,
    sparkLine: 0,
  }
  const fixed = () => ICON + layout.label + 1 + PHASE + 1 + PCT + (layout.rate ? RATE : 0) + (layout.eta ? ETA : 0) + (layout.metric ? METRIC : 0)
  const minBar = 6
  for (const drop of ['eta', 'rate', 'metric'] as const) {
    if (columns - fixed() >= minBar) break
    layout[drop] = false
  }
  while (columns - fixed() < minBar && layout.label > 6) layout.label--
  layout.bar = Math.max(0, Math.min(30, columns - fixed()))
  const left = columns - fixed() - layout.bar
  layout.inlineSpark = left >= 12 ? Math.min(32, left - 2) : 0
  layout.sparkLine = Math.max(0, Math.min(40, columns - 12))
  return layout
}
