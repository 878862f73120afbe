import { createRequire } from 'node:module'
import type * as TF from '@tensorflow/tfjs'
import { currentBackend, selectBackend, type SelectedBackend } from 'bonbench'

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
 * The name the reward model's cache key and facts give the backend in use: the core's selection as
 * the catalog names it (`selected.keyName`: tensorflow-gpu is not tensorflow, though tfjs calls
 * both `tensorflow`; Dawn's null device is `webgpu-null`), when tfjs still runs on it; tfjs's own
 * name (`tfName`) only where the core selected none, or someone switched tfjs away from it since.
 */
export function backendIdentity(selected: SelectedBackend | undefined, tfName: string): string {
  return selected && selected.tfName === tfName ? selected.keyName : tfName
}

/**
 * Makes sure TensorFlow.js has a backend before the reward model builds tensors, without fighting
 * over tfjs's single per-process backend: when the core's backend selection (or anyone else)
 * already chose one, it is kept; otherwise the core's `auto` choice is started (WASM where it
 * loads, else pure-JS cpu), the same one the tiny-transformer gets by default.
 * Returns the backend in use as the cache key names it ({@link backendIdentity}).
 */
export async function ensureTfBackend(): Promise<string> {
  const selected = currentBackend()
  // getBackend() reads the engine's chosen name without initialising anything.
  const current = tf.getBackend() as string | null | undefined
  if (current) {
    if (!selected) await tf.ready()
    return backendIdentity(selected, current)
  }
  return (await selectBackend('auto')).keyName
}

/** The tfjs namespace the reward model's tensors are built with (the process-wide instance). */
export { tf }
