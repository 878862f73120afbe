import * as tf from '@tensorflow/tfjs'
import { afterAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../core/backend/select-backend.js'
import { createRng } from '../../core/rng.js'
import { ADD_N_MAX_INPUTS, chunkedAddN, globalNorm } from '../../plugins/models/tiny-transformer/global-norm.js'
import { keepBackend } from '../helpers/keep-backend.js'

keepBackend()

// WebGPU binds each addN input and its output as storage buffers (8 per shader stage by default):
// the grad norm over a model's 31+ gradients must go through addN calls of at most 7 inputs, and
// on cpu/wasm that must give exactly the number one addN over all of them gives.
describe.each(['wasm', 'cpu'] as const)('chunkedAddN on %s', (backend) => {
  afterAll(() => tf.disposeVariables())

  const scalars = (n: number, seed: number) => {
    const rng = createRng(seed)
    // Mixed magnitudes, so a changed summation order would show in the last bits.
    return Array.from({ length: n }, () => tf.scalar((rng.next() - 0.3) * 10 ** Math.floor(rng.next() * 8 - 3)))
  }

  it.each([1, 2, 7, 8, 9, 13, 31, 79, 151])('sums %i tensors bit-identically to one tf.addN, in calls of ≤ 7 inputs', async (n) => {
    await selectBackend(backend)
    const xs = scalars(n, n)
    const whole = n === 1 ? xs[0]! : tf.addN(xs)
    const profile = await tf.profile(() => chunkedAddN(xs))
    const calls = profile.kernels.filter((k) => k.name === 'AddN')
    for (const k of calls) expect(k.inputShapes.length).toBeLessThanOrEqual(ADD_N_MAX_INPUTS)
    expect(calls.length).toBe(n <= 1 ? 0 : n <= ADD_N_MAX_INPUTS ? 1 : 1 + Math.ceil((n - ADD_N_MAX_INPUTS) / (ADD_N_MAX_INPUTS - 1)))
    const chunked = chunkedAddN(xs)
    expect(Array.from(await chunked.data())).toEqual(Array.from(await whole.data()))
    for (const t of [...xs, whole, chunked]) t.dispose()
  })

  it('sums tensors of any shape elementwise, and any chunk size ≥ 2 gives the same bits', async () => {
    await selectBackend(backend)
    const rng = createRng(7)
    const xs = Array.from({ length: 20 }, () =>
      tf.tensor2d(
        Array.from({ length: 6 }, () => rng.next() * 3 - 1),
        [2, 3],
      ),
    )
    const whole = Array.from(await tf.addN(xs).data())
    for (const max of [2, 3, 7, 8, 16]) expect(Array.from(await chunkedAddN(xs, max).data())).toEqual(whole)
    expect(() => chunkedAddN([])).toThrow(/at least one/)
    expect(() => chunkedAddN(xs, 1)).toThrow(/maxInputs/)
  })

  it.each([31, 40])('globalNorm over %i gradients goes through addN calls of ≤ 7 inputs and equals √Σ‖g‖² of one unchunked addN, bit for bit', async (n) => {
    await selectBackend(backend)
    const rng = createRng(n)
    // Vectors and matrices of mixed sizes, as a model's gradients are.
    const grads = Array.from({ length: n }, (_, i) =>
      i % 3 === 0
        ? tf.tensor2d(
            Array.from({ length: 12 * (1 + (i % 4)) }, () => (rng.next() - 0.5) * 10 ** (i % 3)),
            [12, 1 + (i % 4)],
          )
        : tf.tensor1d(Array.from({ length: 1 + (i % 5) * 3 }, () => rng.next() - 0.5)),
    )
    const reference = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.mul(g, g)))))
    const profile = await tf.profile(() => globalNorm(grads))
    const addN = profile.kernels.filter((k) => k.name === 'AddN')
    expect(addN.length).toBe(1 + Math.ceil((n - ADD_N_MAX_INPUTS) / (ADD_N_MAX_INPUTS - 1)))
    for (const k of addN) expect(k.inputShapes.length).toBeLessThanOrEqual(ADD_N_MAX_INPUTS)
    expect((await globalNorm(grads).data())[0]).toBe((await reference.data())[0])
  })
})
