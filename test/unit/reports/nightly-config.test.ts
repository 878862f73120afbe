import { describe, expect, it } from 'vitest'
import { userConfigSchema } from '../../../core/config/schema.js'
import nightly from '../../../benchmarks/nightly.config.js'

describe('benchmarks/nightly.config.ts', () => {
  it('is a valid config with a fixed matrix: level-1 math on tiny-transformer, two strategies, sixteen seeds', () => {
    const parsed = userConfigSchema.safeParse(nightly)
    expect(parsed.success, parsed.success ? '' : parsed.error.message).toBe(true)
    expect(nightly).toMatchObject({
      matrix: {
        task: 'math',
        model: 'tiny-transformer',
        strategies: ['bon-rl', 'sft'],
        nGrid: [1, 2, 4, 8],
        nTrain: [4],
        seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
      },
      plugins: [['math', { levels: [1], testSize: 400 }], 'json', 'markdown', 'html'],
    })
    // every N of the grid fits the evaluation pool
    expect(Math.max(...nightly.matrix!.nGrid!)).toBeLessThanOrEqual(nightly.matrix!.poolSize!)
  })

  it("pretrains a competent base (the study's 1500 steps at 1e-3) and evaluates every test prompt the task draws", () => {
    expect(nightly.train).toMatchObject({ pretrainSteps: 1500, pretrainLearningRate: 1e-3 })
    const [, mathOptions] = nightly.plugins![0] as [string, { testSize: number }]
    expect(nightly.eval!.testPrompts).toBe(mathOptions.testSize)
  })
})
