/** 'bonbench:bon-rl' and 'pkg/bon-rl' → 'bon-rl': a plugin's name without its package or built-in prefix. */
export function bareName(name: string): string {
  return name.replace(/^.*[:/]/, '')
}

/**
 * The name among `names` closest to `name` by edit distance on their bare names (at most 2 edits,
 * or a third of the name's length for longer names), for a "did you mean" hint; undefined when
 * none is that close.
 */
export function nearestName(name: string, names: readonly string[]): string | undefined {
  const wanted = bareName(name)
  const limit = Math.max(2, Math.floor(wanted.length / 3))
  let best: { name: string; distance: number } | undefined
  for (const candidate of names) {
    const distance = editDistance(wanted, bareName(candidate))
    if (distance <= limit && (!best || distance < best.distance)) best = { name: candidate, distance }
  }
  return best?.name
}

/** Levenshtein distance (insertions, deletions and substitutions of one character each). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    previous = current
  }
  return previous[b.length]!
}
