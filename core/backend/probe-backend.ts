import { Worker } from 'node:worker_threads'
import type { BackendSpec } from './backend-catalog.js'

/** What a GPU adapter says about itself (webgpu only): enough to tell which GPU and its key limits. */
export interface AdapterFacts {
  vendor?: string
  architecture?: string
  description?: string
  limits: Record<string, number>
}

/**
 * The outcome of starting one backend for real: `started` once it ran an op and read the result
 * back; `failed` with the error it threw; `timeout` when it neither started nor failed in time.
 */
export type BackendProbe =
  { state: 'started'; ms: number; tfName: string; adapter?: AdapterFacts } | { state: 'failed'; ms: number; error: string } | { state: 'timeout'; ms: number }

/** How long `bench env` gives one backend to start (a GPU's first start takes well under a second when it works). */
export const PROBE_TIMEOUT_MS = 20_000

/**
 * Starts `name` in a worker thread of its own — tfjs holds one backend per thread, and a start
 * that hangs (a GPU adapter that never answers) can be abandoned there — runs 1 + 2 on it and
 * reads the answer back. Resolves within `timeoutMs` (plus the thread's teardown); never rejects.
 */
export function probeBackend(name: BackendSpec['name'], timeoutMs = PROBE_TIMEOUT_MS): Promise<BackendProbe> {
  const started = performance.now()
  const ms = () => Math.round(performance.now() - started)
  return new Promise((resolve) => {
    let worker: Worker
    try {
      worker = new Worker(new URL('./probe-worker-entry.mjs', import.meta.url), { workerData: { name } })
    } catch (error) {
      resolve({ state: 'failed', ms: ms(), error: (error as Error).message })
      return
    }
    let done = false
    const finish = (probe: BackendProbe) => {
      if (done) return
      done = true
      clearTimeout(timer)
      resolve(probe)
      // Not awaited: a thread stuck in a native call must not hold `bench env` up.
      void worker.terminate().catch(() => undefined)
      worker.unref()
    }
    const timer = setTimeout(() => finish({ state: 'timeout', ms: ms() }), timeoutMs)
    worker.on('message', (m: { ok: true; tfName: string; adapter?: AdapterFacts } | { ok: false; error: string }) =>
      finish(
        m.ok ? { state: 'started', ms: ms(), tfName: m.tfName, ...(m.adapter ? { adapter: m.adapter } : {}) } : { state: 'failed', ms: ms(), error: m.error },
      ),
    )
    worker.on('error', (error) => finish({ state: 'failed', ms: ms(), error: error.message }))
    worker.on('exit', (code) => finish({ state: 'failed', ms: ms(), error: `the probe thread exited with code ${code} before answering` }))
  })
}
