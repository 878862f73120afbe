import { describe, expect, it } from 'vitest'
import { klEnabled, resolveConfig } from '../../../core/config/resolve-config.js'
import { validateUserConfig } from '../../../core/config/load-config.js'
import { checkpointSteps } from '../../../core/run/checkpoint-evals.js'

describe('train.evalEvery and eval.kl', () => {
  it('are off by default and leave the resolved config as it was', () => {
    const config = resolveConfig({ cwd: '/', fileConfig: { matrix: { task: 'toy' } } })
    expect('evalEvery' in config.train).toBe(false)
    expect('kl' in config.eval).toBe(false)
    expect(klEnabled(config)).toBe(false)
  })

  it('turn KL on with evalEvery unless eval.kl says otherwise', () => {
    const on = resolveConfig({ cwd: '/', fileConfig: { matrix: { task: 'toy' }, train: { evalEvery: 50 } } })
    expect(on.train.evalEvery).toBe(50)
    expect(klEnabled(on)).toBe(true)
    expect(klEnabled(resolveConfig({ cwd: '/', fileConfig: { matrix: { task: 'toy' }, train: { evalEvery: 50 }, eval: { kl: false } } }))).toBe(false)
    expect(klEnabled(resolveConfig({ cwd: '/', fileConfig: { matrix: { task: 'toy' }, eval: { kl: true } } }))).toBe(true)
  })

  it('reject an evalEvery that is not a positive integer', () => {
    for (const evalEvery of [0, -5, 2.5]) expect(() => validateUserConfig({ train: { evalEvery } }, 'test')).toThrow(/train\.evalEvery/)
  })

  it('evaluates at k, 2k, … strictly below the last step (the final model is the cell itself)', () => {
    expect(checkpointSteps(100, 50)).toEqual([50])
    expect(checkpointSteps(120, 50)).toEqual([50, 100])
    expect(checkpointSteps(3, 1)).toEqual([1, 2])
    expect(checkpointSteps(100, undefined)).toEqual([])
    expect(checkpointSteps(10, 20)).toEqual([])
  })
})
