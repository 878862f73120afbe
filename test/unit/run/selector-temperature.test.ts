import { afterEach, describe, expect, it } from 'vitest'
import type { VerifierPlugin } from '../../../core/plugin-api/verifier.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { tempProject, toyRunSetup } from '../../helpers/toy-run.js'

// A learned selector is prepared on samples of the base policy at T = 1, whatever the run's
// temperatures and their order: it was prepared at temperatures[0], so `-t 1,0.5` and `-t 0.5,1`
// trained two different reward models (Bo-N differed), and `bench eval` of the T = 0.5 cell
// (temperatures narrowed to [0.5]) trained a third.
const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

async function preparedAt(temperatures: number[]): Promise<number[]> {
  const seen: number[] = []
  const selector: VerifierPlugin = {
    name: 'lab/learned',
    kind: 'verifier',
    meta: { version: '1.0.0' },
    prepare: async (ctx) => {
      seen.push(ctx.temperature)
      return {}
    },
    score: async (batch) => batch.map(({ completion }) => ({ score: completion.length, reason: '' })),
  }
  const project = tempProject()
  cleanups.push(project.cleanup)
  const setup = toyRunSetup(project.dir, { plugins: [selector], config: { matrix: { verifier: 'lab/learned', temperatures } } })
  await runMatrix(setup)
  return seen
}

describe('the selector is prepared at T = 1', () => {
  it.each([[[0.5, 1]], [[1, 0.5]], [[0.5]]])('with temperatures %j', async (temperatures) => {
    expect(await preparedAt(temperatures)).toEqual([1])
  })
})
