import asciichart from 'asciichart'
import type { CellResult } from '../core/plugin-api/results.js'
import { groupCells } from '../reports/groups.js'
import { estimateOf } from '../reports/results-json.js'

/** One row of the end-of-run tables and one line of the curves: a cell, or a group of seeds. */
export interface ResultRow {
  label: string
  /** Seeds pooled (two-level CIs over seeds and prompts) rather than one cell's own CIs. */
  pooled?: boolean
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
      return { label: g.label, grid: m.grid, passAtN: pick(m.passAtN, m.ci.passAtN), bestOfN: pick(m.bestOfN, m.ci.bestOfN) }
    })
  }
  const bootstrap = { resamples: opts.resamples ?? 1000, level: opts.level ?? 0.95, seed: 0 }
  return groups.map((g) => ({
    label: `${g.label} (${g.cells.length} seed${g.cells.length === 1 ? '' : 's'})`,
    pooled: true,
    grid: g.grid,
    passAtN: g.grid.map((n) => estimateOf(g, 'passAtN', n, bootstrap)),
    bestOfN: g.grid.map((n) => estimateOf(g, 'bestOfN', n, bootstrap)),
  }))
}

const pct = (x: number) => (100 * x).toFixed(1)

/**
 * The end-of-run tables: one for pass@N and one for Bo-N, rows from {@link resultRows} (base
 * first), columns = the N grid, each entry `value [low, high]` in percent. Two narrow tables rather
 * than one wide one, so they fit a terminal.
 */
export function renderResultsTable(rows: readonly ResultRow[]): string {
  if (rows.length === 0) return '(no finished cells)'
  const grid = rows[0]!.grid
  const pooled = rows.some((r) => r.pooled)
  const block = (title: string, pick: (r: ResultRow) => ResultRow['passAtN']) => {
    const header = [title, ...grid.map((n) => `N=${n}`)]
    const lines = rows.map((r) => [r.label, ...grid.map((n) => {
      const e = pick(r)[r.grid.indexOf(n)]
      return e ? `${pct(e.value)} [${pct(e.ci[0])},${pct(e.ci[1])}]` : '—'
    })])
    const widths = header.map((h, c) => Math.max(h.length, ...lines.map((row) => row[c]!.length)))
    const line = (cells: string[]) => cells.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ')
    return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(line)].join('\n')
  }
  return [
    block('pass@N', (r) => r.passAtN),
    '',
    block('Bo-N', (r) => r.bestOfN),
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
