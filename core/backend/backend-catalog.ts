import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** The values `--backend` accepts. */
export const BACKEND_NAMES = ['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu', 'webgpu'] as const

/** A `--backend` value. */
export type BackendName = (typeof BACKEND_NAMES)[number]

/** A concrete backend: what `--backend` names, the npm packages it needs and how to get them. */
export interface BackendSpec {
  name: Exclude<BackendName, 'auto'>
  /** The packages that must resolve for this backend to be usable. */
  packages: string[]
  /** What to run to install it (shown in errors and by `bench env`). */
  install: string
  /** One line on what it runs on. */
  device: string
}

/** Every concrete backend, in the order `auto` tries them. */
export const BACKENDS: readonly BackendSpec[] = [
  {
    name: 'tensorflow-gpu',
    packages: ['@tensorflow/tfjs-node-gpu'],
    install: 'npm i @tensorflow/tfjs-node-gpu (on a Linux machine with CUDA 11.8 and cuDNN 8)',
    device: 'GPU (CUDA, libtensorflow)',
  },
  {
    name: 'tensorflow',
    packages: ['@tensorflow/tfjs-node'],
    install: 'npm i @tensorflow/tfjs-node (downloads libtensorflow at install time)',
    device: 'CPU (libtensorflow, multi-threaded)',
  },
  {
    name: 'wasm',
    packages: ['@tensorflow/tfjs-backend-wasm'],
    install: 'npm i @tensorflow/tfjs-backend-wasm',
    device: 'CPU (WebAssembly SIMD, XNNPACK, one thread per worker)',
  },
  {
    name: 'webgpu',
    packages: ['@tensorflow/tfjs-backend-webgpu', 'webgpu'],
    install: 'npm i @tensorflow/tfjs-backend-webgpu webgpu (needs a Vulkan driver)',
    device: 'GPU (WebGPU through Dawn)',
  },
  {
    name: 'cpu',
    packages: ['@tensorflow/tfjs'],
    install: 'npm i @tensorflow/tfjs',
    device: 'CPU (pure JavaScript)',
  },
]

/** The order `auto` tries: a GPU first (webgpu only where one can be there: see webgpu-auto.ts), then the CPU backends. */
export const AUTO_ORDER: ReadonlyArray<BackendSpec['name']> = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']

/** True when every package of the backend resolves from here; loads nothing. */
export function isInstalled(spec: BackendSpec): boolean {
  return spec.packages.every((name) => {
    try {
      require.resolve(name)
      return true
    } catch {
      return false
    }
  })
}

/** Looks a backend up by name; undefined for unknown names. */
export function backendSpec(name: string): BackendSpec | undefined {
  return BACKENDS.find((spec) => spec.name === name)
}

/** The version of an installed npm package (its package.json), or undefined when it does not resolve from here. */
export function installedVersion(name: string): string | undefined {
  try {
    const version = (require(`${name}/package.json`) as { version?: unknown }).version
    return typeof version === 'string' ? version : undefined
  } catch {
    return undefined
  }
}
