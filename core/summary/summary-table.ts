import type { CellResult } from '../plugin-api/results.js'
import { cellLabel, varyingAxes } from './cell-label.js'
import { fit, formatPercent, pad } from './units.js'

/** One row of the end-of-run table: a strategy (or the base) averaged over seeds. */
export interface SummaryRow {
  label: string
  strategy: string
  /** How many seeds (cells) the row averages. */
  seeds: number
  pass1: number
  /** N → mean pass@N over the row's cells. */
  passAtN: Map<number, number>
  /** N → mean Bo-N over the row's cells. */
  bestOfN: Map<number, number>
}

/** The end-of-run table as data: rows base first, then strategies in plan order. */
export interface SummaryTable {
  /** The N values above 1 found in any cell's grid, ascending. */
  grid: number[]
  rows: SummaryRow[]
}

/**
 * Groups finished cells by every axis but the seed and averages their metrics. Runs once at
 * `run:end`; needs no plan (the results carry their keys). An empty input gives an empty table.
 */
export function summarizeResults(results: readonly CellResult[]): SummaryTable {
  const axes = varyingAxes(results.map((r) => r.key))
  const groups = new Map<string, CellResult[]>()
  for (const r of results) {
    const { task, model, strategy, nTrain, temperature } = r.key
    const id = JSON.stringify([task, model, strategy, nTrain, temperature])
    const list = groups.get(id) ?? []
    list.push(r)
    groups.set(id, list)
  }
  const gridSet = new Set<number>()
  const rows: SummaryRow[] = []
  for (const cells of groups.values()) {
    const first = cells[0]!
    const passAtN = new Map<number, number[]>()
    const bestOfN = new Map<number, number[]>()
    for (const c of cells) {
      c.metrics.grid.forEach((n, i) => {
        if (n <= 1) return
        gridSet.add(n)
        push(passAtN, n, c.metrics.passAtN[i])
        push(bestOfN, n, c.metrics.bestOfN[i])
      })
    }
    rows.push({
      label: cellLabel(first.key, axes, { withSeed: false }),
      strategy: first.key.strategy,
      seeds: cells.length,
      pass1: mean(cells.map((c) => c.metrics.pass1)),
      passAtN: means(passAtN),
      bestOfN: means(bestOfN),
    })
  }
  // Stable sort: the base rows first, the rest keep their order of appearance.
  rows.sort((a, b) => Number(b.strategy === 'base') - Number(a.strategy === 'base'))
  return { grid: [...gridSet].sort((a, b) => a - b), rows }
}

/** Layout options for {@link formatSummaryTable}. */
export interface SummaryFormatOptions {
  /** The widest a line may be; N columns are dropped (largest and smallest N kept) to fit. */
  width?: number
}

/**
 * Writes the table as plain lines: a header (`pass@1`, `pass@N…`, `Bo-N…`), a rule, one line per
 * row and a note saying what the numbers are. Guarantees no line is longer than `width`.
 */
export function formatSummaryTable(table: SummaryTable, options: SummaryFormatOptions = {}): string[] {
  const width = options.width ?? Number.POSITIVE_INFINITY
  if (table.rows.length === 0) return [fit('No finished cells.', width)]
  const labelWidth = Math.min(28, Math.max(8, ...table.rows.map((r) => r.label.length)))
  let shown = [...table.grid]
  const lineWidth = (ns: number[], lw: number): number =>
    lw + 2 + 6 + ns.reduce((sum, n) => sum + 2 * (2 + Math.max(6, `pass@${n}`.length)), 0) + (ns.length > 0 ? 4 : 0)
  const priority = dropOrder(table.grid)
  while (shown.length > 0 && lineWidth(shown, labelWidth) > width) {
    const drop = priority.shift()!
    shown = shown.filter((n) => n !== drop)
  }
  const lw = Math.max(4, Math.min(labelWidth, width - (lineWidth(shown, labelWidth) - labelWidth)))
  const colW = (n: number): number => Math.max(6, `pass@${n}`.length)
  const line = (label: string, p1: string, pass: string[], bo: string[]): string => {
    let text = `${pad(label, lw)}  ${p1.padStart(6)}`
    if (shown.length > 0) {
      text += ' │' + shown.map((n, i) => `  ${pass[i]!.padStart(colW(n))}`).join('')
      text += ' │' + shown.map((n, i) => `  ${bo[i]!.padStart(colW(n))}`).join('')
    }
    return fit(text, width)
  }
  const out = [line('strategy', 'pass@1', shown.map((n) => `pass@${n}`), shown.map((n) => `Bo-${n}`))]
  out.push(fit('─'.repeat(lineWidth(shown, lw)), width))
  for (const row of table.rows) {
    out.push(line(
      row.label,
      formatPercent(row.pass1),
      shown.map((n) => formatPercent(row.passAtN.get(n))),
      shown.map((n) => formatPercent(row.bestOfN.get(n))),
    ))
  }
  const seeds = Math.max(...table.rows.map((r) => r.seeds))
  let note = seeds > 1 ? `Values in %, mean over up to ${seeds} seeds.` : 'Values in %.'
  if (shown.length < table.grid.length) note += ' Some N hidden: widen the terminal or see the report.'
  out.push(fit(note, width))
  return out
}

/** N values in the order they are dropped when space runs out: inner values first, largest N last. */
function dropOrder(grid: readonly number[]): number[] {
  if (grid.length <= 2) return grid.length === 2 ? [grid[0]!, grid[1]!] : [...grid]
  const inner = grid.slice(1, -1).sort((a, b) => a - b)
  return [...inner, grid[0]!, grid[grid.length - 1]!]
}

function push(map: Map<number, number[]>, n: number, value: number | undefined): void {
  if (value === undefined || !Number.isFinite(value)) return
  const list = map.get(n) ?? []
  list.push(value)
  map.set(n, list)
}

function means(map: Map<number, number[]>): Map<number, number> {
  const out = new Map<number, number>()
  for (const [n, values] of map) out.set(n, mean(values))
  return out
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length
}
