import { BenchError, defineModel, type ModelCreateContext, type ModelPlugin } from 'bonbench'
import type { TinyTransformerInstance } from './instance.js'
import { modelConfig, paramSpecs } from './model-config.js'
import { tinyTransformerOptionsSchema } from './options.js'
import type { ResolvedTinyTransformerOptions } from './options.js'
import { CharTokenizer } from './tokenizer.js'

// TensorFlow.js is loaded on first create/load, not when the plugin list is imported.
const runtime = async () => {
  const [{ Engine }, { createInstance }, { readCheckpoint }, { initWeights }, { readTrainingState }] = await Promise.all([
    import('./engine.js'),
    import('./instance.js'),
    import('./checkpoint.js'),
    import('./init-weights.js'),
    import('./training-state.js'),
  ])
  return { Engine, createInstance, readCheckpoint, initWeights, readTrainingState }
}

export type { TinyTransformerInstance } from './instance.js'
export type { TinyTransformerOptions } from './options.js'

/** A tiny-transformer plugin whose `create`/`load` return the richer instance type (what `tinyTransformer()` returns). */
export interface TinyTransformerPlugin extends ModelPlugin {
  options: ResolvedTinyTransformerOptions
  create(ctx: ModelCreateContext): Promise<TinyTransformerInstance>
  load(dir: string, ctx: Omit<ModelCreateContext, 'corpus'>): Promise<TinyTransformerInstance>
  loadResumable(dir: string, ctx: Omit<ModelCreateContext, 'corpus'>): Promise<TinyTransformerInstance>
}

/** Backends on a GPU: one device serves every sampling batch, so they sample on the calling thread. */
const GPU_BACKENDS = new Set(['webgpu', 'tensorflow-gpu'])

/**
 * Sampling threads: up to `concurrency` on a CPU backend (each its own WASM instance), none on a
 * GPU one — each thread would open a device of its own on the same GPU (16 on a 16-core machine),
 * each with its own copy of the weights and buffers, and they would share the GPU anyway.
 */
function workerCount(options: ResolvedTinyTransformerOptions, concurrency: number, backend: string): number {
  if (GPU_BACKENDS.has(backend)) return 1
  return Math.max(1, Math.min(Math.floor(concurrency) || 1, options.maxWorkers ?? Number.POSITIVE_INFINITY))
}

/**
 * The backend `create` and `load` start: the `backend` option where it names one, else the run's
 * (`ctx.backend`, auto when none) — an option of `auto` picks nothing itself, so it goes with the
 * run's. Both naming a backend, and different ones, is refused (BENCH_USAGE naming both): the
 * model would run on its option and the run's backend would be silently ignored (as the core
 * refuses it before any work, core/backend/model-backend.ts).
 */
export function modelBackend(option: string | undefined, runBackend: string | undefined): string {
  const own = option === 'auto' ? undefined : option
  const run = runBackend ?? 'auto'
  if (own !== undefined && run !== 'auto' && run !== own)
    throw new BenchError(
      'BENCH_USAGE',
      `bonbench:tiny-transformer: the run's backend is '${run}' (--backend or config \`backend\`) but the model's option backend is '${own}', and a model runs on one backend. Drop one of them, or make them agree.`,
    )
  return own ?? run
}

/**
 * `bonbench:tiny-transformer`: a small decoder-only transformer on TensorFlow.js, trained and
 * sampled in-process (WASM by default). Options are validated by the kit (BENCH_PLUGIN_OPTIONS).
 * `create(ctx)` builds a character tokenizer from `ctx.corpus` and seeded weights
 * (`options.seed ?? ctx.seed`); `ctx.concurrency` ≥ 2 samples in that many worker threads.
 */
