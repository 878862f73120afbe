/**
 * A text progress bar of exactly `width` characters: `█` for done, `░` for the rest. A zero
 * total counts as complete once `done` reaches it (an empty phase is finished, not stuck).
 */
export function progressBar(done: number, total: number, width: number): string {
  if (width <= 0) return ''
  const fraction = total > 0 ? Math.max(0, Math.min(1, done / total)) : done >= total ? 1 : 0
  const filled = Math.round(fraction * width)
  return '█'.repeat(filled) + '░'.repeat(width - filled)
}
