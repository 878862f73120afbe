import * as tf from '@tensorflow/tfjs'
import { currentBackend, selectBackend } from 'bonbench'

/**
 * Makes sure TensorFlow.js has a backend before the reward model builds tensors, without fighting
 * over tfjs's single per-process backend: when the core's backend selection (or anyone else)
 * already chose one, it is kept; otherwise the core's `auto` choice is started (WASM where it
 * loads, else pure-JS cpu), the same one the tiny-transformer gets by default.
 * Returns tfjs's name of the backend in use.
 */
export async function ensureTfBackend(): Promise<string> {
  const selected = currentBackend()
  if (selected) return selected.tfName
  // getBackend() reads the engine's chosen name without initialising anything.
  const current = tf.getBackend() as string | null | undefined
  if (current) {
    await tf.ready()
    return current
  }
  return (await selectBackend('auto')).tfName
}

/** The tfjs namespace the reward model's tensors are built with (the process-wide instance). */
export { tf }
