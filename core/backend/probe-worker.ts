import { createRequire } from 'node:module'
import { parentPort, workerData } from 'node:worker_threads'
import type * as TF from '@tensorflow/tfjs'
import type { AdapterFacts } from './probe-backend.js'
import { selectBackend } from './select-backend.js'

// With require, not an ESM import: see select-backend.ts (the export-name scan of the CommonJS bundle).
const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof TF

// A backend probe thread: start the backend, run one op through it, read it back, answer once.
const { name } = workerData as { name: string }

/** The limits that decide what fits on a GPU (tfjs-webgpu asks for the adapter's own values of most). */
const LIMITS = [
  'maxStorageBuffersPerShaderStage',
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
] as const

function adapterFacts(): AdapterFacts | undefined {
  const backend = tf.backend() as unknown as { adapterInfo?: Record<string, unknown>; device?: { limits?: Record<string, number> } }
  if (!backend.device?.limits) return undefined
  const info = backend.adapterInfo ?? {}
  const text = (key: string) => (typeof info[key] === 'string' && info[key] !== '' ? (info[key] as string) : undefined)
  return {
    vendor: text('vendor'),
    architecture: text('architecture'),
    description: text('description'),
    limits: Object.fromEntries(LIMITS.map((key) => [key, Number(backend.device!.limits![key])])),
  }
}

async function probe(): Promise<{ ok: true; tfName: string; adapter?: AdapterFacts } | { ok: false; error: string }> {
  try {
    const selected = await selectBackend(name)
    const sum = tf.add(tf.scalar(1), tf.scalar(2))
    const value = (await sum.data())[0]
    sum.dispose()
    if (value !== 3) return { ok: false, error: `it started, but 1 + 2 gave ${value}` }
    const adapter = selected.name === 'webgpu' ? adapterFacts() : undefined
    return { ok: true, tfName: selected.tfName, ...(adapter ? { adapter } : {}) }
  } catch (error) {
    return { ok: false, error: (error as Error).message }
  }
}

parentPort!.postMessage(await probe())
