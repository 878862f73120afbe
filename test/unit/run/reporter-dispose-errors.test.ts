import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import type { RunEvent } from '../../../core/events.js'
import type { ReporterPlugin } from '../../../core/plugin-api/reporter.js'
import type { StrategyPlugin } from '../../../core/plugin-api/strategy.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { executeRun } from '../../../cli/execute-run.js'
import { tempProject, toyRunSetup } from '../../helpers/toy-run.js'

const projects: Array<{ cleanup(): void }> = []
afterAll(() => projects.forEach((p) => p.cleanup()))
afterEach(() => vi.restoreAllMocks())
function project() {
  const p = tempProject('bonbench-reporter-dispose-')
  projects.push(p)
  return p.dir
}

/** A third-party reporter whose dispose() throws (a string when `thrown` is one). */
function badReporter(thrown: unknown = new Error('dispose exploded')): ReporterPlugin {
  return {
    name: 'my-lab/bad-reporter',
    kind: 'reporter',
    meta: { version: '1.0.0' },
    onEvent() {},
    dispose() {
      throw thrown
    },
  }
}

/** A strategy whose weights() breaks its contract: the run stops with BENCH_PLUGIN_CONTRACT. */
const brokenStrategy: StrategyPlugin = {
  name: 'my-lab/broken',
  kind: 'strategy',
  meta: { version: '1.0.0' },
  selection: 'none',
  needs: () => ({ policySamples: 2 }),
  weights: () => ({ sequences: 'nope' }) as never,
}

const errorLogs = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'log' && e.level === 'error' ? [e.message] : []))
const line = "reporter plugin 'my-lab/bad-reporter': dispose() threw: dispose exploded"

describe("a reporter's failed dispose() is reported, not dropped", () => {
  it('runMatrix: in disposeErrors and as an error log event to the listeners (not to the disposed reporter)', async () => {
    const events: RunEvent[] = []
    const reporter = badReporter()
    const seen: RunEvent[] = []
    reporter.onEvent = (e) => void seen.push(e)
    const outcome = await runMatrix({ ...toyRunSetup(project()), reporters: [reporter], listeners: [(e) => events.push(e)] })
    expect(outcome.disposeErrors).toEqual([line])
    expect(errorLogs(events)).toEqual([line])
    expect(errorLogs(seen)).toEqual([])
  })

  it('runMatrix: still reaches the listeners when the run stops with an error', async () => {
    const events: RunEvent[] = []
    const setup = toyRunSetup(project(), { plugins: [brokenStrategy], config: { matrix: { strategies: ['my-lab/broken'] } } })
    await expect(runMatrix({ ...setup, reporters: [badReporter()], listeners: [(e) => events.push(e)] })).rejects.toMatchObject({
      code: 'BENCH_PLUGIN_CONTRACT',
    })
    expect(errorLogs(events)).toEqual([line])
  })

  it('the CLI prints each dispose error once to stderr, after the run', async () => {
    const stderr: string[] = []
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => stderr.push(String(chunk)) > 0)
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const setup = toyRunSetup(project(), { plugins: [badReporter('a string')] })
    const outcome = await executeRun(setup, { tui: false, reports: false })
    vi.restoreAllMocks()
    expect(outcome.disposeErrors).toEqual(["reporter plugin 'my-lab/bad-reporter': dispose() threw: a string"])
    expect(stderr.join('')).toBe("bench: error: reporter plugin 'my-lab/bad-reporter': dispose() threw: a string\n")
  })

  it('the CLI prints it when the run stops with an error too', async () => {
    const stderr: string[] = []
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => stderr.push(String(chunk)) > 0)
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const setup = toyRunSetup(project(), { plugins: [badReporter(), brokenStrategy], config: { matrix: { strategies: ['my-lab/broken'] } } })
    const run = executeRun(setup, { tui: false, reports: false })
    await expect(run).rejects.toThrow()
    vi.restoreAllMocks()
    expect(stderr.join('')).toContain(`bench: error: ${line}\n`)
  })
})
