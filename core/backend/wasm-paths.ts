import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)

/** The three `.wasm` binaries of @tensorflow/tfjs-backend-wasm. */
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const

/**
 * Finds the folder holding the tfjs WASM binaries (…/tfjs-backend-wasm/dist/) through Node's
 * own module resolution, so it works from any working directory, in workers and under vitest.
 * Returns undefined when the package is not installed or its binaries are missing.
 */
export function findWasmDir(): string | undefined {
  let pkg: string
  try {
    pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json')
  } catch {
    return undefined
  }
  const dir = path.join(path.dirname(pkg), 'dist')
  return WASM_FILES.every((file) => existsSync(path.join(dir, file))) ? dir + path.sep : undefined
}
