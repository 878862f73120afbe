// GPU smoke (#18): the tiny-transformer's trace (test/fixtures/tiny-transformer-trace.ts) on webgpu
// next to wasm and cpu, the 31-input addN that WebGPU's storage-buffer limit breaks, and the
// default model's train/sample speed on webgpu. Not part of `npm test` (CI has no GPU). Run it
// where the webgpu packages resolve (`node --conditions=bonbench-source --import tsx benchmarks/gpu-smoke.ts`) or from the
// offline folder `node benchmarks/gpu-bundle.mjs` writes. SMOKE_BACKENDS=webgpu,wasm,cpu picks
// the backends, SMOKE_SPEED=0 skips the speed part. Prints; writes nothing.
import * as tf from '@tensorflow/tfjs'
import { existsSync, readFileSync } from 'node:fs'
import { selectBackend } from '../core/backend/select-backend.js'
import { tinyTransformerTrace } from '../test/fixtures/tiny-transformer-trace.js'
import { chunkedAddN } from '../plugins/models/tiny-transformer/global-norm.js'
import { tinyTransformer } from '../plugins/models/tiny-transformer/index.js'

const t0 = performance.now()
const ms = () => `${((performance.now() - t0) / 1000).toFixed(1)}s`
const log = (...a: unknown[]) => console.log(`[${ms()}]`, ...a)
// Beside the bundle, or in the repository's test fixtures.
const traceFile = [new URL('./tiny-transformer-trace.json', import.meta.url), new URL('../test/fixtures/tiny-transformer-trace.json', import.meta.url)].find(
  (u) => existsSync(u),
)
const recorded = traceFile ? JSON.parse(readFileSync(traceFile, 'utf8')) : {}
type Step = { loss: number; gradNorm: number; tokens: number }
type Trace = Record<
  string,
  { steps: Step[]; logProbs: number[]; samples: Array<Array<{ completions: Array<{ text: string; logProb: number }> }>>; hash: string }
>

