/**
 * The first three of `ids` for a message, comma-separated, then `, …` when there are more; each
 * in single quotes with `quote`. E.g. `math-008, math-009, math-010, …`.
 */
export function firstIds(ids: readonly string[], opts: { quote?: boolean } = {}): string {
  const shown = ids.slice(0, 3).map((id) => (opts.quote ? `'${id}'` : id))
  return `${shown.join(', ')}${ids.length > 3 ? ', …' : ''}`
}
