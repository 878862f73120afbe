import { describe, expect, it } from 'vitest'
import { userConfigSchema } from '../../../core/config/schema.js'
import nightly from '../../../benchmarks/nightly.config.js'

describe('benchmarks/nightly.config.ts', () => {
  it('is a valid config with a fixed, small matrix: math on tiny-transformer, two strategies, two seeds', () => {
    const parsed = userConfigSchema.safeParse(nightly)
    expect(parsed.success, parsed.success ? '' : parsed.error.message).toBe(true)
    expect(nightly).toMatchObject({
      matrix: { task: 'math', model: 'tiny-transformer', strategies: ['bon-rl', 'sft'], nGrid: [1, 2, 4, 8], seeds: [0, 1] },
      plugins: ['json', 'markdown', 'html'],
    })
    // every N of the grid fits the evaluation pool
    expect(Math.max(...nightly.matrix!.nGrid!)).toBeLessThanOrEqual(nightly.matrix!.poolSize!)
  })
})
