import type { Rng } from 'bonbench'

/** One BoN draw inside a group: the sample indices of an N′-subset and the index it selects. */
export interface BonPick {
  members: number[]
  pick: number
}

/**
 * B = ⌊K/N′⌋ disjoint uniformly random N′-subsets of the K samples (a seeded shuffle cut into
 * chunks; the K mod N′ left over belong to no subset), each with its BoN pick: the member of
 * highest `scores`, ties broken uniformly at random. Consumes `rng`; deterministic given its state.
 */
export function bonPicks(scores: readonly number[], nTrain: number, rng: Rng): BonPick[] {
  const order = scores.map((_, i) => i)
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const picks: BonPick[] = []
  for (let b = 0; (b + 1) * nTrain <= order.length; b++) {
    const members = order.slice(b * nTrain, (b + 1) * nTrain)
    picks.push({ members, pick: argmaxRandomTies(members, scores, rng) })
  }
  return picks
}

/** The index among `members` of highest score; ties broken uniformly at random. */
export function argmaxRandomTies(members: readonly number[], scores: readonly number[], rng: Rng): number {
  let best = -Infinity
  let tied: number[] = []
  for (const i of members) {
    const s = scores[i]!
    if (s > best) {
      best = s
      tied = [i]
    } else if (s === best) {
      tied.push(i)
    }
  }
  return tied.length === 1 ? tied[0]! : tied[rng.int(tied.length)]!
}
