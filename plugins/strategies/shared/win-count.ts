/**
 * c(a, b) by mid-ranks (DESIGN §2.2): 1 if a scores above b, ½ on a tie, 0 below — the
 * probability that a wins against b under BoN's uniform tie-breaking.
 */
export function winCount(a: number, b: number): number {
  return a > b ? 1 : a === b ? 0.5 : 0
}
