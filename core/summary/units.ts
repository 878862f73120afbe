/**
 * How numbers are written for people in the terminal UI and the line reporter: durations,
 * rates and metric values. Pure functions; the same input always gives the same text.
 */

/** A duration as `0:42`, `12:05` or `1:02:03`; `--:--` for an unknown or non-finite value. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--:--'
  const total = Math.round(ms / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const ss = String(s).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/** A short estimate such as `45s`, `3m 20s` or `1h 05m` for plan summaries. */
export function formatEstimate(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** Units per second with three significant figures (`1.23/s`, `456/s`); `-` when unknown. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '-/s'
  if (perSecond >= 100) return `${Math.round(perSecond)}/s`
  if (perSecond >= 10) return `${perSecond.toFixed(1)}/s`
  return `${perSecond.toFixed(2)}/s`
}

/** A fraction in [0, 1] as a percentage with one decimal (`41.2`); `-` for a missing value. */
export function formatPercent(fraction: number | undefined): string {
  if (fraction === undefined || !Number.isFinite(fraction)) return '-'
  return (fraction * 100).toFixed(1)
}

/** A loss or accuracy value with four significant figures (`1.234`, `0.01234`). */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  const abs = Math.abs(value)
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e5)) return value.toExponential(2)
  return value
    .toPrecision(4)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '')
}

/** A count with thousands separators (`12,800`), independent of the machine's locale. */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** Cuts `text` to at most `width` characters, ending in `…` when something was cut. */
export function fit(text: string, width: number): string {
  if (width <= 0) return ''
  if (text.length <= width) return text
  return width === 1 ? '…' : `${text.slice(0, width - 1)}…`
}

/** `fit` then pads with spaces on the right (or the left with `align: 'right'`) to exactly `width`. */
export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = fit(text, width)
  return align === 'left' ? cut.padEnd(width) : cut.padStart(width)
}
