import * as tf from '@tensorflow/tfjs'

export { gpuBackend } from './gpu-env.js'

/** A GPU error Dawn reported outside any error scope (validation, out of memory, internal). */
export interface GpuError {
  type: string
  message: string
}

type Device = { addEventListener?(type: 'uncapturederror', listener: (event: { error: { message: string; constructor: { name: string } } }) => void): void }

/**
 * Collects every uncaptured error of the current tfjs backend's WebGPU device into the returned
 * array (tfjs-webgpu only logs them, and the op returns garbage). An empty array on any other
 * backend: there errors are thrown.
 */
export function watchGpuErrors(): GpuError[] {
  const errors: GpuError[] = []
  const device = (tf.backend() as unknown as { device?: Device }).device
  device?.addEventListener?.('uncapturederror', (event) => errors.push({ type: event.error.constructor.name, message: event.error.message.slice(0, 500) }))
  return errors
}
