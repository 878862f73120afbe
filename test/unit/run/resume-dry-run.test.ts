import { afterAll, describe, expect, it } from 'vitest'
import { resumePlan } from '../../../cli/run-refusals.js'
import { estimatePlan } from '../../../core/run/estimate-plan.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import type { PlannedCell } from '../../../core/run/planner.js'
import { tempProject, toyRunSetupWithPlugins } from '../../helpers/toy-run.js'

const project = tempProject('bonbench-resume-dry-run-')
afterAll(() => project.cleanup())

// `bench run --resume <dir> --dry-run` plans what the resume does: the cells its journal has not
// finished, after the same refusal of a changed plugin (the resume's check, core/run/open-run.ts).
describe('resumePlan: what bench run --resume <dir> --dry-run plans', () => {
  const matrix = { strategies: ['rl'], seeds: [1, 2] }

  it('plans only the cells the journal has not finished, and refuses a plugin the resume would refuse', async () => {
    const setup = await toyRunSetupWithPlugins(project.dir, { config: { matrix, plugins: ['toy'] } })
    const controller = new AbortController()
    const stopped = await runMatrix({ ...setup, signal: controller.signal, listeners: [(e) => e.type === 'cell:end' && controller.abort()] })
    expect(stopped.interrupted).toBe(true)

    let left: PlannedCell[] = []
    let all: PlannedCell[] = []
    const plan = await estimatePlan(setup.config, setup.registry, {
      check: (_plugins, data, cells) => {
        all = cells
        left = resumePlan(stopped.runDir, setup.registry, data, cells).pending
      },
    })
    expect(all).toHaveLength(4)
    expect(plan.cells).toHaveLength(4)
    expect(left).toEqual(all.slice(1))

    // The task with other options: the resume refuses (exit 2), so the dry run does too.
    const changed = await toyRunSetupWithPlugins(project.dir, { config: { matrix, plugins: [['toy', { prompts: 40 }]] } })
    await expect(
      estimatePlan(changed.config, changed.registry, { check: (_plugins, data, cells) => void resumePlan(stopped.runDir, changed.registry, data, cells) }),
    ).rejects.toThrow(
      /^cannot resume .*: the rest of it would not run what the run recorded in run.json:\n {2}- task bonbench:toy has other options here \(\{[^\n]*"prompts":40/,
    )
  })
})