export const tinyTransformer = defineModel({
  name: 'bonbench:tiny-transformer',
  meta: {
    version: '0.1.0',
    description: 'small decoder-only transformer on TensorFlow.js (WASM/CPU/GPU), trainable',
    // Sampling workers draw what in-process sampling draws (test/plugins/tiny-transformer-workers).
    neutralOptions: ['maxWorkers'],
  },
  options: tinyTransformerOptionsSchema,
  create: (resolved) => ({
    // Pretraining uses the model's own learning rate (1e-3): on `math` it learnt arithmetic where
    // 3e-3 stalled. Fine-tuning a pretrained model needs a smaller one: at 1e-3, 30 RL steps
    // wrecked a 36%-pass@1 base (docs/study/README.md).
    trainingDefaults: { pretrainSteps: 1500, learningRate: 1e-4 },
    usesBackend: true,
    // Measured in the study run on `math` level 1 (2-core machine, WASM, default size): evaluation
    // pools drew ~12,800 tokens/s over 2 worker threads (~6,400 per core). Recalibrated on `toy`
    // (quick preset, 20 pretraining steps, 2 shared cores at load average 8–9): pretraining took
    // 0.050 s per sequence of ~123 prompt+completion tokens (×2 at 4,000 tokens/s: 0.062 s), and
    // a toy evaluation of 512 samples about 7 s. That is not a per-sample cost: the 16-seed nightly
    // (math, 655k samples in 6,400-row pools) sampled at ~0.0015 s per sample at load 5, so a
    // per-sample overhead fitted on toy made its estimate 2.2 h for a ~17-minute run. The fixed
    // part is a per-run warm-up (sampling workers, WASM kernels compiled per new shape): ~5 s.
    throughput: { sampleTokensPerSecond: 6_000, trainTokensPerSecond: 4_000, warmupSeconds: 5 },
    async create(ctx) {
      const { Engine, createInstance, initWeights } = await runtime()
      const tokenizer = CharTokenizer.fromCorpus(ctx.corpus)
      const seed = resolved.seed ?? ctx.seed
      const weights = initWeights(modelConfig(resolved, tokenizer.size), seed)
      const backend = modelBackend(resolved.backend, ctx.backend)
      const engine = await Engine.create({ options: resolved, tokenizer, weights, seed, backend })
      return createInstance(engine, { workers: workerCount(resolved, ctx.concurrency, engine.backend.name), backend })
    },
    load: (dir, ctx) => loadSaved(resolved, dir, ctx, false),
    // A resumable checkpoint (saveResumable) also restores the Adam state, the KL reference and
    // so the dropout stream: training goes on bit-identically to the instance that saved it.
    loadResumable: (dir, ctx) => loadSaved(resolved, dir, ctx, true),
  }),
})

/** `load` and `loadResumable`: a checkpoint with the runtime choices `create` would make, and with `resumable` its training state. */
async function loadSaved(
  resolved: ResolvedTinyTransformerOptions,
  dir: string,
  ctx: Omit<ModelCreateContext, 'corpus'>,
  resumable: boolean,
): Promise<TinyTransformerInstance> {
  const { Engine, createInstance, readCheckpoint, readTrainingState } = await runtime()
  const { batching, maxWorkers, backend: b } = resolved
  const saved = await readCheckpoint(dir, { batching, maxWorkers, backend: b })
  const state = resumable ? await readTrainingState(dir, paramSpecs(modelConfig(saved.options, saved.tokenizer.size))) : undefined
  const backend = modelBackend(saved.options.backend, ctx.backend)
  // The engine seed (dropout stream) is chosen as in create: a checkpoint does not hold it, so
  // a model loaded from the cache seeds its fine-tuning exactly as the freshly built one did.
  const engine = await Engine.create({
    options: saved.options,
    tokenizer: saved.tokenizer,
    weights: saved.weights,
    seed: resolved.seed ?? ctx.seed,
    backend,
    hash: saved.hash,
  })
  if (state) engine.restoreTrainingState(state)
  return createInstance(engine, { workers: workerCount(saved.options, ctx.concurrency, engine.backend.name), backend })
}
