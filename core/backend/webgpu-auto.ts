import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { isDawnNullDevice } from './webgpu-flags.js'

/** Where Linux distributions put the Vulkan loader (plus LD_LIBRARY_PATH). */
const LIB_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/lib64',
]
/** Where Vulkan drivers register themselves (ICD files). */
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d']

/** Mesa's software rasteriser: Dawn refuses it (it lacks features WebGPU needs), so it is no GPU. */
const isSoftware = (file: string) => /^lvp_icd|lavapipe|swiftshader/i.test(file)

function listJson(dir: string): string[] {
  try {
    return readdirSync(dir).filter((file) => file.endsWith('.json'))
  } catch {
    return []
  }
}

/**
 * Why `--backend auto` does not try webgpu on this machine, or undefined when it should try it.
 * Trying costs Dawn's start (and Dawn prints a warning when it finds no Vulkan), so auto tries
 * it only where a GPU can be there: on Linux, a Vulkan loader and a hardware driver's ICD file;
 * macOS (Metal) and Windows (D3D12) always. Never on Dawn's null device (BENCH_DAWN_FLAGS=backend=null),
 * which computes nothing: a user asks for that with `--backend webgpu`.
 */
export function whyAutoSkipsWebGPU(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  if (isDawnNullDevice(env)) return "BENCH_DAWN_FLAGS selects Dawn's null device, which computes nothing (ask for it with --backend webgpu)"
  if (platform !== 'linux') return undefined
  const libDirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...LIB_DIRS]
  if (!libDirs.some((dir) => existsSync(join(dir, 'libvulkan.so.1')))) return 'no Vulkan loader (libvulkan.so.1) on this machine'
  const named = (env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES ?? '').split(':').filter(Boolean)
  const icds = named.length > 0 ? named.map((file) => file.split('/').pop()!) : ICD_DIRS.flatMap(listJson)
  if (!icds.some((file) => !isSoftware(file))) return 'no GPU Vulkan driver (no hardware ICD file in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d)'
  return undefined
}
