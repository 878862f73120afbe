// How to run (no npm script): `npx tsx benchmarks/metrics.bench.ts`
// Times the exact estimators of core/metrics for one prompt's pool, the evaluator's hot path:
// every k ≤ n curve at n = 1024 (goal: under 1 ms per prompt), plus maj@k, distinct@k and the
// bootstrap. Prints a table and writes benchmarks/results/metrics.json (BENCH_RESULTS_DIR
// overrides the folder) in the shared format of core/benchmark-format.ts.
import { Bench } from 'tinybench'
import { recordsFromBench, writeBenchmarkResults } from '../core/benchmark-format.js'
import { bestOfNAll, bootstrapCI, countCorrect, distinctAtK, majorityAtK, passAtK, passAtKAll } from '../core/metrics/index.js'
import { pairedTwoLevelBootstrap } from '../core/metrics/two-level-bootstrap.js'
import { createRng } from '../core/rng.js'
import { plainPairedReplicates } from '../test/helpers/plain-bootstrap.js'

const n = 1024
const rng = createRng(1)
const pool = Array.from({ length: n }, () => {
  const answer = `a${Math.floor(rng.next() ** 2 * 20)}`
  return { reward: answer === 'a0' ? 1 : 0, score: Math.round(rng.next() * 200) / 10, answer }
})
const rewards = pool.map((s) => s.reward)
const allK = Array.from({ length: n }, (_, i) => i + 1)
const powersOfTwo = allK.filter((k) => (k & (k - 1)) === 0)
const small = pool.slice(0, 64)
const prompts = Array.from({ length: 500 }, () => rng.next())

const cases: Record<string, { params: Record<string, number | string>; fn: () => unknown }> = {
  'pass@k all k (recurrence), n=1024': { params: { n, ks: n }, fn: () => passAtKAll(n, countCorrect(rewards)) },
  'pass@k all k (product per k), n=1024': {
    params: { n, ks: n },
    fn: () => {
      const c = countCorrect(rewards)
      return allK.map((k) => passAtK(n, c, k))
    },
  },
  'Bo-N all k, n=1024': { params: { n, ks: n }, fn: () => bestOfNAll(pool) },
  'distinct@k powers of 2, n=1024': { params: { n, ks: powersOfTwo.length }, fn: () => distinctAtK(pool, powersOfTwo) },
  'maj@k exact DP k=32, n=64': { params: { n: 64, k: 32 }, fn: () => majorityAtK(small, [32], { exactLimit: Infinity }) },
  'maj@k Monte Carlo 4000 draws k=32, n=64': { params: { n: 64, k: 32 }, fn: () => majorityAtK(small, [32], { exactLimit: 0 }) },
  'maj@k powers of 2 (default limits), n=1024': { params: { n, ks: powersOfTwo.length }, fn: () => majorityAtK(pool, powersOfTwo) },
  'bootstrapCI 500 prompts x 2000 resamples': { params: { prompts: 500, resamples: 2000 }, fn: () => bootstrapCI(prompts) },
  // A comparison of `bench findings` (study v2: 288 of them at 20,000 resamples), then the plain
  // definition it must equal bit for bit (test/unit/metrics/two-level-bootstrap-exact), side by side.
  'pairedTwoLevelBootstrap 3x3 seeds x 300 prompts x 2000 resamples': {
    params: { seeds: 3, prompts: 300, resamples: 2000 },
    fn: () => pairedTwoLevelBootstrap(grid(2), grid(3), { seed: 1, resamples: 2000 }),
  },
  'the plain definition (zero weights skipped, one int() per draw), same sizes': {
    params: { seeds: 3, prompts: 300, resamples: 2000 },
    fn: () => plainPairedReplicates(grid(2), grid(3), 1, 2000),
  },
}

/** Seeds × prompts of per-prompt rates. */
function grid(seed: number): number[][] {
  const r = createRng(seed)
  return Array.from({ length: 3 }, () => Array.from({ length: 300 }, () => Math.round(r.next() * 16) / 16))
}

const bench = new Bench({ name: 'metrics', time: 500, warmupTime: 100 })
for (const [name, { fn }] of Object.entries(cases)) bench.add(name, fn)
await bench.run()
console.log(`metrics: one prompt's pool, n = ${n} (${countCorrect(rewards)} correct); goal: every all-k curve under 1 ms`)
console.table(bench.table())
const mean = (name: string): number => {
  const result = bench.tasks.find((t) => t.name === name)!.result
  return result.state === 'completed' ? result.latency.mean : Number.NaN
}
console.log(`all k ≤ ${n}: pass@k ${mean('pass@k all k (recurrence), n=1024').toFixed(4)} ms, Bo-N ${mean('Bo-N all k, n=1024').toFixed(4)} ms per prompt`)
const majority = majorityAtK(pool, powersOfTwo)
console.log(
  `pairedTwoLevelBootstrap: ${(mean('the plain definition (zero weights skipped, one int() per draw), same sizes') / mean('pairedTwoLevelBootstrap 3x3 seeds x 300 prompts x 2000 resamples')).toFixed(2)}× faster than its plain definition`,
)
console.log(`maj@k at n=${n}: exact for k = ${powersOfTwo.filter((_, j) => majority.exact[j]).join(', ')}; Monte Carlo for the rest`)
const file = await writeBenchmarkResults('metrics', recordsFromBench(bench, { params: (name) => cases[name]!.params }), {
  notes: 'single-threaded estimators; the harness machine may be shared, so timings can be noisy',
})
console.log(`wrote ${file}`)
