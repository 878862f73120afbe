import { tf } from './tf.js'
import type { Completion, UpdateOptions, UpdateStats, WeightedSequence, SelectedBackend } from 'bonbench'
import { BenchError, deriveSeed, selectBackend } from 'bonbench'
import { Adam } from './adam.js'
import { checkpointFiles, checkpointHash } from './checkpoint.js'
import type { CheckpointFiles } from './checkpoint.js'
import { ForwardConstants } from './forward.js'
import type { WeightMap } from './forward.js'
import { generateRows } from './generate.js'
import { globalNorm } from './global-norm.js'
import type { OnRowText, RowRequest } from './generate.js'
import { tokenLogProbs, weightedLoss } from './loss.js'
import { modelConfig, paramSpecs, parameterCount } from './model-config.js'
import type { ModelConfig, ParamSpec } from './model-config.js'
import type { ResolvedTinyTransformerOptions } from './options.js'
import { encodePairs } from './sequences.js'
import type { CharTokenizer } from './tokenizer.js'
import type { TrainingState } from './training-state.js'

/**
 * The model itself, on the current thread's tfjs backend: parameters as tf.Variables, the Adam
 * state, the optional frozen reference, and the three computations (sample, update, logProb).
 * Every read from the device is an awaited `tensor.data()` — never `dataSync()`, which
 * tfjs-webgpu cannot do in Node — and reads are few: one per training step (loss and grad norm
 * together), one per scoring chunk, one per decoding step for the whole batch, the weights only
 * when they are saved, copied or sent to a sampling worker.
 */
export class Engine {
  readonly cfg: ModelConfig
  readonly specs: ParamSpec[]
  readonly vars: tf.Variable[]
  readonly W: WeightMap
  readonly consts: ForwardConstants
  readonly adam: Adam
  /** Bumped by every change of the weights (update, setWeights): workers resync when it moves. */
  version = 0
  #reference?: { tensors: tf.Tensor[]; W: WeightMap }
  #hash?: { version: number; hash: string }
  #disposed = false

  private constructor(
    readonly options: ResolvedTinyTransformerOptions,
    readonly tokenizer: CharTokenizer,
    readonly backend: SelectedBackend,
    readonly seed: number,
    weights: Float32Array[],
    hash?: string,
  ) {
    this.cfg = modelConfig(options, tokenizer.size)
    this.specs = paramSpecs(this.cfg)
    if (weights.length !== this.specs.length) throw new Error(`expected ${this.specs.length} weight arrays, got ${weights.length}`)
    this.vars = this.specs.map((s, i) => {
      const init = tf.tensor(weights[i]!, s.shape)
      const v = tf.variable(init, true)
      init.dispose() // the variable holds its own reference to the data
      return v
    })
    this.W = Object.fromEntries(this.specs.map((s, i) => [s.name, this.vars[i]!]))
    this.consts = new ForwardConstants(this.cfg)
    this.adam = new Adam(this.specs.map((s) => s.shape))
    if (hash) this.#hash = { version: this.version, hash }
  }

  /**
   * Starts the backend (once per thread) and builds an engine holding `weights`; `hash`, when the
   * caller knows it (a loaded checkpoint, a copy of a model whose hash is known), is taken as the
   * checkpoint hash of these weights.
   */
  static async create(init: {
    options: ResolvedTinyTransformerOptions
    tokenizer: CharTokenizer
    weights: Float32Array[]
    seed: number
    backend?: string
    hash?: string
  }): Promise<Engine> {
    const backend = await selectBackend(init.backend ?? init.options.backend ?? 'auto')
    return new Engine(init.options, init.tokenizer, backend, init.seed, init.weights, init.hash)
  }

  get parameters(): number {
    return parameterCount(this.cfg)
  }

  /** Draws one completion per row, in chunks of `batching.sampleRows` rows; `onText` gets row indices into `rows`. */
  async sample(rows: RowRequest[], signal?: AbortSignal, onText?: OnRowText): Promise<Completion[]> {
    const out: Completion[] = []
    const chunk = this.options.batching.sampleRows
    for (let i = 0; i < rows.length; i += chunk) {
      const shifted: OnRowText | undefined = onText && ((pieces) => onText(pieces.map(([row, text]) => [row + i, text])))
      out.push(...(await generateRows(this, rows.slice(i, i + chunk), signal, shifted)))
    }
    return out
  }

  /** Σ log π(completion + EOS | prompt) per pair at T = 1, in chunks of `batching.scoreRows`. */
  async logProb(pairs: Array<{ prompt: string; completion: string }>): Promise<number[]> {
    const out: number[] = []
    const chunk = this.options.batching.scoreRows
    for (let i = 0; i < pairs.length; i += chunk) {
      const batch = encodePairs(this.tokenizer, pairs.slice(i, i + chunk), this.cfg.context)
      const perSeq = tf.tidy(() => {
        const { tokenLogp } = tokenLogProbs(this.W, this.consts, batch)
        return tf.sum(tf.reshape(tf.mul(tokenLogp, tf.tensor1d(batch.response)), [batch.B, batch.T]), 1)
      })
      try {
        out.push(...((await perSeq.data()) as Float32Array))
      } finally {
        perSeq.dispose()
      }
    }
    return out
  }

