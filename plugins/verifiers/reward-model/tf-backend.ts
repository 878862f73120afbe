import { createRequire } from 'node:module'
import type * as TF from '@tensorflow/tfjs'
import { currentBackend, selectBackend } from 'bonbench'

/**
 * TensorFlow.js, loaded with `require`: its entry is a CommonJS bundle, and an ESM `import` of it
 * makes Node scan the whole bundle for export names first (cjs-module-lexer), 0.27 s of CPU in every
 * process — more than loading it. One instance either way: Node's module cache is shared.
 */
const tf: typeof TF = createRequire(import.meta.url)('@tensorflow/tfjs')

// The tensor types the reward model names, as `tf.Tensor2D` and so on beside the value `tf`.
// eslint-disable-next-line @typescript-eslint/no-namespace
declare namespace tf {
  type Tensor<R extends TF.Rank = TF.Rank> = TF.Tensor<R>
  type Scalar = TF.Scalar
  type Tensor1D = TF.Tensor1D
  type Tensor2D = TF.Tensor2D
  type Variable<R extends TF.Rank = TF.Rank> = TF.Variable<R>
  type Optimizer = TF.Optimizer
}

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
