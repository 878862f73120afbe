import type { TableValue } from '../core/summary/results-table.js'
import type { Estimate } from './results-schema.js'

// The Markdown building blocks of report.md, its frontier section and `bench compare --format md`
// (a file of their own, so frontier-markdown.ts and markdown.ts do not import each other).

/** Escapes text for a Markdown table cell: pipes, newlines and HTML-ish angle brackets. */
export function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ')
}

/** A Markdown table; numeric tables right-align every column but the first. */
export function table(header: string[], rows: string[][], numeric = true): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map((_, i) => (i === 0 || !numeric ? '---' : '---:'))), ...rows.map(line)].join('\n')
}

/** A proportion as `42.1 (38.0–46.3)`, in percent (`42.1` when it has no CI). */
export function fmtEstimate(e: Estimate | TableValue): string {
  return e.ci ? `${pct(e.value)} (${pct(e.ci[0])}–${pct(e.ci[1])})` : pct(e.value)
}

/** A proportion in percent with one decimal (`—` when not finite). */
export function pct(v: number): string {
  return Number.isFinite(v) ? (100 * v).toFixed(1) : '—'
}

/** A difference in points, always signed: `+4.2`, `−0.3`. */
export function signedPoints(v: number): string {
  return `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(1)}`
}
