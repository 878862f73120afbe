import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { benchInProcess } from '../../e2e/cli-help.js'
import { tempDir } from '../../e2e/cli-helper.js'
import { writeSyntheticRun } from '../../helpers/synthetic-run.js'

// `bench report --format md --resamples 200` rewrote report.md with new CIs and left results.json
// (and report.html) with the old ones, saying nothing: the run folder's reports no longer agreed.
const tmp = tempDir('bonbench-report-formats-')
afterAll(() => tmp.cleanup())

describe('bench report of some formats with other settings', () => {
  it('warns that results.json keeps its own settings when it is not rebuilt; not when it is', async () => {
    const run = await writeSyntheticRun(path.join(tmp.dir, 'run'), {
      prompts: 8,
      poolSize: 4,
      grid: [1, 2],
      temperatures: [1],
      seeds: [0],
      bootstrap: 10,
      trainSteps: 0,
    })
    const partial = await benchInProcess(['report', run, '--format', 'md', '--resamples', '50'], { cwd: tmp.dir })
    expect(partial.exitCode, partial.stderr).toBe(0)
    expect(partial.stderr).toContain('warning: report.md now uses --resamples while results.json keeps the settings it was built with')
    const whole = await benchInProcess(['report', run, '--format', 'md,json', '--resamples', '50'], { cwd: tmp.dir })
    expect(whole.exitCode, whole.stderr).toBe(0)
    expect(whole.stderr).not.toContain('warning: report.md')
    const same = await benchInProcess(['report', run, '--format', 'html'], { cwd: tmp.dir })
    expect(same.stderr).not.toContain('keeps the settings')
  })
})
