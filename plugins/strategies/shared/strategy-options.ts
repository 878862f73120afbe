import { BenchError } from 'bonbench'

/** K, the policy samples per prompt: the option `k`, else max(2N′, 4) (so B = ⌊K/N′⌋ ≥ 2 BoN picks). */
export function defaultK(nTrain: number, k: number | undefined): number {
  return k ?? Math.max(2 * nTrain, 4)
}

/** Throws BENCH_RUN_INVALID, naming the strategy, when a group holds fewer samples than a rule needs. */
export function requireSamples(name: string, have: number, need: number, why: string): void {
  if (have < need) {
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `bonbench:${name}: a group holds ${have} policy samples but the rule needs at least ${need} (${why}). Gather the K that needs() declares.`,
    )
  }
}

/**
 * Throws BENCH_RUN_INVALID, naming the strategy, when K — the group's policy samples, as many as
 * needs() declared from the option `k` (or `train.kPerN`) — is too small for the rule's estimator at
 * this N′ (bon-rl's baseline needs a second BoN subset; bon-rlb's p̂ a sample outside the pick's
 * subset). Without that the rule would quietly compute another estimator, so it refuses, saying how
 * large K must be.
 */
export function requireK(name: string, have: number, need: number, nTrain: number, why: string): void {
  if (have < need) {
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `bonbench:${name}: K = ${have} policy samples per prompt, but at N′ = ${nTrain} the rule needs K ≥ ${need} (${why}). ` +
        `Set the option 'k' to at least ${need} (or train.kPerN to at least ${Math.ceil(need / nTrain)}), or leave both unset for the default K = max(2N′, 4).`,
    )
  }
}

/**
 * Throws BENCH_RUN_INVALID, naming the strategy, when M — the reference samples of a group, or the
 * option 'reference-samples' that sets it — is below N′: no N′-subset of the reference exists, so a
 * rule that distils BoN picks of the reference (bond's forward part) would silently drop them.
 */
export function requireReferenceSamples(name: string, have: number, nTrain: number, why: string): void {
  if (have < nTrain) {
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `bonbench:${name}: M = ${have} reference samples per prompt, but at N′ = ${nTrain} the rule needs M ≥ N′ = ${nTrain} (${why}). ` +
        `Set the option 'reference-samples' to at least ${nTrain}, or leave it unset for the default M = max(2N′, 8).`,
    )
  }
}
