import asciichart from 'asciichart'
import type { CellResult } from '../core/plugin-api/results.js'
import { groupCells } from '../reports/groups.js'
import { estimateOf } from '../reports/results-json.js'
import { formatTableText } from '../core/summary/format-table-text.js'
import { metricColumns, resultsTable } from '../core/summary/results-table.js'

/** One row of the end-of-run tables and one line of the curves: a cell, or a group of seeds. */
export interface ResultRow {
  label: string
  /** Seeds pooled (two-level CIs over seeds and prompts) rather than one cell's own CIs. */
  pooled?: boolean
  /** Seeds (cells) the row stands for. */
  seeds: number
  grid: number[]
  passAtN: Array<{ value: number; ci: [number, number] }>
  bestOfN: Array<{ value: number; ci: [number, number] }>
}

/**
 * The rows to print: one per cell when the run has one seed (95% bootstrap CIs over prompts);
 * with several seeds one per group, pooled over its seeds, with two-level bootstrap CIs (seeds ×
 * prompts, as in results.json). Base rows first.
 */
export function resultRows(results: readonly CellResult[], opts: { resamples?: number; level?: number } = {}): ResultRow[] {
  const { groups } = groupCells(results)
  if (!groups.some((g) => g.cells.length > 1)) {
    return groups.map((g) => {
      const m = g.cells[0]!.metrics
      const pick = (values: number[], ci: Array<[number, number]>) => m.grid.map((_, i) => ({ value: values[i]!, ci: ci[i]! }))
      return { label: g.label, seeds: 1, grid: m.grid, passAtN: pick(m.passAtN, m.ci.passAtN), bestOfN: pick(m.bestOfN, m.ci.bestOfN) }
    })
  }
  const bootstrap = { resamples: opts.resamples ?? 1000, level: opts.level ?? 0.95, seed: 0 }
  return groups.map((g) => ({
    label: `${g.label} (${g.cells.length} seed${g.cells.length === 1 ? '' : 's'})`,
    pooled: true,
    seeds: g.cells.length,
    grid: g.grid,
    passAtN: g.grid.map((n) => estimateOf(g, 'passAtN', n, bootstrap)),
    bestOfN: g.grid.map((n) => estimateOf(g, 'bestOfN', n, bootstrap)),
  }))
}

/**
 * The end-of-run tables: one for pass@N and one for Bo-N, rows from {@link resultRows} (base
 * first), columns = the N grid, each entry `value [low, high]` in percent. Two narrow tables rather
 * than one wide one, so they fit a terminal. Built as the results-table model, laid out by formatTableText.
 */
export function renderResultsTable(rows: readonly ResultRow[]): string {
  if (rows.length === 0) return '(no finished cells)'
  const grid = rows[0]!.grid
  const pooled = rows.some((r) => r.pooled)
  const sources = rows.map((r) => ({ label: r.label, seeds: r.seeds, grid: r.grid, passAtN: r.passAtN, bestOfN: r.bestOfN }))
  const block = (title: string, metric: 'passAtN' | 'bestOfN') => formatTableText(resultsTable(sources, metricColumns([metric], grid, { headers: 'n' }), title)).lines.join('\n')
  return [
    block('pass@N', 'passAtN'),
    '',
    block('Bo-N', 'bestOfN'),
    `(percent, [95% CI over ${pooled ? 'seeds and prompts: seeds pooled' : 'prompts'}]; Bo-N selects by the verifier, pass@N counts any correct sample)`,
  ].join('\n')
}

const COLORS = [asciichart.blue, asciichart.green, asciichart.red, asciichart.magenta, asciichart.cyan, asciichart.yellow, asciichart.lightgray]

/**
 * Terminal charts of Bo-N and pass@N against N (x: the grid positions, log-spaced N), one line per
 * row of {@link resultRows}, with a legend. `color` false gives plain text (for files and non-TTY output).
 */
export function renderCurves(allRows: readonly ResultRow[], opts: { color?: boolean } = {}): string {
  const rows = allRows.filter((r) => r.grid.length === allRows[0]?.grid.length)
  if (rows.length === 0) return ''
  const grid = rows[0]!.grid
  const chart = (title: string, pick: (r: ResultRow) => ResultRow['passAtN']) => {
    const series = rows.map((r) => stretch(pick(r).map((e) => 100 * e.value), 6))
    const plot = asciichart.plot(series, {
      height: 10,
      colors: opts.color ? rows.map((_, i) => COLORS[i % COLORS.length]!) : undefined,
      format: (x: number) => x.toFixed(0).padStart(4) + '%',
    })
    const axis = '       ' + grid.map((n) => String(n).padEnd(6)).join('')
    return `${title}\n${plot}\n${axis}  (N)`
  }
  const legend = rows.map((r, i) => `${opts.color ? COLORS[i % COLORS.length] : ''}●${opts.color ? asciichart.reset : ''} ${r.label}`).join('   ')
  return [chart('Bo-N accuracy against N', (r) => r.bestOfN), chart('pass@N against N', (r) => r.passAtN), legend].join('\n\n')
}

/** Repeats points so each grid position spans `width` columns (linear in between). */
function stretch(values: number[], width: number): number[] {
  const out: number[] = []
  values.forEach((v, i) => {
    const next = values[i + 1]
    if (next === undefined) out.push(v)
    else for (let j = 0; j < width; j++) out.push(v + ((next - v) * j) / width)
  })
  return out
}
