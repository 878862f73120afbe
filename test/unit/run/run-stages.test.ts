import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openRun } from '../../../core/run/open-run.js'
import { prepareBase } from '../../../core/run/prepare-base.js'
import { runCell } from '../../../core/run/run-cell.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { resolveRunPlugins } from '../../../core/run/run-plugins.js'
import type { RunContext } from '../../../core/run/run-context.js'
import type { JournalRecord } from '../../../core/run/journal-types.js'
import type { ModelInstance } from '../../../core/plugin-api/model.js'
import { tempProject, toyRunSetup } from '../../helpers/toy-run.js'

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

describe('the run pipeline stages, each used alone', () => {
  it('openRun plans and opens a run; prepareBase and runCell then give the same cell as runMatrix', async () => {
    const a = tempProject()
    cleanups.push(a.cleanup)
    const { config, registry } = toyRunSetup(a.dir)
    const plugins = await resolveRunPlugins(config, registry)
    const opened = await openRun({ config, registry, plugins, argv: [], cwd: a.dir, output: { log: () => {} } })
    expect(existsSync(join(opened.runDir, 'run.json'))).toBe(true)
    expect(opened.pending.map((c) => c.cellId)).toEqual(opened.cells.map((c) => c.cellId))
    expect(opened.problems.test).toHaveLength(3)

    const records: JournalRecord[] = []
    const owned: ModelInstance[] = []
    const ctx: RunContext = {
      config,
      plugins,
      runId: opened.runId,
      runDir: opened.runDir,
      journal: { append: (r) => records.push(r) },
      previous: opened.previous,
      problems: opened.problems,
      generation: plugins.task.generation ?? {},
      concurrency: 1,
      emit: () => {},
      log: () => {},
      own: (m) => (owned.push(m), m),
      release: async () => {},
    }
    const base = await prepareBase(ctx, { data: opened.data, splits: opened.splits, verifierData: opened.verifierData })
    const cell = opened.cells[0]!
    const staged = await runCell(ctx, base, cell)
    opened.journal.close()
    expect(records.filter((r) => r.type === 'pool')).toHaveLength(3)
    expect(records.at(-1)).toMatchObject({ type: 'cell', cellId: cell.cellId })

    const b = tempProject()
    cleanups.push(b.cleanup)
    const whole = await runMatrix(toyRunSetup(b.dir))
    const same = whole.results.find((r) => r.cellId === cell.cellId)!
    expect(staged.metrics).toEqual(same.metrics)
    expect(staged.prompts).toEqual(same.prompts)
  })
})
