import type { Rng } from 'bonbench'
import type { SparseFeatures } from './features.js'
import { tf } from './tf-backend.js'

/** Shape of the scorer: hashed sparse input of size `dim` → `hidden` ReLU units → one logit. */
export interface ScorerShape {
  dim: number
  /** 0: a logistic regression on the hashed features. */
  hidden: number
}

/** Serialised weights: exact float32 bytes (base64) so a cache hit reproduces every score. */
export type SerialisedWeights = Record<string, { shape: number[]; base64: string }>

/** How `trainScorer` runs (all of it seeded through `rng`). */
export interface TrainOptions {
  epochs: number
  batchSize: number
  learningRate: number
  l2: number
  rng: Rng
  signal?: AbortSignal
  /** Called after each epoch with the mean training loss. */
  onEpoch?(epoch: number, loss: number): void
}

/**
 * The reward model's network. Created by prepare (fresh or from the cache), used by score,
 * freed by dispose. Its tensors live in tfjs's global engine until `dispose()`.
 */
export interface ScorerNet {
  readonly shape: ScorerShape
  /**
   * P(correct) for each example, in order. Reads from the device only asynchronously (WebGPU in
   * Node cannot read synchronously): one `await data()` per batch of PREDICT_BATCH examples, plus
   * one of the first-layer weights after each training (kept host-side for the sparse gather).
   */
  predict(examples: SparseFeatures[]): Promise<Float32Array>
  /**
   * Adam on the weighted BCE (+ L2), seeded through `options.rng`. Reads from the device only
   * asynchronously: two awaited reads per batch (W1 for the host-side sparse forward; the
   * gradient at x·W1 and the loss together), none synchronous, so it runs where WebGPU does.
   */
  train(examples: SparseFeatures[], labels: ArrayLike<number>, options: TrainOptions): Promise<void>
  exportWeights(): Promise<SerialisedWeights>
  dispose(): void
}

const PREDICT_BATCH = 256

function uniform(rng: Rng, size: number, scale: number): Float32Array {
  const out = new Float32Array(size)
  for (let i = 0; i < size; i++) out[i] = (rng.next() * 2 - 1) * scale
  return out
}

function weightShapes(shape: ScorerShape): Record<string, number[]> {
  return shape.hidden > 0 ? { w1: [shape.dim, shape.hidden], b1: [shape.hidden], w2: [shape.hidden, 1], b2: [1] } : { w1: [shape.dim, 1], b2: [1] }
}

function initialWeights(shape: ScorerShape, rng: Rng): Record<string, Float32Array> {
  const h = Math.max(shape.hidden, 1)
  const weights: Record<string, Float32Array> = { w1: uniform(rng, shape.dim * h, 0.1), b2: new Float32Array(1) }
  if (shape.hidden > 0) {
    weights.b1 = new Float32Array(shape.hidden)
    weights.w2 = uniform(rng, shape.hidden, 1 / Math.sqrt(shape.hidden))
  }
  return weights
}

/** A batch in padded sparse layout: row r holds entries [r·width, (r+1)·width), padded with value 0. */
interface PaddedBatch {
  rows: number
  width: number
  indices: Int32Array
  values: Float32Array
}

function pad(examples: SparseFeatures[]): PaddedBatch {
  const width = Math.max(1, ...examples.map((e) => e.indices.length))
  const indices = new Int32Array(examples.length * width)
  const values = new Float32Array(examples.length * width)
  examples.forEach((e, row) => {
    indices.set(e.indices, row * width)
    values.set(e.values, row * width)
  })
  return { rows: examples.length, width, indices, values }
}

/** x·W for the padded sparse rows x and host-side weights W (dim × out, row-major): nnz·out work. */
function sparseForward(weights: Float32Array | ArrayLike<number>, out: number, batch: PaddedBatch): Float32Array {
  const forward = new Float32Array(batch.rows * out)
  for (let r = 0; r < batch.rows; r++) {
    for (let k = r * batch.width; k < (r + 1) * batch.width; k++) {
      const v = batch.values[k]!
      if (v === 0) continue
      const base = batch.indices[k]! * out
      for (let j = 0; j < out; j++) forward[r * out + j]! += v * weights[base + j]!
    }
  }
  return forward
}

/**
 * dL/dW for x·W, given dL/d(x·W) (`upstream`, rows × out, row-major): the sparse rows' outer
 * products, nnz·out work, summed row by row in the order of the entries.
 */
function sparseGrad(upstream: ArrayLike<number>, dim: number, out: number, batch: PaddedBatch): Float32Array {
  const grad = new Float32Array(dim * out)
  for (let r = 0; r < batch.rows; r++) {
    for (let k = r * batch.width; k < (r + 1) * batch.width; k++) {
      const v = batch.values[k]!
      if (v === 0) continue
      const base = batch.indices[k]! * out
      for (let j = 0; j < out; j++) grad[base + j]! += v * upstream[r * out + j]!
    }
  }
  return grad
}

/**
 * Builds a scorer with seeded initial weights, or with `weights` (from the cache). Deterministic:
 * the same shape, seed stream and data give bit-identical weights on the same tfjs backend.
 */
