/**
 * Dawn's options from BENCH_DAWN_FLAGS (space-separated, e.g. `backend=vulkan adapter=NVIDIA`).
 * `backend=null` gives Dawn's null device: it validates every command against WebGPU's default
 * limits and computes nothing (its numbers are garbage); the tests use it to check the WebGPU
 * path and its errors on machines without a GPU.
 */
export function dawnFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.BENCH_DAWN_FLAGS ?? '').split(/\s+/).filter((flag) => flag !== '')
}

/** True when BENCH_DAWN_FLAGS selects Dawn's null device (`backend=null`): webgpu then computes nothing. */
export function isDawnNullDevice(env: NodeJS.ProcessEnv = process.env): boolean {
  return dawnFlags(env).includes('backend=null')
}
