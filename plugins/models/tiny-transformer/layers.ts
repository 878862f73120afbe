import { tf } from './tf.js'

const denseWithGrad = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc]
  save([x, w])
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D]
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)]
    },
  }
})

/**
 * x·w for 2-D tensors with a custom gradient that transposes explicitly and calls plain matMul:
 * on the WASM backend only non-transposed 2-D matMul hits XNNPACK's fast path, while tfjs's own
 * matMul gradient uses transposeA/B (about 10× slower there).
 */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return denseWithGrad(x, w) as tf.Tensor2D
}

/**
 * Σ of a linear layer's output gradient dy [N, C] over its rows: its bias gradient. On WASM it is
 * ones[1, N]·dy, which XNNPACK sums column by column in row order, exactly as the Sum kernel
 * does after transposing dy, so the bits are the same (test/plugins/tiny-transformer-
 * fingerprint.test.ts). What makes it fast is that dy is the right-hand operand of the weight
 * gradient xᵀ·dy too, at the same [N, C]: tfjs-wasm caches the XNNPACK operator, with that operand
 * packed, by the operand's tensor id, so the two products share one packing and the bias
 * gradient costs almost nothing (Sum over axis 0 took 2–12 ms per bias at N = 2048). That cache
 * is keyed by the id alone: the same data used as a right-hand operand at another shape would run
 * the stale operator out of bounds (it did when the position table's [B, T·w] sum was tried), so
 * this is only for dy of `linear`. Elsewhere it is tf.sum, as in tfjs's own gradient (the cpu
 * backend sums in float64).
 */
function sumRows(dy: tf.Tensor2D): tf.Tensor1D {
  if (tf.getBackend() !== 'wasm') return tf.sum(dy, 0)
  return tf.reshape(tf.matMul(tf.fill([1, dy.shape[0]], 1) as tf.Tensor2D, dy), [dy.shape[1]])
}

// dense(x, w) + b with tfjs's Add gradient, the reduction over rows done by `sumRows`. dy is
// passed on as a new tensor (a reshape shares its data): the tape disposes gradients it has
// summed, and dy itself must survive that.
const addBias = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [y, b] = args as [tf.Tensor2D, tf.Tensor1D]
  return { value: tf.add(y, b), gradFunc: (dy: tf.Tensor) => [tf.reshape(dy, y.shape), sumRows(dy as tf.Tensor2D)] }
})

/** x·w + b over the last axis of a 2-D input. */
export function linear(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return addBias(dense(x, w as tf.Tensor2D), b) as tf.Tensor2D
}

// Reductions over the last axis whose gradient multiplies dy by ones made on the device (Fill):
// tfjs's own Mean and Sum gradients build that ones tensor in JS and upload it on every call
// (1 MiB per LayerNorm mean at B·T = 2048, width 128), and the Mean gradient divides all n·w
// products by n. (dy·1)/n = (dy/n)·1 = dy/n exactly, so the gradients are the same numbers.
// Not tf.broadcastTo: its Tile kernel is ~50× slower than Fill + Multiply on WASM. Only x's shape
// is kept for the backward pass (the forward's tensors are freed before it runs).
const meanLastAxis = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor
  return { value: tf.mean(x, -1, true), gradFunc: (dy: tf.Tensor) => tf.mul(tf.div(dy, x.shape[x.rank - 1]!), tf.fill(x.shape, 1)) }
})
const sumLastAxis = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor
  return { value: tf.sum(x, -1), gradFunc: (dy: tf.Tensor) => tf.mul(tf.expandDims(dy, -1), tf.fill(x.shape, 1)) }
})

/** Σ over the last axis (dropped), with a gradient that uploads nothing. */
export function sumLast(x: tf.Tensor): tf.Tensor {
  return sumLastAxis(x)
}

/** LayerNorm over the last axis (ε = 1e-5), written with ops that all have WASM gradients; its means upload nothing. */
export function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const mean = meanLastAxis(x)
  const xc = tf.sub(x, mean)
  const variance = meanLastAxis(tf.mul(xc, xc))
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, 1e-5))), g), b)
}

/**
 * The same LayerNorm as `layerNorm`, the same kernels in the same order, without the custom
 * gradients: for decoding, where each customGrad wrapper is one more dispatch per op and step.
 */
export function layerNormForward(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const mean = tf.mean(x, -1, true)
  const xc = tf.sub(x, mean)
  const variance = tf.mean(tf.mul(xc, xc), -1, true)
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, 1e-5))), g), b)
}

const GELU_C = Math.sqrt(2 / Math.PI)

/**
 * GELU, tanh approximation, written as x·σ(2u) with u = √(2/π)(x + 0.044715x³): identical to
 * 0.5x(1 + tanh u), but sigmoid is an XNNPACK kernel on WASM and tanh is not; x·x·x, not pow.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  const cube = tf.mul(tf.mul(x, x), x)
  return tf.mul(x, tf.sigmoid(tf.mul(tf.add(x, tf.mul(cube, 0.044715)), 2 * GELU_C)))
}

/**
 * Rotary tables for head size d over `context` positions (GPT-NeoX "rotate half" layout):
 * cos and sin as [context, d], and the [d, d] matrix R with x·R = rotate_half(x) = [−x₂, x₁].
 */
export function rotaryTables(context: number, d: number): { cos: Float32Array; sin: Float32Array; rot: Float32Array } {
  const half = d / 2
  const cos = new Float32Array(context * d)
  const sin = new Float32Array(context * d)
  for (let p = 0; p < context; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p / Math.pow(10000, (2 * i) / d)
      cos[p * d + i] = cos[p * d + i + half] = Math.cos(angle)
      sin[p * d + i] = sin[p * d + i + half] = Math.sin(angle)
    }
  }
  const rot = new Float32Array(d * d)
  for (let i = 0; i < half; i++) {
    rot[(i + half) * d + i] = -1 // out[i] = −x[i + half]
    rot[i * d + i + half] = 1 // out[i + half] = x[i]
  }
  return { cos, sin, rot }
}

/**
 * A float32 one-hot matrix. Built as int32 and cast, because the WASM OneHot kernel ignores a
 * float32 dtype and writes integer bit patterns (1 reads back as 1.4e-45).
 */
export function oneHotFloat(indices: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(indices, depth), 'float32') as tf.Tensor2D
}