const traces: Record<string, Trace> = {}
const only = (process.env.SMOKE_BACKENDS ?? 'webgpu,wasm,cpu').split(',')
for (const backend of only) {
  try {
    const s = performance.now()
    const b = await selectBackend(backend)
    log(`backend ${backend} started: tf.getBackend()=${tf.getBackend()} (${(performance.now() - s).toFixed(0)} ms)`, JSON.stringify(b))
    if (backend === 'webgpu') {
      type Device = { limits: Record<string, number>; addEventListener?(type: string, f: (e: Event) => void): void }
      const be = tf.backend() as unknown as { device: Device; adapterInfo?: unknown }
      const l = be.device.limits
      log(
        'device limits: maxStorageBuffersPerShaderStage',
        l.maxStorageBuffersPerShaderStage,
        'maxBufferSize',
        l.maxBufferSize,
        'maxStorageBufferBindingSize',
        l.maxStorageBufferBindingSize,
      )
      log('adapterInfo', JSON.stringify(be.adapterInfo))
      be.device.addEventListener?.('uncapturederror', (e: Event) =>
        log('UNCAPTURED GPU ERROR:', (e as unknown as { error: { message: string } }).error.message.slice(0, 300)),
      )
      // The failure measured before: one addN over 31 inputs vs the chunked sum.
      const xs = Array.from({ length: 31 }, (_, i) => tf.scalar(i + 1))
      const whole = await tf.addN(xs).data()
      const chunked = await chunkedAddN(xs).data()
      log(`addN over 31 scalars 1..31 (expect 496): one addN=${whole[0]}, chunkedAddN=${chunked[0]}`)
    }
    const s2 = performance.now()
    traces[backend] = (await tinyTransformerTrace(backend as 'wasm')) as Trace
    log(`${backend}: trace done in ${(performance.now() - s2).toFixed(0)} ms`)
    if (recorded[backend]) log(`${backend}: bit-identical to the recorded trace: ${JSON.stringify(traces[backend]) === JSON.stringify(recorded[backend])}`)
  } catch (error) {
    log(`${backend}: FAILED:`, (error as Error).stack?.slice(0, 1500))
  }
}
for (const backend of Object.keys(traces)) {
  for (const [cfg, t] of Object.entries(traces[backend]!)) {
    log(`${backend} ${cfg} losses`, t.steps.map((s) => s.loss.toPrecision(7)).join(' '), '| gradNorms', t.steps.map((s) => s.gradNorm.toPrecision(7)).join(' '))
    log(
      `${backend} ${cfg} logProbs`,
      t.logProbs.map((x) => x.toPrecision(6)).join(' '),
      '| greedy texts',
      JSON.stringify(t.samples[0]!.map((r) => r.completions[0]!.text)),
      '| T=1 texts',
      JSON.stringify(t.samples[1]!.map((r) => r.completions[0]!.text)),
    )
  }
}
if (traces.webgpu && traces.wasm) {
  for (const cfg of Object.keys(traces.wasm)) {
    const a = traces.webgpu[cfg]!
    const b = traces.wasm[cfg]!
    const rel = (x: number, y: number) => Math.abs(x - y) / Math.max(1e-12, Math.abs(y))
    log(
      `webgpu vs wasm ${cfg}: max rel diff loss ${Math.max(...a.steps.map((s, i) => rel(s.loss, b.steps[i]!.loss))).toExponential(2)}, gradNorm ${Math.max(...a.steps.map((s, i) => rel(s.gradNorm, b.steps[i]!.gradNorm))).toExponential(2)}, logProb ${Math.max(...a.logProbs.map((x, i) => rel(x, b.logProbs[i]!))).toExponential(2)}; greedy texts equal: ${JSON.stringify(a.samples[0]!.map((r) => r.completions.map((c) => c.text))) === JSON.stringify(b.samples[0]!.map((r) => r.completions.map((c) => c.text)))}`,
    )
  }
}
// Speed datapoint: the default model (2×128), B=32 T≈64 train steps and 256-row sampling, on webgpu.
if (only.includes('webgpu') && process.env.SMOKE_SPEED !== '0') {
  try {
    await selectBackend('webgpu')
    const model = await tinyTransformer({}).create({ seed: 1, corpus: 'abcdefghijklmnopqrstuvwxyz0123456789+=. ', concurrency: 1, backend: 'webgpu' })
    const batch = Array.from({ length: 32 }, (_, i) => ({
      prompt: `${(i * 37) % 100}+${(i * 53) % 100}=`,
      completion: 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(2).slice(0, 56),
      weight: 1,
    }))
    const first = performance.now()
    const s0 = await model.update(batch)
    log(`webgpu default model: first step (compiles) ${(performance.now() - first).toFixed(0)} ms`, JSON.stringify(s0))
    const n = 10
    const st = performance.now()
    let last
    for (let i = 0; i < n; i++) last = await model.update(batch)
    const per = (performance.now() - st) / n
    log(`webgpu default model: ${per.toFixed(1)} ms/step, ${((32 * 64) / (per / 1000)).toFixed(0)} tokens/s (B=32, T=64), last`, JSON.stringify(last))
    const reqs = Array.from({ length: 256 }, (_, i) => ({
      promptId: `p${i}`,
      prompt: `${i % 100}+${(i * 7) % 100}=`,
      n: 1,
      temperature: 1,
      seed: i,
      maxTokens: 40,
    }))
    await model.sample(reqs.slice(0, 8))
    const ss = performance.now()
    const res = await model.sample(reqs)
    const toks = res.reduce((a, r) => a + r.completions.reduce((b, c) => b + c.tokens.length, 0), 0)
    log(
      `webgpu default model: sampled 256 rows, ${toks} tokens in ${(performance.now() - ss).toFixed(0)} ms = ${(toks / ((performance.now() - ss) / 1000)).toFixed(0)} tokens/s`,
    )
    log(`hash after training: ${(await model.contentHash()).slice(0, 12)}; tensors alive: ${tf.memory().numTensors}`)
    await model.dispose()
  } catch (error) {
    log('webgpu speed: FAILED:', (error as Error).stack?.slice(0, 1500))
  }
}
log('smoke done')
process.exit(0)
