import { describe, expect, it } from 'vitest'
import { backendSpec } from '../../../core/backend/backend-catalog.js'
import { backendDevice, backendKeyName, NULL_DEVICE, NULL_DEVICE_KEY } from '../../../core/backend/backend-identity.js'
import { checkModelBackend, effectiveBackend, modelBackendConflict, modelBackendOption } from '../../../core/backend/model-backend.js'
import { selectedBackendOf } from '../../../core/backend/select-backend.js'
import { tabular } from '../../../plugins/models/tabular/index.js'
import { tinyTransformer } from '../../../plugins/models/tiny-transformer/index.js'

describe("the backend a model runs on: its own option, else the run's", () => {
  it("takes the model's option where it names one, and the run's backend where it names none or auto", () => {
    expect(effectiveBackend(tinyTransformer({ backend: 'cpu' }), 'auto')).toBe('cpu')
    expect(effectiveBackend(tinyTransformer({ backend: 'cpu' }), 'cpu')).toBe('cpu')
    expect(effectiveBackend(tinyTransformer({ backend: 'auto' }), 'cpu')).toBe('cpu')
    expect(effectiveBackend(tinyTransformer({ backend: 'auto' }), 'auto')).toBe('auto')
    expect(effectiveBackend(tinyTransformer(), 'wasm')).toBe('wasm')
    // A model on no TensorFlow.js backend keeps the run's name.
    expect(modelBackendOption(tabular())).toBeUndefined()
    expect(effectiveBackend(tabular(), 'js')).toBe('js')
  })

  it('refuses two different named backends (BENCH_USAGE), naming both and the fix', () => {
    const model = tinyTransformer({ backend: 'cpu' })
    expect(modelBackendConflict(model, 'wasm')).toMatch(/'wasm'.*bonbench:tiny-transformer.*'cpu'.*--backend cpu/)
    expect(() => checkModelBackend(model, 'wasm')).toThrow(
      expect.objectContaining({ code: 'BENCH_USAGE', message: expect.stringMatching(/^The run's backend is 'wasm'/) }),
    )
    expect(() => effectiveBackend(model, 'webgpu')).toThrow(expect.objectContaining({ code: 'BENCH_USAGE' }))
    expect(modelBackendConflict(model, 'auto')).toBeUndefined()
  })
})

describe('what a selected backend is called where results are kept apart', () => {
  it('names tensorflow-gpu by the catalog, not by tfjs (which calls it tensorflow, as the CPU binding)', () => {
    const gpu = selectedBackendOf(backendSpec('tensorflow-gpu')!, 'tensorflow', {})
    const cpu = selectedBackendOf(backendSpec('tensorflow')!, 'tensorflow', {})
    expect(gpu).toMatchObject({ name: 'tensorflow-gpu', tfName: 'tensorflow', keyName: 'tensorflow-gpu', device: 'GPU (CUDA, libtensorflow)' })
    expect(cpu).toMatchObject({ name: 'tensorflow', keyName: 'tensorflow' })
  })

  it("gives Dawn's null device an identity of its own, and says in its device that its numbers are garbage", () => {
    const nullEnv = { BENCH_DAWN_FLAGS: 'backend=null' }
    expect(backendKeyName('webgpu', nullEnv)).toBe(NULL_DEVICE_KEY)
    expect(backendKeyName('webgpu', { BENCH_DAWN_FLAGS: 'backend=vulkan' })).toBe('webgpu')
    expect(backendKeyName('webgpu', {})).toBe('webgpu')
    expect(backendKeyName('wasm', nullEnv)).toBe('wasm')
    expect(backendDevice(backendSpec('webgpu')!, nullEnv)).toBe(NULL_DEVICE)
    expect(NULL_DEVICE).toMatch(/^null device \(BENCH_DAWN_FLAGS=backend=null\): not a GPU, numbers are garbage$/)
    // Still webgpu by name: a resume pins the name, and `--backend webgpu` is what it was asked as.
    expect(selectedBackendOf(backendSpec('webgpu')!, 'webgpu', nullEnv)).toEqual({
      name: 'webgpu',
      tfName: 'webgpu',
      device: NULL_DEVICE,
      keyName: 'webgpu-null',
    })
    expect(selectedBackendOf(backendSpec('webgpu')!, 'webgpu', {})).toMatchObject({ device: 'GPU (WebGPU through Dawn)', keyName: 'webgpu' })
  })
})
