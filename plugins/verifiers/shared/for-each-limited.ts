import { BenchError } from 'bonbench'

/**
 * Runs `work(i)` for i in 0..count-1 with at most `width` at once (clamped to 1..count). Before
 * each item it throws BENCH_ABORTED ("`plugin`: verification was cancelled") once `signal` is aborted.
 */
export async function forEachLimited(
  count: number,
  width: number,
  work: (i: number) => Promise<void>,
  signal: AbortSignal | undefined,
  plugin: string,
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < count) {
      if (signal?.aborted) throw new BenchError('BENCH_ABORTED', `${plugin}: verification was cancelled`)
      await work(next++)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, count)) }, worker))
}
