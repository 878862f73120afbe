import type { CellMetrics } from '../plugin-api/results.js'
import { formatPercent } from './units.js'

/** The few numbers printed when a cell finishes: pass@1, and pass@N and Bo-N at the largest N. */
export interface Headline {
  pass1: number
  /** The largest N of the grid, when the grid has one above 1. */
  n?: number
  passAtN?: number
  bestOfN?: number
}

/** Picks the headline numbers of a cell's metrics; safe on an empty grid. */
export function headline(metrics: CellMetrics): Headline {
  const out: Headline = { pass1: metrics.pass1 }
  let best = -1
  metrics.grid.forEach((n, i) => {
    if (n > 1 && (best < 0 || n > metrics.grid[best]!)) best = i
  })
  if (best >= 0) {
    out.n = metrics.grid[best]
    out.passAtN = metrics.passAtN[best]
    out.bestOfN = metrics.bestOfN[best]
  }
  return out
}

/** The headline as one line of text: `pass@1 41.2%  pass@32 80.1%  Bo-32 65.5%`. */
export function formatHeadline(metrics: CellMetrics): string {
  const h = headline(metrics)
  const parts = [`pass@1 ${formatPercent(h.pass1)}%`]
  if (h.n !== undefined) {
    parts.push(`pass@${h.n} ${formatPercent(h.passAtN)}%`, `Bo-${h.n} ${formatPercent(h.bestOfN)}%`)
  }
  return parts.join('  ')
}
