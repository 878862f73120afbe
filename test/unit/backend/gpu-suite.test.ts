import { execa } from 'execa'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import base from '../../../vitest.config.js'
import gpu from '../../../vitest.gpu.config.js'
import requireGpu from '../../gpu/require-gpu.js'

const root = path.join(import.meta.dirname, '../../..')

/**
 * `npm run test:gpu` as a child process, with the given environment; never throws. The script's
 * command as npm runs it (node_modules/.bin on the PATH), without npx's own Node in front.
 */
function runGpuSuite(env: Record<string, string>) {
  return execa(path.join(root, 'node_modules/.bin/vitest'), ['run', '--config', 'vitest.gpu.config.ts'], {
    cwd: root,
    env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
    reject: false,
    all: true,
  })
}

describe('npm run test:gpu', () => {
  it('is a suite of its own: npm test leaves test/gpu out, test:gpu runs only test/gpu behind the GPU gate', () => {
    expect(base.test?.exclude).toContain('test/gpu/**')
    expect(gpu.test?.include).toEqual(['test/gpu/**/*.test.ts'])
    expect(gpu.test?.globalSetup).toEqual(['test/gpu/require-gpu.ts'])
  })

  it('fails with one clear message when the GPU backend does not start', async () => {
    // 1 ms is too short for any backend to start (a thread alone takes longer): the timeout path on every machine.
    const timeout = await runGpuSuite({ BONBENCH_GPU_PROBE_TIMEOUT_MS: '1' })
    expect(timeout.exitCode).toBe(1)
    expect(timeout.all).toMatch(/npm run test:gpu needs a GPU that the webgpu backend can start, and it did not start within \d+ ms\. Run `bench env`/)
    expect(timeout.all).toContain('README.md "GPU machines"')
  }, 120_000)

  // The suite's global setup, called here as vitest calls it (the run above proves that its
  // error fails the suite): an unknown backend name is refused before anything starts.
  it('refuses an unknown backend name, naming the ones it knows', async () => {
    const before = process.env.BENCH_GPU_BACKEND
    process.env.BENCH_GPU_BACKEND = 'tpu'
    try {
      await expect(requireGpu()).rejects.toThrow('BENCH_GPU_BACKEND=tpu: use one of webgpu, tensorflow-gpu')
    } finally {
      if (before === undefined) delete process.env.BENCH_GPU_BACKEND
      else process.env.BENCH_GPU_BACKEND = before
    }
  })
})
