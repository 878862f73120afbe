import * as tf from '@tensorflow/tfjs'

/**
 * Makes sure TensorFlow.js has a backend before the reward model builds tensors, without fighting
 * over tfjs's single per-process backend: when another component (the tiny-transformer's backend
 * selection) already chose one, it is kept; otherwise the pure-JS `cpu` backend is set (the
 * scorer is small, and `cpu` needs no WASM fetch or WebGL probe). Returns the backend's name.
 */
export async function ensureTfBackend(): Promise<string> {
  // getBackend() reads the engine's chosen name without initialising anything.
  const current = tf.getBackend() as string | null | undefined
  if (current) {
    await tf.ready()
    return current
  }
  const ok = await tf.setBackend('cpu')
  if (!ok) await tf.ready()
  return tf.getBackend()
}

export { tf }
