import asciichart from 'asciichart'
import type { CellResult } from '../plugin-api/results.js'
import { usesTrainN } from '../run/planner.js'

/** A row label: strategy, N′ (for trained cells), temperature and seed when they vary. */
export function cellLabel(result: CellResult, all: readonly CellResult[]): string {
  const k = result.key
  const parts = [k.strategy === 'base' ? 'base' : k.strategy.replace(/^bonbench:/, '')]
  if (usesTrainN(k.strategy) && new Set(all.filter((r) => usesTrainN(r.key.strategy)).map((r) => r.key.nTrain)).size > 1) parts.push(`N'=${k.nTrain}`)
  if (new Set(all.map((r) => r.key.temperature)).size > 1) parts.push(`T=${k.temperature}`)
  if (new Set(all.map((r) => r.key.seed)).size > 1) parts.push(`seed ${k.seed}`)
  return parts.join(' ')
}

const pct = (x: number) => (100 * x).toFixed(1)

/**
 * The end-of-run tables: one for pass@N and one for Bo-N, rows = cells (base first), columns = the
 * N grid, each entry `value [low, high]` in percent (95% bootstrap CIs over prompts). Two narrow
 * tables rather than one wide one, so they fit a terminal.
 */
export function renderResultsTable(results: readonly CellResult[]): string {
  if (results.length === 0) return '(no finished cells)'
  const grid = results[0]!.metrics.grid
  const block = (title: string, pick: (r: CellResult) => { values: number[]; ci: Array<[number, number]> }) => {
    const header = [title, ...grid.map((n) => `N=${n}`)]
    const rows = results.map((r) => {
      const { values, ci } = pick(r)
      return [cellLabel(r, results), ...grid.map((_, i) => `${pct(values[i]!)} [${pct(ci[i]![0])},${pct(ci[i]![1])}]`)]
    })
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)))
    const line = (cells: string[]) => cells.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ')
    return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
  }
  return [
    block('pass@N', (r) => ({ values: r.metrics.passAtN, ci: r.metrics.ci.passAtN })),
    '',
    block('Bo-N', (r) => ({ values: r.metrics.bestOfN, ci: r.metrics.ci.bestOfN })),
    '(percent, [95% CI over prompts]; Bo-N selects by the verifier, pass@N counts any correct sample)',
  ].join('\n')
}

const COLORS = [asciichart.blue, asciichart.green, asciichart.red, asciichart.magenta, asciichart.cyan, asciichart.yellow, asciichart.lightgray]

/**
 * Terminal charts of Bo-N and pass@N against N (x: the grid positions, log-spaced N), one line per
 * cell, with a legend. `color` false gives plain text (for files and non-TTY output).
 */
export function renderCurves(results: readonly CellResult[], opts: { color?: boolean } = {}): string {
  if (results.length === 0) return ''
  const grid = results[0]!.metrics.grid
  const chart = (title: string, pick: (r: CellResult) => number[]) => {
    const series = results.map((r) => stretch(pick(r).map((v) => 100 * v), 6))
    const plot = asciichart.plot(series, {
      height: 10,
      colors: opts.color ? results.map((_, i) => COLORS[i % COLORS.length]!) : undefined,
      format: (x: number) => x.toFixed(0).padStart(4) + '%',
    })
    const axis = '       ' + grid.map((n) => String(n).padEnd(6)).join('')
    return `${title}\n${plot}\n${axis}  (N)`
  }
  const legend = results.map((r, i) => `${opts.color ? COLORS[i % COLORS.length] : ''}●${opts.color ? asciichart.reset : ''} ${cellLabel(r, results)}`).join('   ')
  return [chart('Bo-N accuracy against N', (r) => r.metrics.bestOfN), chart('pass@N against N', (r) => r.metrics.passAtN), legend].join('\n\n')
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
