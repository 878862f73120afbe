import { tf } from './tf.js'

/**
 * Most inputs one `tf.addN` gets. WebGPU binds every input and the output as a storage buffer, and
 * a device gets 8 per shader stage unless it asks for more (tfjs-webgpu does not): with more
 * inputs the pipeline fails validation and Dawn hands back garbage instead of an error.
 */
export const ADD_N_MAX_INPUTS = 7

/**
 * Σ xs as `tf.addN` calls of at most `maxInputs` tensors each: the first call sums the first
 * `maxInputs`, every later one adds the next `maxInputs − 1` to the running sum. The additions
 * happen in the same left-to-right order as one `tf.addN` over all of `xs` does on the cpu, wasm
 * and webgpu kernels (0 + a + b … is exact in its first step), so the result is bit-identical to
 * it there. Used on every backend, so the cpu/wasm tests exercise the path the GPU takes.
 */
export function chunkedAddN<T extends tf.Tensor>(xs: T[], maxInputs = ADD_N_MAX_INPUTS): T {
  if (xs.length === 0) throw new Error('chunkedAddN needs at least one tensor')
  if (maxInputs < 2) throw new Error(`chunkedAddN needs maxInputs ≥ 2, got ${maxInputs}`)
  return tf.tidy(() => {
    let sum = xs.length === 1 ? xs[0]! : tf.addN(xs.slice(0, maxInputs))
    for (let i = maxInputs; i < xs.length; i += maxInputs - 1) sum = tf.addN([sum, ...xs.slice(i, i + maxInputs - 1)])
    return sum
  })
}

/** √(Σ‖g‖²) over all gradients: the global norm that clipping scales by. A scalar tensor. */
export function globalNorm(grads: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.sqrt(chunkedAddN(grads.map((g) => tf.sum(tf.mul(g, g))))) as tf.Scalar)
}
