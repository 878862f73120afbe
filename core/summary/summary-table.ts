import type { CellResult } from '../plugin-api/results.js'
import { cellLabel, varyingAxes } from './cell-label.js'
import { formatTableText } from './format-table-text.js'
import { metricColumns, type ResultsTable, resultsTable } from './results-table.js'
import { fit } from './units.js'

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

/** The table model of the summary: columns pass@1, pass@N and Bo-N over the grid, values without CIs. */
export function summaryResultsTable(table: SummaryTable): ResultsTable {
  const sources = table.rows.map((row) => ({
    label: row.label,
    seeds: row.seeds,
    grid: table.grid,
    pass1: { value: row.pass1 },
    passAtN: table.grid.map((n) => valueAt(row.passAtN, n)),
    bestOfN: table.grid.map((n) => valueAt(row.bestOfN, n)),
  }))
  return resultsTable(sources, metricColumns(['pass1', 'passAtN', 'bestOfN'], table.grid))
}

function valueAt(values: ReadonlyMap<number, number>, n: number): { value: number } | undefined {
  const value = values.get(n)
  return value === undefined ? undefined : { value }
}

/**
 * Writes the table as plain lines: a header (`pass@1`, `pass@N…`, `Bo-N…`), a rule, one line per
 * row and a note saying what the numbers are. Guarantees no line is longer than `width`.
 */
export function formatSummaryTable(table: SummaryTable, options: SummaryFormatOptions = {}): string[] {
  const width = options.width ?? Number.POSITIVE_INFINITY
  if (table.rows.length === 0) return [fit('No finished cells.', width)]
  const { lines, hidden } = formatTableText(summaryResultsTable(table), { width, maxLabel: 28 })
  const seeds = Math.max(...table.rows.map((r) => r.seeds))
  let note = seeds > 1 ? `Values in %, mean over up to ${seeds} seeds.` : 'Values in %.'
  if (hidden > 0) note += ' Some N hidden: widen the terminal or see the report.'
  return [...lines, fit(note, width)]
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
