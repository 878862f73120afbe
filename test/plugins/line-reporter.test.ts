import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { isBenchError } from '../../core/errors.js'
import { builtins } from '../helpers/builtin-factories.js'
import { lineReporter } from '../../plugins/reporters/line/index.js'
import { RUN_DIR, scriptedRun, type TimedEvent } from '../fixtures/tui/run-events.js'

/** Runs events through a line reporter writing to a real PassThrough; returns the lines. */
function replay(events: readonly TimedEvent[], options: Record<string, unknown> = {}): string[] {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8')
  })
  let clock = 0
  const reporter = lineReporter({ stream, now: () => clock, ...options })
  for (const { at, event } of events) {
    clock = at
    void reporter.onEvent!(event)
  }
  return text.split('\n').slice(0, -1)
}

describe('bonbench:line', () => {
  it('is registered as the built-in "line" reporter', () => {
    const plugin = builtins.line!({ stream: new PassThrough() })
    expect(plugin).toMatchObject({ name: 'bonbench:line', kind: 'reporter', options: { intervalMs: 10_000, step: 0.25 } })
  })

  it('prints the plan, cell starts, phases and each finished cell with its headline metrics', () => {
    const lines = replay(scriptedRun().events)
    expect(lines[0]).toBe('run run-ui-1: 4 cells, 1,536 samples to draw, estimated 42s')
    expect(lines[1]).toBe(`run dir: ${RUN_DIR}`)
    expect(lines).toContain('[base] start')
    expect(lines).toContain('[base] sample (64)')
    expect(lines).toContain("[bon-rl N'=4] train (20)")
    expect(lines).toContain('[base] done in 0:02: pass@1 41.2%  pass@4 66.1%  Bo-4 58.3%')
    expect(lines).toContain("[bon-rl N'=4] done in 0:04: pass@1 43.0%  pass@4 75.2%  Bo-4 65.7%")
  })

  it('prints progress at each 25% step with rate, ETA and loss, and nothing in between', () => {
    const lines = replay(scriptedRun().events)
    const bonrl = lines.filter((l) => l.startsWith("[bon-rl N'=4] train ") && l.includes('/20'))
    // 12 of 20 scripted steps arrive mid-run, then 20/20: the 25%, 50% and 100% lines only.
    expect(bonrl).toEqual([
      "[bon-rl N'=4] train 5/20 25% 2.50/s ETA 0:06 loss 1.2",
      "[bon-rl N'=4] train 10/20 50% 3.33/s ETA 0:03 loss 0.5",
      "[bon-rl N'=4] train 20/20 100% 5.13/s loss 0.35",
    ])
    expect(lines).toContain('[base] verify 64/64 100% 640/s acc 0.412')
  })

  it('prints a progress line between steps once the interval has passed', () => {
    const lines = replay(scriptedRun().events, { intervalMs: 500, step: 1 })
    const bonrl = lines.filter((l) => l.startsWith("[bon-rl N'=4] train ") && l.includes('/20'))
    // The phase began over 500 ms before the first step, so 1/20 prints; then steps come 200 ms apart
    // on the scripted clock (a train:step and a progress each), so every third one prints.
    expect(bonrl.map((l) => l.split(' ')[3])).toEqual(['1/20', '4/20', '7/20', '10/20', '20/20'])
  })

  it('prints log lines and errors as they come', () => {
    const lines = replay(scriptedRun().events)
    expect(lines).toContain('info [sft]: sft: training finished, sampling the evaluation pool')
    expect(lines).toContain('warn: verifier cache miss for 3 prompts')
    expect(lines).toContain('[rl] error: model diverged: loss is NaN at step 3')
  })

  it('ends with a summary line and the table: base first, pass@1, pass@N and Bo-N', () => {
    const lines = replay(scriptedRun().events)
    const end = lines.indexOf('run run-ui-1 finished after 0:06: 3 cells finished, 1 failed')
    expect(end).toBeGreaterThan(0)
    expect(lines[end + 2]).toMatch(/^strategy\s+pass@1 │\s+pass@2\s+pass@4 │\s+Bo-2\s+Bo-4$/)
    expect(lines[end + 4]).toMatch(/^base\s+41\.2 │\s+55\.0\s+66\.1 │\s+50\.2\s+58\.3$/)
    expect(lines[end + 6]).toMatch(/^bon-rl N'=4\s+43\.0 │\s+61\.0\s+75\.2 │\s+56\.0\s+65\.7$/)
    expect(lines.join('\n')).not.toContain('--resume')
  })

  it('prints the --resume command after an interrupted run', () => {
    const lines = replay(scriptedRun({ interrupted: true }).events)
    expect(lines).toContain('run run-ui-1 interrupted after 0:05: 1 cell finished')
    expect(lines.at(-1)).toBe(`  bench run --resume ${RUN_DIR}`)
  })

  it('writes no escape codes, so CI logs read as they are', () => {
    const lines = replay(scriptedRun().events)
    // eslint-disable-next-line no-control-regex -- the point is that no ESC character is written
    expect(lines.join('\n')).not.toMatch(/\u001B/)
  })

  it('rejects bad options with BENCH_PLUGIN_OPTIONS naming the plugin', () => {
    const cases: Array<Record<string, unknown>> = [{ step: 0 }, { intervalMs: -1 }, { stream: 'stdout' }, { colour: true }]
    for (const options of cases) {
      let caught: unknown
      try {
        lineReporter(options)
      } catch (error) {
        caught = error
      }
      expect(isBenchError(caught) && caught.code).toBe('BENCH_PLUGIN_OPTIONS')
      expect((caught as Error).message).toContain('bonbench:line')
    }
  })
})
