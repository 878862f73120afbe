import { describe, expect, it } from 'vitest'
import { backendSpec } from '../../core/backend/backend-catalog.js'
import { currentBackend, selectBackend, selectedBackendOf } from '../../core/backend/select-backend.js'
import { backendIdentity, ensureTfBackend } from '../../plugins/verifiers/reward-model/tf-backend.js'
import { keepBackend } from '../helpers/keep-backend.js'

keepBackend()

// The reward model's cache key and facts name the backend as bonbench's catalog does: the CUDA
// binding (tensorflow-gpu) and the CPU one (tensorflow) are both tfjs's `tensorflow`, and a GPU
// run's reward model must never answer for a CPU run's (their last digits differ).
describe('the backend the reward model is keyed and reported by', () => {
  it("is the core's selection by its catalog name: tensorflow-gpu and tensorflow apart, though tfjs calls both tensorflow", () => {
    const gpu = selectedBackendOf(backendSpec('tensorflow-gpu')!, 'tensorflow', {})
    const cpu = selectedBackendOf(backendSpec('tensorflow')!, 'tensorflow', {})
    expect(backendIdentity(gpu, 'tensorflow')).toBe('tensorflow-gpu')
    expect(backendIdentity(cpu, 'tensorflow')).toBe('tensorflow')
    // Dawn's null device is not a real GPU's webgpu.
    expect(backendIdentity(selectedBackendOf(backendSpec('webgpu')!, 'webgpu', { BENCH_DAWN_FLAGS: 'backend=null' }), 'webgpu')).toBe('webgpu-null')
  })

  it("falls back to tfjs's name only where the core selected none, or tfjs was switched away from its selection", () => {
    expect(backendIdentity(undefined, 'tensorflow')).toBe('tensorflow')
    expect(backendIdentity(selectedBackendOf(backendSpec('wasm')!, 'wasm', {}), 'cpu')).toBe('cpu')
  })

  it('ensureTfBackend answers with the selected backend as the catalog names it', async () => {
    const selected = await selectBackend(currentBackend()?.name ?? 'auto')
    expect(await ensureTfBackend()).toBe(selected.keyName)
  })
})
