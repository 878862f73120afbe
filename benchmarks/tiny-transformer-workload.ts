// The tiny-transformer workload both benchmarks/tiny-transformer.bench.ts and
// benchmarks/tiny-transformer-profile.ts measure, so a profile explains the benchmark's numbers.
import { tinyTransformer } from '../plugins/models/tiny-transformer/index.js'
import type { TinyTransformerInstance } from '../plugins/models/tiny-transformer/index.js'
import { EOS } from '../plugins/models/tiny-transformer/tokenizer.js'

export const corpus = '0123456789+-*/=() abcdefghijklmnopqrstuvwxyz.,?\n'
/** The training step of the default configuration: B sequences of T tokens. */
export const TRAIN_B = 32
export const TRAIN_T = 64
/** Positions a sampled row decodes (its prompt included). */
export const SAMPLE_POSITIONS = 64

/** A model that never ends early (EOS logit pushed down), so every row decodes the same length. */
export async function benchModel(backend: string, concurrency = 1, maxWorkers?: number): Promise<TinyTransformerInstance> {
  const model = await tinyTransformer({ ...(maxWorkers ? { maxWorkers } : {}) }).create({ seed: 1, corpus, concurrency, backend })
  const weights = await model.engine.getWeights()
  weights[model.engine.specs.findIndex((s) => s.name === 'head.b')]![EOS] = -1e4
  model.engine.setWeights(weights)
  return model
}

/** TRAIN_B training sequences of exactly TRAIN_T tokens (prompt, completion and EOS). */
export const trainBatch = Array.from({ length: TRAIN_B }, (_, i) => {
  const prompt = `${(i * 37) % 100}+${(i * 53) % 100}=`
  return { prompt, completion: 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(3).slice(0, TRAIN_T - prompt.length - 1), weight: 1 }
})

/** `rows` single-sample requests, each decoding up to SAMPLE_POSITIONS positions. */
export const sampleRequests = (rows: number) =>
  Array.from({ length: rows }, (_, i) => ({
    promptId: `p${i}`,
    prompt: `${i % 100}+${(i * 7) % 100}=`,
    n: 1,
    temperature: 1,
    seed: i,
    maxTokens: SAMPLE_POSITIONS - 8,
  }))
