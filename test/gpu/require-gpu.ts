import { probeBackend } from '../../core/backend/probe-backend.js'
import { gpuBackend, probeTimeoutMs } from './gpu-env.js'

/**
 * Global setup of `npm run test:gpu`: starts the GPU backend for real, in a thread of its own,
 * before any test file loads. When it does not start, the whole suite fails here with one message
 * that says why and what a machine needs, instead of every test failing on its own.
 */
export default async function requireGpu(): Promise<void> {
  const name = gpuBackend()
  const probe = await probeBackend(name, probeTimeoutMs())
  if (probe.state === 'started') {
    const a = probe.adapter
    const adapter = a ? `; adapter ${[a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'unnamed'}` : ''
    console.log(`test:gpu: ${name} started in ${probe.ms} ms${adapter}`)
    return
  }
  const why = probe.state === 'timeout' ? `it did not start within ${probe.ms} ms` : `it failed to start: ${probe.error}`
  throw new Error(
    `npm run test:gpu needs a GPU that the ${name} backend can start, and ${why}. ` +
      `Run \`bench env\` to see every backend's start; README.md "GPU machines" says what a machine needs ` +
      `(for webgpu: npm i @tensorflow/tfjs-backend-webgpu webgpu, a Vulkan loader and the vendor's Vulkan driver). ` +
      `BENCH_GPU_BACKEND=tensorflow-gpu checks the CUDA binding instead.`,
  )
}
