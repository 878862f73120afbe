// How to run (no npm script): `npx tsx benchmarks/tiny-transformer.bench.ts` (QUICK=1 for a short pass).
// Measures the tiny-transformer's hot paths on this machine: the backend's plain float32 matMul
// peak, the training step of the default configuration (tokens/s and achieved FLOP/s against
// that peak), sampling with and without the KV cache, wasm against the pure-JS cpu backend, and
// one sampling worker against two. Prints a table and writes benchmarks/results/tiny-transformer.json
// in the shared format of core/benchmark-format.ts. Goals (docs in the model's README): training
// ≥ 50% of the matMul peak, cached sampling ≥ 20,000 tokens/s per core, cache ≥ 10× no cache at
// context 64, two workers ≥ 1.7× one.
import * as tf from '@tensorflow/tfjs'
import { loadavg } from 'node:os'
import { Bench } from 'tinybench'
import type { BenchmarkRecord } from '../core/benchmark-format.js'
import { recordsFromBench, writeBenchmarkResults } from '../core/benchmark-format.js'
import { selectBackend } from '../core/backend/select-backend.js'
import { forwardLogits } from '../plugins/models/tiny-transformer/forward.js'
import { tinyTransformer } from '../plugins/models/tiny-transformer/index.js'
import type { TinyTransformerInstance } from '../plugins/models/tiny-transformer/index.js'
import { pickToken } from '../plugins/models/tiny-transformer/pick-token.js'
import { SamplerPool } from '../plugins/models/tiny-transformer/sampler-pool.js'
import { EOS } from '../plugins/models/tiny-transformer/tokenizer.js'
import { deriveSeed } from '../core/rng.js'

const quick = process.env.QUICK === '1'
const corpus = '0123456789+-*/=() abcdefghijklmnopqrstuvwxyz.,?\n'
const TRAIN_B = 32
const TRAIN_T = 64
const SAMPLE_POSITIONS = 64
const records: BenchmarkRecord[] = []
const derived: Array<{ case: string; value: string }> = []
const record = (c: string, metric: string, value: number, unit: string, higherIsBetter: boolean, params?: Record<string, string | number>) => {
  records.push({ case: c, metric, value, unit, higherIsBetter, ...(params ? { params } : {}) })
  derived.push({ case: `${c} · ${metric}`, value: `${value.toFixed(unit === 'ratio' ? 3 : 1)} ${unit}` })
}

/** A model that never ends early (EOS logit pushed down), so every row decodes the same length. */
async function benchModel(backend: string, concurrency = 1, maxWorkers?: number): Promise<TinyTransformerInstance> {
  const model = await tinyTransformer({ ...(maxWorkers ? { maxWorkers } : {}) }).create({ seed: 1, corpus, concurrency, backend })
  const weights = model.engine.getWeights()
  const headB = model.engine.specs.findIndex((s) => s.name === 'head.b')
  weights[headB]![EOS] = -1e4
  model.engine.setWeights(weights)
  return model
}

const trainBatch = Array.from({ length: TRAIN_B }, (_, i) => {
  const prompt = `${(i * 37) % 100}+${(i * 53) % 100}=`
  return { prompt, completion: 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(3).slice(0, TRAIN_T - prompt.length - 1), weight: 1 }
})
const sampleRequests = (rows: number) =>
  Array.from({ length: rows }, (_, i) => ({ promptId: `p${i}`, prompt: `${i % 100}+${(i * 7) % 100}=`, n: 1, temperature: 1, seed: i, maxTokens: SAMPLE_POSITIONS - 8 }))
const generated = (results: Awaited<ReturnType<TinyTransformerInstance['sample']>>) => results.reduce((n, r) => n + r.completions.reduce((m, c) => m + c.tokens.length, 0), 0)

/** Sampling without a cache: the full forward over the whole prefix for every new token. */
function sampleNoCache(model: TinyTransformerInstance, rows: number): number {
  const e = model.engine
  const prompts = sampleRequests(rows).map((r) => [1, ...e.tokenizer.encode(r.prompt)])
  const P = Math.max(...prompts.map((p) => p.length))
  const seqs = prompts.map((p) => [...Array(P - p.length).fill(1), ...p])
  let made = 0
  for (let T = P; T < SAMPLE_POSITIONS; T++) {
    const logits = tf.tidy(() => {
      const all = forwardLogits(e.W, e.consts, tf.tensor1d(seqs.flat(), 'int32'), rows, T)
      return tf.reshape(tf.slice(tf.reshape(all, [rows, T, e.cfg.vocab]), [0, T - 1, 0], [rows, 1, e.cfg.vocab]), [rows, e.cfg.vocab])
    })
    const data = logits.dataSync() as Float32Array
    logits.dispose()
    seqs.forEach((s, b) => s.push(pickToken(data, b * e.cfg.vocab, e.cfg.vocab, 1, 1, (b * 0.618 + T * 0.31) % 1).token))
    made += rows
  }
  return made
}

