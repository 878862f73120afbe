import asciichart from 'asciichart'
import type { CellResult } from '../core/plugin-api/results.js'
import { groupCells } from '../reports/groups.js'
import { estimateOf } from '../reports/group-estimate.js'
import { selectionEstimates } from '../reports/results-json.js'
import { formatTableText } from '../core/summary/format-table-text.js'
import { metricColumns, resultsTable, selectionRows } from '../core/summary/results-table.js'

/** One row of the end-of-run tables and one line of the curves: a cell, or a group of seeds. */
export interface ResultRow {
  label: string
  /** Several seeds pooled (the label names how many; CIs over seeds and prompts), not one seed's prompts. */
  pooled?: boolean
  /** Seeds (cells) the row stands for. */
  seeds: number
  grid: number[]
  passAtN: Array<{ value: number; ci: [number, number] }>
  bestOfN: Array<{ value: number; ci: [number, number] }>
  /** maj@N and the extra selection rules (`eval.selectionRules`), only when the run asked for extra rules. */
  majorityAtN?: Array<{ value: number; ci: [number, number] }>
  selection?: Array<{ label: string; values?: Array<{ value: number; ci: [number, number] }>; absent?: string }>
}

/**
 * The rows to print: one per group of seeds (one per cell when the run has one seed), pooled over
 * its seeds, with the estimates results.json holds (`groups[]`: the same two-level bootstrap over
 * seeds and prompts, the same resamples and seeds), so the terminal, report.md and report.html show
 * the same CIs. With one seed the bootstrap is over prompts alone. Base rows first.
 */
export function resultRows(results: readonly CellResult[], opts: { resamples?: number; level?: number } = {}): ResultRow[] {
  const { groups } = groupCells(results)
  const pooled = groups.some((g) => g.cells.length > 1)
  const bootstrap = { resamples: opts.resamples ?? 1000, level: opts.level ?? 0.95, seed: 0 }
  return groups.map((g) => {
    const row: ResultRow = {
      label: pooled ? `${g.label} (${g.cells.length} seed${g.cells.length === 1 ? '' : 's'})` : g.label,
      ...(pooled ? { pooled: true } : {}),
      seeds: g.cells.length,
      grid: g.grid,
      passAtN: g.grid.map((n) => estimateOf(g, 'passAtN', n, bootstrap)),
      bestOfN: g.grid.map((n) => estimateOf(g, 'bestOfN', n, bootstrap)),
    }
    const selection = selectionEstimates(g, bootstrap)
    if (selection) {
      row.majorityAtN = g.grid.map((n) => estimateOf(g, 'majorityAtN', n, bootstrap))
      row.selection = selection.map((r) => ('values' in r ? { label: r.label, values: r.values } : { label: r.label, absent: r.absent }))
    }
    return row
  })
}

/**
 * The end-of-run tables: one for pass@N and one for Bo-N, rows from {@link resultRows} (base
 * first), columns = the N grid, each entry `value [low, high]` in percent. Two narrow tables rather
 * than one wide one, so they fit a terminal. Built as the results-table model, laid out by formatTableText.
 * `threshold`: the reward a sample needs to count as correct (the cells' `metrics.threshold`; 1 when absent).
 * `width`: the widest a line may be (a terminal's columns): N columns are dropped to fit, and said
 * so, and the closing note wraps at it; without it (a pipe, a file) every line is whole.
 */
export function renderResultsTable(rows: readonly ResultRow[], opts: { threshold?: number; width?: number } = {}): string {
  if (rows.length === 0) return '(no finished cells)'
  const grid = rows[0]!.grid
  const pooled = rows.some((r) => r.pooled)
  const sources = rows.map((r) => ({ label: r.label, seeds: r.seeds, grid: r.grid, passAtN: r.passAtN, bestOfN: r.bestOfN }))
  let hidden = 0
  // On a terminal narrower than a label and one column (`100.0 [100.0,100.0]`), labels are cut so
  // that one N still shows.
  const fitTo = opts.width !== undefined ? { width: opts.width, maxLabel: Math.max(8, opts.width - 21) } : {}
  const layout = (table: Parameters<typeof formatTableText>[0]) => {
    const text = formatTableText(table, fitTo)
    hidden = Math.max(hidden, text.hidden)
    return text.lines.join('\n')
  }
  const block = (title: string, metric: 'passAtN' | 'bestOfN') => layout(resultsTable(sources, metricColumns([metric], grid, { headers: 'n' }), title))
  const ruleSources = selectionRows(rows)
  const rules = ruleSources.length > 0 ? ['', layout(resultsTable(ruleSources, metricColumns(['rule'], grid, { headers: 'n' }), 'selection rule'))] : []
  const tables = [block('pass@N', 'passAtN'), '', block('Bo-N', 'bestOfN'), ...rules]
  const note = `(percent, [95% CI over ${pooled ? 'seeds and prompts: seeds pooled' : 'prompts'}]; Bo-N selects by the verifier, pass@N counts ${opts.threshold === undefined || opts.threshold === 1 ? 'any correct sample' : `any sample with reward ≥ ${opts.threshold}`}${rules.length > 0 ? "; a selection rule's value is the mean reward of its pick" : ''}${hidden > 0 ? '; some N hidden: widen the terminal or see the report' : ''})`
  return [...tables, ...wrapWords(note, opts.width)].join('\n')
}

/** `text` cut into lines of at most `width` characters at spaces (a longer word keeps a line of its own); whole without `width`. */
function wrapWords(text: string, width: number | undefined): string[] {
  if (width === undefined || text.length <= width) return [text]
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(line)
  return lines
}

