import { describe, expect, it } from 'vitest'
import { builtins } from '../../../cli/builtins.js'
import { resolveConfig } from '../../../core/config/resolve-config.js'
import { presets } from '../../../core/presets/index.js'

describe("the 'gpu' preset", () => {
  it('runs every built-in strategy, N up to 64, a larger model and more prompts than the default preset', () => {
    const gpu = resolveConfig({ cwd: '/tmp', fileConfig: { matrix: { task: 'math' } }, preset: 'gpu' })
    const everyStrategy = Object.entries(builtins)
      .filter(([, b]) => b.kind === 'strategy')
      .map(([name]) => name)
    expect([...gpu.strategies].sort()).toEqual(everyStrategy.sort())
    expect(Math.max(...gpu.nGrid)).toBe(64)
    expect(gpu.poolSize).toBe(128)
    const plain = resolveConfig({ cwd: '/tmp', fileConfig: { matrix: { task: 'math' } } })
    expect(gpu.eval.testPrompts!).toBeGreaterThan(plain.eval.testPrompts!)
    const model = presets.gpu!.plugins!.find((p) => Array.isArray(p) && p[0] === 'tiny-transformer') as [string, { layers: number; width: number }]
    expect(model[1].layers * model[1].width ** 2).toBeGreaterThan(2 * 128 ** 2 * 4)
    // The task holds as many test prompts as the preset evaluates.
    const task = presets.gpu!.plugins!.find((p) => Array.isArray(p) && p[0] === 'math') as [string, { testSize: number }]
    expect(task[1].testSize).toBe(gpu.eval.testPrompts)
  })
})
