// How to run: `npx tsx --conditions=bonbench-source benchmarks/tiny-transformer-profile.ts` (BACKEND=cpu for the
// pure-JS backend; ROUNDS=n profiles each case n times and reports the fastest; SHAPES=n adds the n
// costliest (kernel, input shapes) pairs per case).
// Where the tiny-transformer's time goes (issue 17): `tf.profile` over one training step of the
// default configuration (B=32, T=64), one cached decoding step at 64 and 256 rows (the cache holds
// 32 positions), and one whole `sample` call of 64 and 256 rows × 64 positions. For each: the
// kernel time summed per kernel name (top 15, with its share of the wall time), the number of
// kernels dispatched, the bytes uploaded to the backend (tensors made from JS values) and read
// back (every backend readSync, including those inside kernels: WASM's Slice, SplitV and Gather
// read their whole input into JS), and the wall time; wall − Σ kernel time is the overhead (JS,
// tfjs bookkeeping, the tape, allocation, picking tokens). Kernel times are CPU-clock spans
// around each kernel, so a preemption by another process lands in whichever kernel was running:
// on a shared machine read the sums over many calls, not one call. Prints only; writes no file.
import * as tf from '@tensorflow/tfjs'
import { loadavg } from 'node:os'
import { selectBackend } from '../core/backend/select-backend.js'
import { decodeStep } from '../plugins/models/tiny-transformer/forward.js'
import type { KvCache } from '../plugins/models/tiny-transformer/forward.js'
import { SAMPLE_POSITIONS, TRAIN_B, TRAIN_T, benchModel, sampleRequests, trainBatch } from './tiny-transformer-workload.js'

const backendName = process.env.BACKEND ?? 'wasm'
const rounds = Number(process.env.ROUNDS ?? 2)
/** SHAPES=n adds a table of the n costliest (kernel, input shapes) pairs per case. */
const shapes = Number(process.env.SHAPES ?? 0)

await selectBackend(backendName)
const backend = tf.backend() as unknown as {
  write: (values: ArrayLike<number> | null, ...rest: unknown[]) => unknown
  read: (...args: unknown[]) => Promise<ArrayLike<number>>
  readSync: (...args: unknown[]) => ArrayLike<number>
}
// Upload and read-back counters: every tensor made from JS values goes through backend.write.
const io = { up: 0, ups: 0, down: 0, downs: 0 }
const bytesOf = (v: unknown) => (ArrayBuffer.isView(v) ? v.byteLength : Array.isArray(v) ? v.length * 4 : 0)
for (const [method, counter] of [
  ['write', 'up'],
  ['readSync', 'down'],
] as const) {
  const original = backend[method].bind(backend) as (...args: unknown[]) => unknown
  ;(backend as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
    const out = original(...args)
    if (counter === 'up') {
      // A kernel's output is made with no values (nothing uploaded); count only real uploads.
      if (args[0] != null) {
        io.up += bytesOf(args[0])
        io.ups++
      }
    } else if (out instanceof Promise) {
      return out.then((v) => {
        io.down += bytesOf(v)
        io.downs++
        return v
      })
    } else {
      io.down += bytesOf(out)
      io.downs++
    }
    return out
  }
}

const model = await benchModel(backendName)
const engine = model.engine

/** A cache of `rows` rows holding positions 0…pos−1, built outside the profile. */
async function cacheOf(rows: number, pos: number): Promise<KvCache> {
  let cache: KvCache | undefined
  for (let p = 0; p < pos; p++) {
    const prev = cache
    const out = tf.tidy(() => {
      const r = decodeStep(engine.W, engine.consts, tf.tensor1d(new Int32Array(rows).fill(4 + (p % 20)), 'int32'), p, prev)
      return { logits: r.logits, k: r.cache.k, v: r.cache.v }
    }) as unknown as { logits: tf.Tensor; k: tf.Tensor3D[]; v: tf.Tensor3D[] }
    if (prev) tf.dispose([...prev.k, ...prev.v])
    await out.logits.data()
    out.logits.dispose()
    cache = { k: out.k, v: out.v }
  }
  return cache!
}

const isKernel = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined

interface Case {
  name: string
  /** Tokens the case produces or trains on (for a per-token line). */
  tokens: number
  run: () => Promise<unknown>
}

