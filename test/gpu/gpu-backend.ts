import * as tf from '@tensorflow/tfjs'

/** The GPU backends the GPU suite can run on; `BENCH_GPU_BACKEND` picks one (webgpu by default). */
export const GPU_BACKENDS = ['webgpu', 'tensorflow-gpu'] as const

/** The backend this run of the GPU suite checks. Throws on an unknown `BENCH_GPU_BACKEND`. */
export function gpuBackend(): (typeof GPU_BACKENDS)[number] {
  const name = process.env.BENCH_GPU_BACKEND ?? 'webgpu'
  if (!(GPU_BACKENDS as readonly string[]).includes(name)) throw new Error(`BENCH_GPU_BACKEND=${name}: use one of ${GPU_BACKENDS.join(', ')}`)
  return name as (typeof GPU_BACKENDS)[number]
}

/** How long require-gpu.ts gives the backend to start (BONBENCH_GPU_PROBE_TIMEOUT_MS, default 30 s). */
export function probeTimeoutMs(): number {
  const raw = process.env.BONBENCH_GPU_PROBE_TIMEOUT_MS
  const ms = raw === undefined ? 30_000 : Number(raw)
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`BONBENCH_GPU_PROBE_TIMEOUT_MS=${raw}: give a positive number of milliseconds`)
  return ms
}

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
