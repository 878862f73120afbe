import { afterAll, describe, expect, it } from 'vitest'
import { readRun } from '../../../core/run/run-record.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { buildResults } from '../../../reports/results-json.js'
import { tempProject, toyRunSetup } from '../../helpers/toy-run.js'

// Co-scaling of N and temperature groups cells by what was trained: with a learning-rate axis, each
// rate is a family of its own (they were one, titled by the first rate, with another rate's values).
const project = tempProject('bonbench-co-scaling-lr-')
afterAll(() => project.cleanup())

describe('results.json co-scaling with a learning-rate axis', () => {
  it('makes one family per learning rate, each with its own cells’ values', async () => {
    const config = { matrix: { strategies: ['rl'], learningRates: [0.5, 4], temperatures: [0.7, 1], seeds: [0], nGrid: [1, 2, 4] }, train: { steps: 2 } }
    const { runDir } = await runMatrix(toyRunSetup(project.dir, { config }))
    const results = buildResults(await readRun(runDir), { bootstrap: 50, now: new Date(0) })
    const trained = results.groups.filter((g) => g.key.strategy === 'rl')
    expect(new Set(trained.map((g) => g.key.learningRate))).toEqual(new Set([0.5, 4]))
    for (const rate of [0.5, 4]) {
      const family = results.coScaling.fits.filter((f) => f.group.includes(`lr=${rate}`))
      // One fit per temperature of that rate, no temperature twice.
      expect(family.map((f) => f.temperature).sort()).toEqual([0.7, 1])
      for (const best of results.coScaling.bestTemperature.filter((b) => b.group.includes(`lr=${rate}`))) {
        const cell = trained.find((g) => g.key.learningRate === rate && g.key.temperature === best.temperature)!
        expect(best.passAtN).toBe(cell.passAtN[cell.grid.indexOf(best.n)]!.value)
      }
    }
  })
})