export function createScorerNet(shape: ScorerShape, rng: Rng, weights?: SerialisedWeights): ScorerNet {
  const shapes = weightShapes(shape)
  const initial = weights ? undefined : initialWeights(shape, rng)
  const vars: Record<string, tf.Variable> = {}
  for (const [name, dims] of Object.entries(shapes)) {
    let data: Float32Array
    if (weights) {
      const saved = weights[name]
      if (!saved || saved.shape.join(',') !== dims.join(',')) throw new Error(`cached weight ${name} has the wrong shape`)
      const bytes = Buffer.from(saved.base64, 'base64')
      data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
    } else {
      data = initial![name]!
    }
    // Unnamed: tfjs gives each variable a unique name, so several scorers can coexist.
    vars[name] = tf.variable(tf.tensor(data, dims, 'float32'), true)
  }

  /** The layers after x·W1 (the same ops for training and scoring, so both give the same numbers). */
  function head(summed: tf.Tensor2D, rows: number): tf.Tensor1D {
    const out = shape.hidden > 0 ? tf.relu(summed.add(vars.b1!)).matMul(vars.w2!) : summed
    return out.add(vars.b2!).reshape([rows]) as tf.Tensor1D
  }

  /**
   * One Adam step on a batch; returns its loss. x·W1 is computed on the host from W1 read
   * asynchronously, enters the graph as a variable of its own, and W1's gradient is built on the
   * host from the gradient there — the numbers and the order of every addition are those of the
   * earlier custom op that read synchronously (test/plugins/reward-model-async.test.ts).
   */
  async function step(optimizer: tf.Optimizer, varList: tf.Variable[], batch: PaddedBatch, y: Float32Array, width: number, l2: number): Promise<number> {
    const w1 = vars.w1!
    const forward = tf.tensor2d(sparseForward((await w1.data()) as Float32Array, width, batch), [batch.rows, width])
    const summed = tf.variable(forward, true)
    forward.dispose()
    const tensors: tf.Tensor[] = [summed]
    try {
      const { value, grads } = tf.variableGrads(() => {
        const bce = tf.losses.sigmoidCrossEntropy(tf.tensor1d(y), head(summed, batch.rows))
        if (l2 === 0) return bce as tf.Scalar
        // ‖v‖² as a 1×n by n×1 matmul: the gradient of tf.sum broadcasts through a slow per-element path on CPU.
        const penalty = tf.addN(
          varList.map((v) =>
            v
              .reshape([1, v.size])
              .matMul(v.reshape([v.size, 1]))
              .reshape([]),
          ),
        )
        return bce.add(penalty.mul(l2)) as tf.Scalar
      }, [...varList, summed])
      tensors.push(value, ...Object.values(grads))
      // One read for both: the gradient at x·W1 and the loss, concatenated (an exact copy).
      const both = tf.tidy(() => tf.concat([grads[summed.name]!.reshape([-1]), value.reshape([1])]))
      tensors.push(both)
      const read = (await both.data()) as Float32Array
      const hostGrad = tf.tensor2d(sparseGrad(read, w1.shape[0]!, width, batch), w1.shape as [number, number])
      tensors.push(hostGrad)
      // W1's L2 gradient (when any) first, then the data term's: the order tfjs's backprop added them in.
      const g1 = grads[w1.name] ? tf.add(grads[w1.name]!, hostGrad) : hostGrad
      tensors.push(g1)
      optimizer.applyGradients(Object.fromEntries(varList.map((v) => [v.name, v === w1 ? g1 : grads[v.name]!])))
      return read[read.length - 1]!
    } finally {
      for (const t of tensors) if (!t.isDisposed) t.dispose()
    }
  }

  /** W1 on the host for scoring, read once (asynchronously) after each training or load. */
  let hostW1: Float32Array | undefined

  return {
    shape,
    async predict(examples) {
      hostW1 ??= (await vars.w1!.data()) as Float32Array
      const out = new Float32Array(examples.length)
      const width = Math.max(shape.hidden, 1)
      for (let start = 0; start < examples.length; start += PREDICT_BATCH) {
        const chunk = examples.slice(start, start + PREDICT_BATCH)
        const batch = pad(chunk)
        const summed = sparseForward(hostW1, width, batch)
        const probs = tf.tidy(() => tf.sigmoid(head(tf.tensor2d(summed, [batch.rows, width]), chunk.length)))
        try {
          out.set((await probs.data()) as Float32Array, start)
        } finally {
          probs.dispose()
        }
      }
      return out
    },
    async train(examples, labels, options) {
      hostW1 = undefined
      const optimizer = tf.train.adam(options.learningRate)
      const varList = Object.values(vars)
      const width = Math.max(shape.hidden, 1)
      const order = Array.from({ length: examples.length }, (_, i) => i)
      try {
        for (let epoch = 0; epoch < options.epochs; epoch++) {
          if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted')
          for (let i = order.length - 1; i > 0; i--) {
            const j = options.rng.int(i + 1)
            ;[order[i], order[j]] = [order[j]!, order[i]!]
          }
          let lossSum = 0
          let batches = 0
          for (let start = 0; start < order.length; start += options.batchSize) {
            const ids = order.slice(start, start + options.batchSize)
            const batch = pad(ids.map((i) => examples[i]!))
            const y = Float32Array.from(ids, (i) => labels[i]!)
            lossSum += await step(optimizer, varList, batch, y, width, options.l2)
            batches++
          }
          options.onEpoch?.(epoch, lossSum / Math.max(batches, 1))
        }
      } finally {
        optimizer.dispose()
      }
    },
    async exportWeights() {
      const out: SerialisedWeights = {}
      for (const [name, v] of Object.entries(vars)) {
        const data = (await v.data()) as Float32Array
        out[name] = { shape: v.shape, base64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') }
      }
      return out
    },
    dispose() {
      for (const v of Object.values(vars)) if (!v.isDisposed) v.dispose()
    },
  }
}
