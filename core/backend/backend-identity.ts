import type { BackendSpec } from './backend-catalog.js'
import { isDawnNullDevice } from './webgpu-flags.js'

/** What `webgpu` on Dawn's null device is called where results are kept apart (cache keys, measured rates). */
export const NULL_DEVICE_KEY = 'webgpu-null'

/** The device line of `webgpu` on Dawn's null device (provenance, `describe()`). */
export const NULL_DEVICE = 'null device (BENCH_DAWN_FLAGS=backend=null): not a GPU, numbers are garbage'

/**
 * The name a cache key (base model, reward model) and the measured-rates file record for the
 * concrete backend `name`: the name itself, except `webgpu` on Dawn's null device
 * (BENCH_DAWN_FLAGS=backend=null), which computes nothing: {@link NULL_DEVICE_KEY}, so nothing it
 * writes into a cache is ever loaded by a run on a real GPU. Reads only the environment.
 */
export function backendKeyName(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return name === 'webgpu' && isDawnNullDevice(env) ? NULL_DEVICE_KEY : name
}

/** What the backend runs on, in one line: the catalog's, except on Dawn's null device ({@link NULL_DEVICE}). */
export function backendDevice(spec: Pick<BackendSpec, 'name' | 'device'>, env: NodeJS.ProcessEnv = process.env): string {
  return spec.name === 'webgpu' && isDawnNullDevice(env) ? NULL_DEVICE : spec.device
}
