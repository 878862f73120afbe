/** A sample fails when its environment reward is below 1 (rewards are 0/1 for bon-rlb). */
export function isSuccess(reward: number): boolean {
  return reward >= 1
}

/**
 * p̂, the failure rate used to weight one BoN pick: the fraction of failures among the samples
 * *outside* the pick's subset (so p̂ is independent of the pick), clipped into [1/(K+1), K/(K+1)]
 * with K the group size (DESIGN §2.2). With no sample outside the subset it is ½ before clipping
 * — not an estimate, so bon-rlb refuses K = N′ with p̂ (bon-rlb.ts checkK).
 */
export function leaveOutFailRate(rewards: readonly number[], members: readonly number[]): number {
  const k = rewards.length
  const inside = new Set(members)
  let fails = 0
  let count = 0
  for (let i = 0; i < k; i++) {
    if (inside.has(i)) continue
    count++
    if (!isSuccess(rewards[i]!)) fails++
  }
  const raw = count === 0 ? 0.5 : fails / count
  return Math.min(Math.max(raw, 1 / (k + 1)), k / (k + 1))
}