function matMulCase(m: number, k: number, n: number) {
  let a: tf.Tensor2D, b: tf.Tensor2D
  return {
    setup: () => {
      a = tf.randomNormal([m, k])
      b = tf.randomNormal([k, n])
    },
    fn: () => {
      const c = tf.matMul(a, b)
      c.dataSync()
      c.dispose()
    },
    teardown: () => tf.dispose([a, b]),
    flops: 2 * m * k * n,
  }
}

const iterations = quick ? 2 : 5
const bench = new Bench({ name: 'tiny-transformer', time: 0, iterations, warmupIterations: 1, warmupTime: 0 })
const flopsOf = new Map<string, number>()
const tokensOf = new Map<string, number>()
const paramsOf = new Map<string, Record<string, string | number>>()
let trainFlopsPerStep = 0
let formula = ''

// Phase 1: wasm.
await selectBackend('wasm')
for (const [m, k, n] of [[2048, 128, 512], [2048, 512, 128], [512, 512, 512]] as const) {
  const c = matMulCase(m, k, n)
  const name = `matMul ${m}x${k}x${n} (wasm)`
  bench.add(name, c.fn, { beforeAll: c.setup, afterAll: c.teardown })
  flopsOf.set(name, c.flops)
  paramsOf.set(name, { backend: 'wasm', m, k, n })
}
let model!: TinyTransformerInstance
bench.add('train step, default config, B=32 T=64 (wasm)', () => void model.engine.update(trainBatch), {
  beforeAll: async () => {
    model = await benchModel('wasm')
    const { parameters: P } = model.describe()
    const { layers: L, width: w } = model.engine.cfg
    const T = TRAIN_T
    trainFlopsPerStep = TRAIN_B * T * (6 * P + 12 * L * T * w)
    formula = `FLOPs per step = B·T·(6·P + 12·L·T·w) = ${TRAIN_B}·${T}·(6·${P} + 12·${L}·${T}·${w}) = ${(trainFlopsPerStep / 1e9).toFixed(2)} GFLOP (6·P: forward + backward of every weight; 12·L·T·w: QKᵀ and PV over the full T×T, forward + backward)`
  },
})
paramsOf.set('train step, default config, B=32 T=64 (wasm)', { backend: 'wasm', B: TRAIN_B, T: TRAIN_T })
for (const rows of [64, 256]) {
  const name = `sample with KV cache, ${rows} rows, ${SAMPLE_POSITIONS} positions (wasm)`
  bench.add(name, async () => void tokensOf.set(name, generated(await model.sample(sampleRequests(rows)))))
  paramsOf.set(name, { backend: 'wasm', rows, positions: SAMPLE_POSITIONS })
}
const noCache = `sample without cache, 64 rows, ${SAMPLE_POSITIONS} positions (wasm)`
bench.add(noCache, () => void tokensOf.set(noCache, sampleNoCache(model, 64)), { afterAll: () => model.dispose() })
paramsOf.set(noCache, { backend: 'wasm', rows: 64, positions: SAMPLE_POSITIONS })
let poolModel!: TinyTransformerInstance
let pool: SamplerPool | undefined
const poolRows = sampleRequests(512).map((r) => ({ prompt: r.prompt, seed: deriveSeed(r.seed, 0), temperature: 1, topP: 1, maxTokens: r.maxTokens, stop: [] }))
for (const workers of [1, 2]) {
  const name = `sample with KV cache, 512 rows, ${workers} worker thread${workers > 1 ? 's' : ''} (wasm)`
  bench.add(name, async () => {
    const done = await pool!.sample(poolRows, poolModel.engine.version, () => poolModel.engine.getWeights())
    tokensOf.set(name, done.reduce((n, c) => n + c.tokens.length, 0))
  }, {
    beforeAll: async () => {
      poolModel ??= await benchModel('wasm')
      const e = poolModel.engine
      pool = new SamplerPool(workers, { options: e.options, tokenizer: e.tokenizer.toJSON(), seed: e.seed, backend: 'wasm' })
      await pool.sample(poolRows.slice(0, workers), e.version, () => e.getWeights()) // start the workers, send weights
    },
    afterAll: async () => {
      await pool!.close()
      if (workers === 2) await poolModel.dispose()
    },
  })
  paramsOf.set(name, { backend: 'wasm', rows: 512, workers })
}