const COLORS = [asciichart.blue, asciichart.green, asciichart.red, asciichart.magenta, asciichart.cyan, asciichart.yellow, asciichart.lightgray]

/**
 * One marker per series, drawn at each of its points and named in the legend, so the series can
 * be told apart without colour (a file, a pipe, NO_COLOR). Past these, letters.
 */
export const SERIES_MARKERS: readonly string[] = ['●', '▲', '■', '◆', '○', '△', '□', '◇', '×', '+', ...'abcdefghijklmnopqrstuvwxyz']

/** Columns each grid position spans in the charts. */
const STEP = 6

/** The marker of series `i`. */
export function seriesMarker(i: number): string {
  return SERIES_MARKERS[i % SERIES_MARKERS.length]!
}

/**
 * Terminal charts of Bo-N and pass@N against N (x: the grid positions, log-spaced N), one line per
 * row of {@link resultRows}, each point drawn with the row's marker ({@link seriesMarker}), and a
 * legend naming each marker. `color` false gives plain text (for files and non-TTY output); with
 * colour, each line and marker also takes its row's colour. `width` (a terminal's columns) wraps
 * the legend between entries; without it the legend is one line.
 */
export function renderCurves(allRows: readonly ResultRow[], opts: { color?: boolean; width?: number } = {}): string {
  const rows = allRows.filter((r) => r.grid.length === allRows[0]?.grid.length)
  if (rows.length === 0) return ''
  const grid = rows[0]!.grid
  const paint = (i: number, text: string) => (opts.color ? `${COLORS[i % COLORS.length]}${text}${asciichart.reset}` : text)
  const chart = (title: string, pick: (r: ResultRow) => ResultRow['passAtN']) => {
    const values = rows.map((r) => pick(r).map((e) => 100 * e.value))
    const plot = markedPlot(values, paint)
    const axis = '       ' + grid.map((n) => String(n).padEnd(STEP)).join('')
    // On a narrow terminal the axis loses its padding, then its `(N)`, rather than wrap.
    const trimmed = axis.trimEnd()
    const fits = (line: string) => opts.width === undefined || line.length <= opts.width
    const axisLine = fits(`${axis}  (N)`) ? `${axis}  (N)` : fits(`${trimmed}  (N)`) ? `${trimmed}  (N)` : trimmed
    return `${title}\n${plot}\n${axisLine}`
  }
  // Entries are measured without their colour codes.
  const entries = rows.map((r, i) => ({ text: `${paint(i, seriesMarker(i))} ${r.label}`, width: `${seriesMarker(i)} ${r.label}`.length }))
  const legendLines: string[] = []
  let line = ''
  let used = 0
  for (const entry of entries) {
    if (used > 0 && opts.width !== undefined && used + 3 + entry.width > opts.width) {
      legendLines.push(line)
      line = ''
      used = 0
    }
    line += used > 0 ? `   ${entry.text}` : entry.text
    used += (used > 0 ? 3 : 0) + entry.width
  }
  legendLines.push(line)
  const legend = legendLines.join('\n')
  return [chart('Bo-N accuracy against N', (r) => r.bestOfN), chart('pass@N against N', (r) => r.passAtN), legend].join('\n\n')
}

/**
 * asciichart's plot of every series (lines between log-spaced points), with each series' marker
 * written over its points: the cell of value v at grid position g is where asciichart puts it —
 * row `rows − (round(v·ratio) − min2)`, column `axis + 1 + g·STEP` (asciichart 1.5's layout). Each
 * drawn cell is painted in the colour of the series that drew it last, as asciichart would.
 */
function markedPlot(curves: number[][], paint: (series: number, text: string) => string): string {
  const config = { height: 10, format: (x: number) => x.toFixed(0).padStart(4) + '%' }
  // To a millionth of a point: float noise (50 and 49.99999999999999) made a range so small that
  // asciichart's rows (value × height / range) passed 2^53, where its row loop's ++ no longer
  // counts, and the command never ended. A range is now 0 or at least 1e-6.
  const values = curves.map((curve) => curve.map((v) => Math.round(v * 1e6) / 1e6))
  const stretched = values.map((v) => stretch(v, STEP))
  const all = stretched.flat()
  const min = Math.min(...all)
  const max = Math.max(...all)
  const cells = (text: string) => text.split('\n').map((line) => Array.from(line))
  const plain = cells(asciichart.plot(stretched, config))
  // One plot per series on the common scale tells which series drew each cell.
  const own = stretched.map((s) => cells(asciichart.plot(s, { ...config, min, max })))
  const axis = plain.map((line) => line.findIndex((c) => c === '┤' || c === '┼'))
  const range = max - min
  const ratio = range !== 0 ? config.height / range : 1
  const min2 = Math.round(min * ratio)
  const rows = Math.abs(Math.round(max * ratio) - min2)
  const marks = new Map<string, number>()
  values.forEach((series, i) =>
    series.forEach((v, g) => {
      const row = rows - (Math.round(v * ratio) - min2)
      marks.set(`${row},${axis[row]! + 1 + g * STEP}`, i)
    }),
  )
  return plain
    .map((line, r) =>
      line
        .map((c, col) => {
          if (col <= axis[r]!) return c
          const marked = marks.get(`${r},${col}`)
          if (marked !== undefined) return paint(marked, seriesMarker(marked))
          if (c === ' ') return c
          let owner = own.length - 1
          while (owner >= 0 && (own[owner]![r]?.[col] ?? ' ') === ' ') owner--
          return owner >= 0 ? paint(owner, c) : c
        })
        .join(''),
    )
    .join('\n')
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
