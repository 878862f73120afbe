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