// Phase 2: the pure-JS cpu backend, smaller cases (it is ~30× slower).
const cpuMat = matMulCase(512, 128, 512)
bench.add('matMul 512x128x512 (cpu)', cpuMat.fn, { beforeAll: async () => { await selectBackend('cpu'); cpuMat.setup() }, afterAll: cpuMat.teardown })
flopsOf.set('matMul 512x128x512 (cpu)', cpuMat.flops)
paramsOf.set('matMul 512x128x512 (cpu)', { backend: 'cpu', m: 512, k: 128, n: 512 })
let cpuModel!: TinyTransformerInstance
const cpuSample = `sample with KV cache, 64 rows, ${SAMPLE_POSITIONS} positions (cpu)`
bench.add(cpuSample, async () => void tokensOf.set(cpuSample, generated(await cpuModel.sample(sampleRequests(64)))), {
  beforeAll: async () => void (cpuModel = await benchModel('cpu')),
})
paramsOf.set(cpuSample, { backend: 'cpu', rows: 64, positions: SAMPLE_POSITIONS })
bench.add('train step, default config, B=32 T=64 (cpu)', () => void cpuModel.engine.update(trainBatch), { afterAll: () => cpuModel.dispose() })
paramsOf.set('train step, default config, B=32 T=64 (cpu)', { backend: 'cpu', B: TRAIN_B, T: TRAIN_T })

const load = loadavg()[0]!
await bench.run()
console.table(bench.table())

const mean = (name: string) => {
  const r = bench.tasks.find((t) => t.name === name)!.result
  return r.state === 'completed' ? r.latency.mean : Number.NaN
}
let peak = 0
for (const [name, flops] of flopsOf) {
  const gflops = flops / mean(name) / 1e6
  if (name.includes('(wasm)')) peak = Math.max(peak, gflops)
  record(name, 'gflops', gflops, 'GFLOP/s', true, paramsOf.get(name))
}
for (const backend of ['wasm', 'cpu']) {
  const name = `train step, default config, B=32 T=64 (${backend})`
  const ms = mean(name)
  record(name, 'tokens-per-second', (TRAIN_B * TRAIN_T) / (ms / 1000), 'tokens/s', true, paramsOf.get(name))
  record(name, 'gflops', trainFlopsPerStep / ms / 1e6, 'GFLOP/s', true, paramsOf.get(name))
  if (backend === 'wasm') record(name, 'fraction-of-matmul-peak', trainFlopsPerStep / ms / 1e6 / peak, 'ratio', true, paramsOf.get(name))
}
for (const [name, tokens] of tokensOf) record(name, 'tokens-per-second', tokens / (mean(name) / 1000), 'tokens/s', true, paramsOf.get(name))
const tps = (name: string) => records.find((r) => r.case === name && r.metric === 'tokens-per-second')!.value
const cached64 = tps(`sample with KV cache, 64 rows, ${SAMPLE_POSITIONS} positions (wasm)`)
record('KV cache speed-up at context 64', 'speedup', cached64 / tps(noCache), 'ratio', true)
record('wasm over cpu, cached sampling', 'speedup', cached64 / tps(cpuSample), 'ratio', true)
record(
  'two workers over one, cached sampling 512 rows',
  'speedup',
  tps('sample with KV cache, 512 rows, 2 worker threads (wasm)') / tps('sample with KV cache, 512 rows, 1 worker thread (wasm)'),
  'ratio',
  true,
)
console.log(formula)
console.table(derived)
const file = await writeBenchmarkResults('tiny-transformer', [...recordsFromBench(bench, { params: (n) => paramsOf.get(n) ?? {} }), ...records], {
  backend: 'wasm',
  notes: `1-minute load average ${load.toFixed(1)} at start, on a machine shared with other jobs; ${formula}`,
})
console.log(`wrote ${file}`)
