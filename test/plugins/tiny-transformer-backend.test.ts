import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../core/backend/select-backend.js'
import { modelBackend, tinyTransformer } from '../../plugins/models/tiny-transformer/index.js'
import { keepBackend } from '../helpers/keep-backend.js'

keepBackend()

const dir = mkdtempSync(join(tmpdir(), 'bonbench-tt-backend-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const TINY = { width: 16, layers: 1, context: 16, heads: 2 } as const
const CORPUS = '0123456789+=. '

// The `backend` option and the run's backend (ctx.backend): the option where it names one, the
// run's otherwise (an option of auto picks nothing itself); two different named ones are refused.
describe('tiny-transformer: the backend it runs on', () => {
  it('takes its option where it names one, else the run’s, and refuses two different named backends naming both', () => {
    expect(modelBackend('cpu', 'auto')).toBe('cpu')
    expect(modelBackend('cpu', undefined)).toBe('cpu')
    expect(modelBackend('cpu', 'cpu')).toBe('cpu')
    expect(modelBackend('auto', 'cpu')).toBe('cpu')
    expect(modelBackend(undefined, 'wasm')).toBe('wasm')
    expect(modelBackend(undefined, undefined)).toBe('auto')
    expect(() => modelBackend('cpu', 'wasm')).toThrow(expect.objectContaining({ code: 'BENCH_USAGE', message: expect.stringMatching(/'wasm'.*'cpu'/) }))
  })

  it('create and load run on the run’s backend under an option of auto, and refuse a run’s backend other than the option', async () => {
    // What `auto` picks here when something already runs: a model that followed its option of auto ran there, silently.
    await selectBackend('wasm')
    const model = await tinyTransformer({ ...TINY, backend: 'auto' }).create({ seed: 1, corpus: CORPUS, concurrency: 1, backend: 'cpu' })
    expect(model.describe().backend).toBe('cpu')
    const saved = join(dir, 'ckpt')
    await model.save!(saved)
    await model.dispose()
    const pinned = tinyTransformer({ ...TINY, backend: 'cpu' })
    await expect(pinned.create({ seed: 1, corpus: CORPUS, concurrency: 1, backend: 'wasm' })).rejects.toMatchObject({ code: 'BENCH_USAGE' })
    await expect(pinned.load(saved, { seed: 1, concurrency: 1, backend: 'wasm' })).rejects.toMatchObject({ code: 'BENCH_USAGE' })
    const loaded = await tinyTransformer({ ...TINY, backend: 'auto' }).load(saved, { seed: 1, concurrency: 1, backend: 'cpu' })
    expect(loaded.describe().backend).toBe('cpu')
    await loaded.dispose()
  })
})