async function profileCase(c: Case): Promise<void> {
  let best: { wall: number; kernels: Awaited<ReturnType<typeof tf.profile>>['kernels']; up: number; ups: number; down: number; downs: number } | undefined
  for (let r = 0; r < rounds; r++) {
    Object.assign(io, { up: 0, ups: 0, down: 0, downs: 0 })
    const start = performance.now()
    const info = await tf.profile(async () => {
      await c.run()
      return 0
    })
    const wall = performance.now() - start
    // tf.profile hands back the same object every time with a fresh kernels array: keep the array.
    if (!best || wall < best.wall) best = { wall, kernels: info.kernels, ...io }
  }
  const { wall } = best!
  // A customGrad op is recorded as a scope around the kernels it runs: count kernels only.
  const kernels = best!.kernels.filter((k) => isKernel(k.name))
  const perName = new Map<string, { ms: number; n: number }>()
  const perShape = new Map<string, { ms: number; n: number }>()
  for (const k of kernels) {
    for (const [map, key] of [
      [perName, k.name],
      [perShape, `${k.name} ${k.inputShapes.map((s) => `[${s?.join(',') ?? ''}]`).join(' ')}`],
    ] as const) {
      const e = map.get(key) ?? { ms: 0, n: 0 }
      e.ms += k.kernelTimeMs as number
      e.n++
      map.set(key, e)
    }
  }
  const total = [...perName.values()].reduce((a, e) => a + e.ms, 0)
  console.log(`\n## ${c.name}`)
  console.log(
    `wall ${wall.toFixed(1)} ms · kernels ${total.toFixed(1)} ms (${((100 * total) / wall).toFixed(0)}%) · overhead ${(wall - total).toFixed(1)} ms · ` +
      `${kernels.length} kernels dispatched (${(kernels.length / c.tokens).toFixed(2)} per token) · ` +
      `uploaded ${(best!.up / 1024).toFixed(1)} KiB in ${best!.ups} tensors · read back ${(best!.down / 1024).toFixed(1)} KiB in ${best!.downs} reads · ` +
      `${((c.tokens / wall) * 1000).toFixed(0)} tokens/s`,
  )
  const top = (map: Map<string, { ms: number; n: number }>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, n)
      .map(([kernel, e]) => ({
        kernel,
        ms: +e.ms.toFixed(2),
        calls: e.n,
        'µs/call': +((1000 * e.ms) / e.n).toFixed(1),
        '% of wall': +((100 * e.ms) / wall).toFixed(1),
      }))
  console.table(top(perName, 15))
  if (shapes) console.table(top(perShape, shapes))
}

// Warm-up: first-use costs of every kernel and shape.
await engine.update(trainBatch)
await model.sample(sampleRequests(8))

const load = loadavg()[0]!
console.log(`backend ${tf.getBackend()} · 1-minute load average ${load.toFixed(1)} · best of ${rounds} per case`)
await profileCase({ name: `train step, default config, B=${TRAIN_B} T=${TRAIN_T}`, tokens: TRAIN_B * TRAIN_T, run: () => engine.update(trainBatch) })
for (const rows of [64, 256]) {
  const cache = await cacheOf(rows, 32)
  const tokens = tf.tensor1d(new Int32Array(rows).fill(5), 'int32')
  const once = async () => {
    const out = tf.tidy(() => {
      const r = decodeStep(engine.W, engine.consts, tokens, 32, cache)
      return [r.logits, ...r.cache.k, ...r.cache.v]
    })
    await out[0]!.data()
    tf.dispose(out)
  }
  await once()
  await profileCase({ name: `one cached decoding step, ${rows} rows, position 32 (decodeStep + logits read)`, tokens: rows, run: once })
  tf.dispose([tokens, ...cache.k, ...cache.v])
}
for (const rows of [64, 256]) {
  let made = 0
  await profileCase({
    name: `sample ${rows} rows × ${SAMPLE_POSITIONS} positions (model.sample: decoding, row selection, picking in JS)`,
    tokens: rows * (SAMPLE_POSITIONS - 8),
    run: async () => {
      const res = await model.sample(sampleRequests(rows))
      made = res.reduce((n, r) => n + r.completions.reduce((m, x) => m + x.tokens.length, 0), 0)
    },
  })
  console.log(`(${made} tokens generated)`)
}
await model.dispose()
