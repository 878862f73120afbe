import { createRequire } from 'node:module'
import type * as TF from '@tensorflow/tfjs'

/**
 * TensorFlow.js, loaded with `require`: its entry is a CommonJS bundle, and an ESM `import` of it
 * makes Node scan the whole bundle for export names first (cjs-module-lexer), 0.27 s of CPU in every
 * process and every sampling worker thread — more than loading it. One instance either way: Node's
 * module cache is shared.
 */
export const tf: typeof TF = createRequire(import.meta.url)('@tensorflow/tfjs')

// The tensor types this plugin names, as `tf.Tensor2D` and so on beside the value `tf`.
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace tf {
  type Rank = TF.Rank
  type Tensor<R extends TF.Rank = TF.Rank> = TF.Tensor<R>
  type Scalar = TF.Scalar
  type Tensor1D = TF.Tensor1D
  type Tensor2D = TF.Tensor2D
  type Tensor3D = TF.Tensor3D
  type Tensor4D = TF.Tensor4D
  type Variable<R extends TF.Rank = TF.Rank> = TF.Variable<R>
  type GradSaveFunc = TF.GradSaveFunc
  type NamedTensorMap = TF.NamedTensorMap
}
