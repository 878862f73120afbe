import { createRequire } from 'node:module'
import type * as TF from '@tensorflow/tfjs'
import { BenchError } from '../errors.js'
import { AUTO_ORDER, BACKEND_NAMES, backendSpec, isInstalled } from './backend-catalog.js'
import type { BackendSpec } from './backend-catalog.js'
import { backendDevice, backendKeyName } from './backend-identity.js'
import { findWasmDir } from './wasm-paths.js'
import { whyAutoSkipsWebGPU } from './webgpu-auto.js'
import { registerWebGPU } from './webgpu-backend.js'

/** The backend a process runs on, after `selectBackend`. */
export interface SelectedBackend {
  /** The `--backend` name (never 'auto'). */
  name: BackendSpec['name']
  /** tfjs's own name for it (`tf.getBackend()`): `tensorflow` for both tensorflow and tensorflow-gpu. */
  tfName: string
  /** What it runs on, in one line (provenance's device): the catalog's, or that it is Dawn's null device. */
  device: string
  /**
   * What cache keys and measured rates record for it: `name`, except `webgpu-null` on Dawn's null
   * device (core/backend/backend-identity.ts), whose garbage no run on a real GPU may load.
   */
  keyName: string
}

/**
 * The selection of `spec`, started as tfjs's `tfName`, as {@link selectBackend} reports it:
 * named by the catalog (tensorflow-gpu is not tensorflow, though tfjs calls both `tensorflow`).
 */
export function selectedBackendOf(spec: Pick<BackendSpec, 'name' | 'device'>, tfName: string, env: NodeJS.ProcessEnv = process.env): SelectedBackend {
  return { name: spec.name, tfName, device: backendDevice(spec, env), keyName: backendKeyName(spec.name, env) }
}

// Dynamic import through a variable so TypeScript does not require the optional packages.
const importOptional = (name: string): Promise<unknown> => import(name)

async function start(spec: BackendSpec): Promise<string> {
  switch (spec.name) {
    case 'tensorflow':
    case 'tensorflow-gpu':
      await importOptional(spec.packages[0]!)
      await setOrThrow('tensorflow')
      return 'tensorflow'
    case 'wasm': {
      // TensorFlow.js and its WASM backend are CommonJS bundles: `require` loads them without the scan
      // an ESM import makes of a whole bundle for its export names (cjs-module-lexer: 0.3 s of CPU in
      // every process and worker thread, more than loading them). One instance either way.
      const wasm = createRequire(import.meta.url)('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string): void }
      const dir = findWasmDir()
      if (!dir) throw new Error('the .wasm binaries were not found in @tensorflow/tfjs-backend-wasm/dist')
      wasm.setWasmPaths(dir)
      await setOrThrow('wasm')
      return 'wasm'
    }
    case 'webgpu': {
      await registerWebGPU(createRequire(import.meta.url)('@tensorflow/tfjs') as typeof TF)
      await setOrThrow('webgpu')
      return 'webgpu'
    }
    case 'cpu':
      await setOrThrow('cpu')
      return 'cpu'
  }
}

async function setOrThrow(tfName: string): Promise<void> {
  // Loaded here, not at the top: `bonbench` exports selectBackend and must load without TensorFlow.js.
  // With require, not an ESM import: see the wasm case above.
  const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof TF
  const ok = await tf.setBackend(tfName)
  if (!ok) throw new Error(`tf.setBackend('${tfName}') returned false`)
  await tf.ready()
}

let current: SelectedBackend | undefined

/**
 * Starts the requested backend for this thread's tfjs (each worker thread calls it for itself).
 * `auto` tries tensorflow-gpu, webgpu (where a GPU can be there), tensorflow (when installed), wasm, then cpu. A named backend that
 * is missing or fails to start throws BENCH_BACKEND_UNAVAILABLE with the command that installs it.
 * Calling it again with the same name is free. `skip` (for `auto`): backends not to try, each with
 * the reason the failure message gives (`bench env`: those whose probe did not answer in time).
 */
export async function selectBackend(requested: string = 'auto', opts: { skip?: Readonly<Record<string, string>> } = {}): Promise<SelectedBackend> {
  if (!(BACKEND_NAMES as readonly string[]).includes(requested)) {
    throw new BenchError('BENCH_USAGE', `unknown backend '${requested}'; use one of ${BACKEND_NAMES.join(', ')}`)
  }
  const skipped = requested === 'auto' ? (opts.skip ?? {}) : {}
  if (current && ((requested === 'auto' && skipped[current.name] === undefined) || requested === current.name)) return current
  const order = requested === 'auto' ? AUTO_ORDER : [requested as BackendSpec['name']]
  const failures: string[] = []
  for (const name of order) {
    const spec = backendSpec(name)!
    if (skipped[name] !== undefined) {
      failures.push(`${name}: not tried (${skipped[name]})`)
      continue
    }
    if (!isInstalled(spec)) {
      failures.push(`${name}: not installed (${spec.install})`)
      continue
    }
    const skip = requested === 'auto' && name === 'webgpu' ? whyAutoSkipsWebGPU() : undefined
    if (skip) {
      failures.push(`${name}: not tried (${skip})`)
      continue
    }
    try {
      const tfName = await start(spec)
      current = selectedBackendOf(spec, tfName)
      return current
    } catch (error) {
      failures.push(`${name}: failed to start (${(error as Error).message})`)
    }
  }
  if (requested === 'auto') {
    throw new BenchError('BENCH_BACKEND_UNAVAILABLE', `no TensorFlow.js backend could start: ${failures.join('; ')}`)
  }
  const spec = backendSpec(requested)!
  const fix = isInstalled(spec)
    ? requested === 'webgpu'
      ? 'See README.md, "GPU machines", for what a GPU machine needs (`bench env` checks it)'
      : 'Check `bench env`'
    : `Install it with: ${spec.install}`
  throw new BenchError('BENCH_BACKEND_UNAVAILABLE', `backend '${requested}' is unavailable — ${failures.join('; ')}. ${fix}, or pass --backend auto`)
}

/**
 * The backend `requested` runs on, without starting one where none is selected yet: a named one is
 * itself; `auto` is the backend this thread selected, else the first of its order that is
 * installed and not skipped (one that then fails to start makes `auto` go further: a guess, for
 * estimates only). Loads nothing.
 */
export function expectedBackend(requested: string): string {
  if (requested !== 'auto') return requested
  if (current) return current.name
  const name = AUTO_ORDER.find((n) => isInstalled(backendSpec(n)!) && !(n === 'webgpu' && whyAutoSkipsWebGPU()))
  return name ?? 'cpu'
}

/** The backend selected in this thread, if any. */
export function currentBackend(): SelectedBackend | undefined {
  return current
}
