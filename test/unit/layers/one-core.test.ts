import { describe, expect, it } from 'vitest'
import * as bonbench from 'bonbench'
import * as testing from 'bonbench/testing'
import * as core from '../../../core/index.js'
import * as coreTesting from '../../../core/testing/index.js'
import { BenchError } from '../../../core/errors.js'
import { toy } from '../../../plugins/tasks/toy/index.js'

// Built-ins import 'bonbench' and the composition root imports core by path: both must be one
// module instance, or `instanceof BenchError` and module state (the concurrency budget, the
// selected backend) would split in two.
describe("'bonbench' inside the repository", () => {
  it('is the core of the sources, not a second copy (dist/)', () => {
    expect(bonbench).toBe(core)
    expect(testing).toBe(coreTesting)
    expect(bonbench.BenchError).toBe(BenchError)
  })

  it("lets a plugin's BenchError pass instanceof in the core", () => {
    let thrown: unknown
    try {
      toy({ prompts: -1 })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(BenchError)
  })
})
