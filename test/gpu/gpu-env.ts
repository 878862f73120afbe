/**
 * The GPU suite's settings from the environment, without TensorFlow.js: the suite's global setup
 * (require-gpu.ts) reads them before any test file loads, and importing tfjs there would have
 * vitest transform its ESM build file by file first (some 4 s of CPU for a setup that fails in 1 ms).
 */
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