  /** One Adam step on the weighted objective of loss.ts; see `weightedLoss` for the normalisation. */
  async update(batch: WeightedSequence[], opts: UpdateOptions = {}): Promise<UpdateStats> {
    if (batch.length === 0) return { loss: 0, gradNorm: 0, tokens: 0 }
    const bad = batch.findIndex((s) => !Number.isFinite(s.weight))
    if (bad >= 0) throw new BenchError('BENCH_RUN_INVALID', `bonbench:tiny-transformer: update got a non-finite weight (${batch[bad]!.weight}) at index ${bad}`)
    const klBeta = opts.klBeta ?? 0
    const lr = opts.learningRate ?? this.options.learningRate
    const temperature = opts.temperature ?? 1
    if (!(temperature > 0 && Number.isFinite(temperature)))
      throw new BenchError('BENCH_USAGE', `bonbench:tiny-transformer: update needs a temperature > 0, got ${temperature}`)
    const pairs = encodePairs(this.tokenizer, batch, this.cfg.context)
    if (klBeta > 0 && !this.#reference) this.setReference()
    const refLogp = klBeta > 0 ? tf.tidy(() => tokenLogProbs(this.#reference!.W, this.consts, pairs).logp) : undefined
    const dropoutSeed = this.cfg.dropout > 0 ? deriveSeed(this.seed, 'dropout', this.adam.t) : undefined
    const weights = batch.map((s) => s.weight)
    const { value, grads } = tf.variableGrads(() => weightedLoss(this.W, this.consts, pairs, weights, { klBeta, refLogp, dropoutSeed, temperature }), this.vars)
    const list = this.vars.map((v) => grads[v.name]!)
    // One readback for both numbers: stacking two scalars copies them exactly.
    const both = tf.tidy(() => tf.stack([value, globalNorm(list)]))
    value.dispose()
    refLogp?.dispose()
    let read: Float32Array
    try {
      read = (await both.data()) as Float32Array
    } catch (error) {
      for (const g of list) g.dispose()
      throw error
    } finally {
      both.dispose()
    }
    const loss = read[0]!
    const gradNorm = read[1]!
    if (Number.isFinite(gradNorm)) {
      const clip = this.options.clipNorm
      this.adam.step(this.vars, list, lr, clip > 0 && gradNorm > clip ? clip / gradNorm : 1)
      this.version++
    }
    for (const g of list) g.dispose()
    let tokens = 0
    for (const r of pairs.response) tokens += r
    return { loss, gradNorm, tokens }
  }

  /** Freezes a reference copy for the KL term: the given weights, or the current ones. */
  setReference(weights?: Float32Array[]): void {
    this.#disposeReference()
    const tensors = weights ? weights.map((w, i) => tf.tensor(w, this.specs[i]!.shape)) : this.vars.map((v) => tf.clone(v))
    this.#reference = { tensors, W: Object.fromEntries(this.specs.map((s, i) => [s.name, tensors[i]!])) }
  }

  /** The Adam state and KL reference, read from the device: what a resumable checkpoint adds to the weights. */
  async trainingState(): Promise<TrainingState> {
    const read = (tensors: tf.Tensor[]) => Promise.all(tensors.map((t) => t.data())) as Promise<Float32Array[]>
    const [m, v, reference] = await Promise.all([read(this.adam.m), read(this.adam.v), this.#reference ? read(this.#reference.tensors) : undefined])
    return reference ? { step: this.adam.t, m, v, reference } : { step: this.adam.t, m, v }
  }

  /** Restores what `trainingState` read: the next update continues exactly as the saved engine's would. */
  restoreTrainingState(state: TrainingState): void {
    this.adam.restore(state.step, state.m, state.v)
    if (state.reference) this.setReference(state.reference)
    else this.#disposeReference()
  }

  /** True once a reference copy exists. */
  get hasReference(): boolean {
    return this.#reference !== undefined
  }

  /** Reads every parameter back from the device (one awaited read per tensor, all in flight together). */
  async getWeights(): Promise<Float32Array[]> {
    return (await Promise.all(this.vars.map((v) => v.data()))) as Float32Array[]
  }

  setWeights(weights: Float32Array[]): void {
    weights.forEach((w, i) => {
      const t = tf.tensor(w, this.specs[i]!.shape)
      this.vars[i]!.assign(t)
      t.dispose()
    })
    this.version++
  }

  /** The checkpoint files of the current weights (their hash is cached as a side effect). */
  async files(): Promise<CheckpointFiles> {
    const version = this.version
    const files = checkpointFiles(this.cfg, this.options, this.tokenizer, await this.getWeights())
    if (this.version === version) this.#hash = { version, hash: checkpointHash(files) }
    return files
  }

  /** Content hash of the current checkpoint, reading the weights only when they changed since it was last known. */
  async hash(): Promise<string> {
    if (this.#hash?.version === this.version) return this.#hash.hash
    const version = this.version
    const hash = checkpointHash(checkpointFiles(this.cfg, this.options, this.tokenizer, await this.getWeights()))
    if (this.version === version) this.#hash = { version, hash }
    return hash
  }

  /** The checkpoint hash when it is known for the current weights (no device read); undefined after a change until `hash()` or `files()`. */
  get knownHash(): string | undefined {
    return this.#hash?.version === this.version ? this.#hash.hash : undefined
  }

  #disposeReference(): void {
    for (const t of this.#reference?.tensors ?? []) t.dispose()
    this.#reference = undefined
  }

  dispose(): void {
    if (this.#disposed) return
    this.#disposed = true
    for (const v of this.vars) v.dispose()
    this.adam.dispose()
    this.consts.dispose()
    this.#disposeReference()
  }
}
