import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ModelPlugin } from '../../../core/plugin-api/model.js'
import { resolveConfig } from '../../../core/config/resolve-config.js'
import type { BackendName } from '../../../core/backend/backend-catalog.js'
import { selectBackend } from '../../../core/backend/select-backend.js'
import { baseModelSpec, checkPretraining, isBaseModelCached, prepareBaseModel } from '../../../core/run/base-model.js'
import { tabular } from '../../../plugins/models/tabular/index.js'
import { tinyTransformer, type TinyTransformerOptions } from '../../../plugins/models/tiny-transformer/index.js'
import { toy } from '../../../plugins/tasks/toy/index.js'
import { tempDir } from '../../e2e/cli-helper.js'
import { keepBackend } from '../../helpers/keep-backend.js'

keepBackend()

// The base model's cache key records the backend the model runs on: its own `backend` option
// where it names one, else the run's; Dawn's null device (BENCH_DAWN_FLAGS=backend=null) is not a
// real GPU's webgpu. A run's backend that differs from the model's own option is refused.
const cache = tempDir('bonbench-base-backend-')
afterAll(() => cache.cleanup())

const task = toy({ prompts: 12 })
const data = await task.load({ seed: 5 })
const TINY = { width: 16, layers: 1, context: 32, heads: 2 } as const
const tiny = (options: TinyTransformerOptions = {}) => tinyTransformer({ ...TINY, ...options })
const config = (backend: BackendName) =>
  resolveConfig({
    cwd: cache.dir,
    fileConfig: { matrix: { task: 'toy', model: 'tiny-transformer' }, backend, taskSeed: 5, train: { pretrainSteps: 1, pretrainBatch: 2 } },
  })

describe("the base model's key and the backend the model runs on", () => {
  it("keys by the model's own backend option, not by --backend auto: the same key as --backend with no option, and the model runs on it", async () => {
    // auto's pick here is wasm: a key by 'auto' would say wasm for a model that trains on cpu.
    await selectBackend('wasm')
    const cacheDir = join(cache.dir, 'option')
    const prepare = async (model: ModelPlugin, backend: string) => {
      const base = await prepareBaseModel({ model, task, data, taskSeed: 5, pretrainSteps: 1, pretrainBatch: 2, backend, concurrency: 1, cacheDir })
      const ran = base.model.describe().backend
      await base.model.dispose?.()
      return { key: base.key, cached: base.cached, ran }
    }
    const byOption = await prepare(tiny({ backend: 'cpu' }), 'auto')
    const byFlag = await prepare(tiny(), 'cpu')
    // An option of auto picks nothing itself: --backend cpu decides (it ran on auto's pick, silently).
    const autoOption = await prepare(tiny({ backend: 'auto' }), 'cpu')
    expect(byOption).toEqual({ key: byFlag.key, cached: false, ran: 'cpu' })
    expect(byFlag).toMatchObject({ cached: true, ran: 'cpu' })
    expect(autoOption).toEqual({ key: byFlag.key, cached: true, ran: 'cpu' })
    // And the estimate, which starts nothing, finds that entry under the same key.
    expect(isBaseModelCached(baseModelSpec(config('auto'), tiny({ backend: 'cpu' }), task, data), cacheDir)).toBe(true)
    expect(isBaseModelCached(baseModelSpec(config('cpu'), tiny({ backend: 'auto' }), task, data), cacheDir)).toBe(true)
    expect(isBaseModelCached(baseModelSpec(config('wasm'), tiny(), task, data), cacheDir)).toBe(false)
  })

  it('refuses a run whose backend differs from the one the model option names (BENCH_USAGE naming both), before any work', async () => {
    const model = tiny({ backend: 'cpu' })
    const usage = { code: 'BENCH_USAGE', message: expect.stringMatching(/'wasm'.*'cpu'/) }
    expect(() => baseModelSpec(config('wasm'), model, task, data)).toThrow(expect.objectContaining(usage))
    expect(() => checkPretraining(config('wasm'), model, task, data)).toThrow(expect.objectContaining(usage))
    await expect(
      prepareBaseModel({
        model,
        task,
        data,
        taskSeed: 5,
        pretrainSteps: 1,
        pretrainBatch: 2,
        backend: 'wasm',
        concurrency: 1,
        cacheDir: join(cache.dir, 'refused'),
      }),
    ).rejects.toMatchObject(usage)
    // auto, the same backend, or an option of auto go together with anything.
    expect(baseModelSpec(config('auto'), model, task, data).backend).toBe('cpu')
    expect(baseModelSpec(config('cpu'), model, task, data).backend).toBe('cpu')
    expect(baseModelSpec(config('wasm'), tiny({ backend: 'auto' }), task, data).backend).toBe('wasm')
    expect(() => checkPretraining(config('cpu'), model, task, data)).not.toThrow()
  })

  it("keys a base built on Dawn's null device apart from a real GPU's webgpu: a later webgpu run never loads its garbage", async () => {
    // A model that runs on a backend without starting one (tabular declared as one): the key alone.
    const model = { ...tabular(), usesBackend: true }
    const cacheDir = join(cache.dir, 'null-device')
    const saved = process.env.BENCH_DAWN_FLAGS
    const prepare = async (flags: string | undefined) => {
      if (flags === undefined) delete process.env.BENCH_DAWN_FLAGS
      else process.env.BENCH_DAWN_FLAGS = flags
      try {
        const spec = { model, task, data, taskSeed: 5, pretrainSteps: 2, pretrainBatch: 3, backend: 'webgpu' }
        const wasCached = isBaseModelCached(spec, cacheDir)
        const base = await prepareBaseModel({ ...spec, concurrency: 1, cacheDir })
        return { key: base.key, cached: base.cached, wasCached }
      } finally {
        if (saved === undefined) delete process.env.BENCH_DAWN_FLAGS
        else process.env.BENCH_DAWN_FLAGS = saved
      }
    }
    const nullDevice = await prepare('backend=null')
    const gpu = await prepare(undefined)
    expect(nullDevice.cached).toBe(false)
    expect(gpu).toMatchObject({ cached: false, wasCached: false })
    expect(gpu.key).not.toBe(nullDevice.key)
    // Other Dawn flags on a real GPU (an adapter, Vulkan) keep webgpu's key; the null device its own.
    expect(await prepare('backend=vulkan')).toEqual({ key: gpu.key, cached: true, wasCached: true })
    expect(await prepare('adapter=NVIDIA backend=null')).toEqual({ key: nullDevice.key, cached: true, wasCached: true })
  })
})
