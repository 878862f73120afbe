const BARS = '▁▂▃▄▅▆▇█'

/**
 * Draws the last `width` values as a one-line sparkline of block characters, scaled between
 * their minimum and maximum (a flat series draws at mid height). Guarantees a string of at most
 * `width` characters; an empty series gives ''.
 */
export function sparkline(values: readonly number[], width: number): string {
  if (width <= 0) return ''
  const shown = values.filter(Number.isFinite).slice(-width)
  if (shown.length === 0) return ''
  const lo = Math.min(...shown)
  const hi = Math.max(...shown)
  if (hi - lo < 1e-12) return BARS[3]!.repeat(shown.length)
  return shown.map((v) => BARS[Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))]!).join('')
}
