import { describe, expect, it } from 'vitest'
import { BACKENDS, isInstalled } from '../../../core/backend/backend-catalog.js'
import { selectBackend } from '../../../core/backend/select-backend.js'
import { probeBackend } from '../../../core/backend/probe-backend.js'
import { collectEnv } from '../../../cli/commands/env.js'
import { whyAutoSkipsWebGPU } from '../../../core/backend/webgpu-auto.js'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { keepBackend } from '../../helpers/keep-backend.js'

keepBackend()

describe('backend selection', () => {
  it('auto picks an installed backend and reports it', async () => {
    const selected = await selectBackend('auto')
    expect(isInstalled(BACKENDS.find((b) => b.name === selected.name)!)).toBe(true)
    expect(selected.name).not.toBe('auto')
  })

  it('says how to install a requested backend that is missing', async () => {
    const missing = BACKENDS.find((b) => !isInstalled(b))
    expect(missing).toBeDefined()
    await expect(selectBackend(missing!.name)).rejects.toMatchObject({ code: 'BENCH_BACKEND_UNAVAILABLE', message: expect.stringContaining(missing!.install) })
  })

  it('auto tries webgpu only where a GPU can be there: a Vulkan loader and a hardware driver on Linux, never on Dawn’s null device', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bonbench-vulkan-'))
    try {
      writeFileSync(join(dir, 'libvulkan.so.1'), '')
      const linux = (env: NodeJS.ProcessEnv) => whyAutoSkipsWebGPU(env, 'linux')
      expect(linux({ LD_LIBRARY_PATH: dir, VK_DRIVER_FILES: '/etc/vulkan/icd.d/nvidia_icd.json' })).toBeUndefined()
      expect(linux({ LD_LIBRARY_PATH: dir, VK_DRIVER_FILES: '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json' })).toMatch(/^no GPU Vulkan driver/)
      expect(linux({ LD_LIBRARY_PATH: dir, VK_DRIVER_FILES: '/etc/vulkan/icd.d/nvidia_icd.json', BENCH_DAWN_FLAGS: 'backend=null' })).toMatch(/null device/)
      expect(whyAutoSkipsWebGPU({ BENCH_DAWN_FLAGS: 'backend=null' }, 'darwin')).toMatch(/null device/)
      expect(whyAutoSkipsWebGPU({}, 'darwin')).toBeUndefined()
      // This machine: no loader, so auto goes on to the CPU backends without starting Dawn.
      if (process.platform === 'linux' && whyAutoSkipsWebGPU() !== undefined) expect(whyAutoSkipsWebGPU()).toMatch(/^no (Vulkan loader|GPU Vulkan driver)/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('rejects an unknown backend name as misuse', async () => {
    await expect(selectBackend('tpu')).rejects.toMatchObject({ code: 'BENCH_USAGE' })
  })

  // One `bench env` report for the two tests below: each installed backend starts in a probe thread of its own (about a CPU second each).
  let autoReport: ReturnType<typeof collectEnv> | undefined
  const envAuto = () => (autoReport ??= collectEnv('auto'))

  it('bench env lists every backend, the chosen one and the core count', async () => {
    const report = await envAuto()
    expect(report.backends.map((b) => b.name).sort()).toEqual(['cpu', 'tensorflow', 'tensorflow-gpu', 'wasm', 'webgpu'])
    expect(report.cores).toBeGreaterThanOrEqual(1)
    expect(report.chosen).toHaveProperty('name')
  })

  it('bench env starts every installed backend for real before it counts as available', async () => {
    const report = await envAuto()
    for (const b of report.backends) {
      if (!b.installed) expect(b.start, b.name).toBeUndefined()
      // webgpu (a dev dependency) is installed everywhere but starts only where Dawn finds a GPU: elsewhere it is tried, and says why it failed.
      else if (b.name === 'webgpu' && b.start?.state === 'failed') expect(b.start.error).toContain('no WebGPU adapter')
      else expect(b.start, b.name).toMatchObject({ state: 'started', ms: expect.any(Number), tfName: expect.any(String) })
    }
    expect(report.backends.find((b) => b.name === 'wasm')?.start).toMatchObject({ state: 'started', tfName: 'wasm' })
  })

  it('bench env never starts here a backend whose probe did not answer in time (a hanging start could not be abandoned)', async () => {
    // 1 ms: every probe times out, as a GPU adapter that never answers would.
    const named = await collectEnv('wasm', 1)
    expect(named.backends.find((b) => b.name === 'wasm')?.start).toMatchObject({ state: 'timeout' })
    expect(named.chosen).toMatchObject({ error: expect.stringMatching(/^backend 'wasm' did not start within \d+ ms in its probe/) })
    // auto goes on to the backends whose probes answered; here none did.
    const auto = await collectEnv('auto', 1)
    expect(auto.chosen).toMatchObject({
      error: expect.stringMatching(/^no TensorFlow.js backend could start: .*wasm: not tried \(did not start within \d+ ms in its probe\)/),
    })
  })

  it('a probe reports a backend that fails to start, and one that does not answer in time, without throwing', async () => {
    const missing = BACKENDS.find((b) => !isInstalled(b))!
    expect(await probeBackend(missing.name)).toMatchObject({ state: 'failed', error: expect.stringContaining(missing.install) })
    expect(await probeBackend('wasm', 1)).toMatchObject({ state: 'timeout' })
  })
})
