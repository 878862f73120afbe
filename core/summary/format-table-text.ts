import type { ResultsTable, TableValue } from './results-table.js'
import { fit, formatPercent, pad } from './units.js'

/** Layout options of {@link formatTableText}. */
export interface TextTableOptions {
  /** The widest a line may be; N columns are dropped (the smallest and the largest N kept longest) to fit. */
  width?: number
  /** Labels longer than this are cut with `…` (default: never). */
  maxLabel?: number
}

/** The laid-out table, and how many N values it had to hide to fit. */
export interface TextTable {
  /** Header, a rule, one line per row. */
  lines: string[]
  /** N values whose columns were dropped to fit `width` (0 when all fit). */
  hidden: number
}

/** A value in percent, `41.2`, with its CI as `41.2 [38.0,46.3]`; `-` when missing. */
export function formatTableValue(v: TableValue | undefined): string {
  if (!v) return '-'
  return v.ci ? `${formatPercent(v.value)} [${formatPercent(v.ci[0])},${formatPercent(v.ci[1])}]` : formatPercent(v.value)
}

/**
 * Lays a results table out as terminal text: the label column, then right-aligned columns (at
 * least 6 wide), ` │` between metrics, a rule under the header.
 * Guarantees no line is longer than `width`; `pass@1` is never dropped.
 */
export function formatTableText(table: ResultsTable, options: TextTableOptions = {}): TextTable {
  const width = options.width ?? Number.POSITIVE_INFINITY
  const cells = table.rows.map((r) => r.values.map(formatTableValue))
  const own = table.columns.map((c, i) => Math.max(6, c.header.length, ...cells.map((row) => row[i]!.length)))
  // Columns of the same N are equally wide, so pass@16 and Bo-16 line up in every metric group.
  const colW = table.columns.map((c, i) =>
    c.metric === 'pass1' ? own[i]! : Math.max(...table.columns.flatMap((d, j) => (d.metric !== 'pass1' && d.n === c.n ? [own[j]!] : []))),
  )
  const labelWidth = Math.min(options.maxLabel ?? Number.POSITIVE_INFINITY, Math.max(table.title.length, ...table.rows.map((r) => r.label.length)))
  const ns = [...new Set(table.columns.filter((c) => c.metric !== 'pass1').map((c) => c.n))].sort((a, b) => a - b)
  let shown = table.columns.map((_, i) => i)
  const lineWidth = (cols: number[], lw: number): number =>
    lw + cols.reduce((sum, i, k) => sum + 2 + colW[i]! + (k > 0 && table.columns[cols[k - 1]!]!.metric !== table.columns[i]!.metric ? 2 : 0), 0)
  const priority = dropOrder(ns)
  while (priority.length > 0 && lineWidth(shown, labelWidth) > width) {
    const drop = priority.shift()!
    shown = shown.filter((i) => table.columns[i]!.metric === 'pass1' || table.columns[i]!.n !== drop)
  }
  const lw = Math.max(4, Math.min(labelWidth, width - (lineWidth(shown, labelWidth) - labelWidth)))
  const line = (label: string, values: string[]): string => {
    let text = pad(label, lw)
    shown.forEach((i, k) => {
      if (k > 0 && table.columns[shown[k - 1]!]!.metric !== table.columns[i]!.metric) text += ' │'
      text += `  ${values[i]!.padStart(colW[i]!)}`
    })
    return fit(text, width)
  }
  const lines = [
    line(
      table.title,
      table.columns.map((c) => c.header),
    ),
    fit('─'.repeat(lineWidth(shown, lw)), width),
  ]
  table.rows.forEach((_, r) => lines.push(line(table.rows[r]!.label, cells[r]!)))
  const hiddenNs = ns.filter((n) => !shown.some((i) => table.columns[i]!.n === n && table.columns[i]!.metric !== 'pass1'))
  return { lines, hidden: hiddenNs.length }
}

/** N values in the order they are dropped when space runs out: inner values first, largest N last. */
function dropOrder(grid: readonly number[]): number[] {
  if (grid.length <= 2) return [...grid]
  return [...grid.slice(1, -1), grid[0]!, grid[grid.length - 1]!]
}
