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
 * The end-of-run table: one row per cell (base first), pass@1, then pass@N and Bo-N for every N of
 * the grid as `value [low, high]` in percent (95% bootstrap CIs over prompts).
 */
export function renderResultsTable(results: readonly CellResult[]): string {
  if (results.length === 0) return '(no finished cells)'
  const grid = results[0]!.metrics.grid
  // pass@1 gets its own column only when the grid does not already hold N = 1.
  const extraPass1 = !grid.includes(1)
  const header = ['model', ...(extraPass1 ? ['pass@1'] : []), ...grid.map((n) => `pass@${n}`), ...grid.map((n) => `Bo-${n}`)]
  const rows = results.map((r) => {
    const m = r.metrics
    const cell = (v: number, ci: [number, number]) => `${pct(v)} [${pct(ci[0])},${pct(ci[1])}]`
    return [
      cellLabel(r, results),
      ...(extraPass1 ? [pct(m.pass1)] : []),
      ...grid.map((_, i) => cell(m.passAtN[i]!, m.ci.passAtN[i]!)),
      ...grid.map((_, i) => cell(m.bestOfN[i]!, m.ci.bestOfN[i]!)),
    ]
  })
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)))
  const line = (cells: string[]) => cells.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), '(percent; [95% CI over prompts])'].join('\n')
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
