import { render } from 'ink-testing-library'
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup } from 'ink-testing-library'
import { App } from '../../cli/tui/App.js'
import { initialRunView, reduceRunView, tickRunView } from '../../cli/tui/run-state.js'
import { RUN_DIR, scriptedRun } from '../fixtures/tui/run-events.js'
import { lines, plain, viewAfter } from './frame-text.js'

afterEach(() => cleanup())

describe.each([80, 120])('App at %i columns', (columns) => {
  it('shows one row per live cell with its phase, progress bar, rate, ETA and loss mid-run', () => {
    const { events, mid } = scriptedRun()
    const { lastFrame } = render(<App view={viewAfter(events, mid)} columns={columns} rows={40} />)
    const frame = lines(lastFrame())
    const sft = frame.find((l) => l.startsWith('▸ sft'))!
    const bonrl = frame.find((l) => l.startsWith("▸ bon-rl N'=4"))!
    expect(sft).toMatch(/sample\s+█+░+\s+50%/)
    expect(bonrl).toMatch(/train\s+█+░+\s+60%/)
    // Rates run from the phase start on the scripted clock: 12 of 20 steps in 3.4 s, 32 of 64 samples in 2.6 s.
    expect(bonrl).toMatch(/3\.53\/s\s+ETA 0:02\s+loss 0\.4/)
    // sft's last progress came before bon-rl's: its 2.6 s estimate is already counted down to the view's clock.
    expect(sft).toMatch(/12\.3\/s\s+ETA 0:02/)
    expect(frame.find((l) => l.startsWith('· rl'))).toContain('pending')
    expect(frame).toContain('1/4 done · 2 running · 1 pending · 0:05')
    for (const l of frame) expect(l.length).toBeLessThanOrEqual(columns)
  })

  it('keeps its own clock: between events the elapsed time grows and the ETAs count down', () => {
    const { events, mid } = scriptedRun()
    const view = viewAfter(events, mid)
    const { lastFrame } = render(<App view={tickRunView(view, view.lastEventAt + 1000)} columns={columns} rows={40} />)
    const frame = lines(lastFrame())
    // One second after the last event (bon-rl's): its rate is unchanged, its 2.3 s ETA is 1 s shorter, the header 0:05 → 0:06.
    expect(frame.find((l) => l.startsWith("▸ bon-rl N'=4"))).toMatch(/3\.53\/s\s+ETA 0:01\s+loss 0\.4/)
    expect(frame).toContain('1/4 done · 2 running · 1 pending · 0:06')
    expect(tickRunView(initialRunView(), 5000)).toEqual(initialRunView())
  })

  it('draws a training-loss sparkline that falls with the loss', () => {
    const { events, mid } = scriptedRun()
    const { lastFrame } = render(<App view={viewAfter(events, mid)} columns={columns} rows={40} />)
    const frame = plain(lastFrame())
    // The scripted bon-rl losses fall from 2.0 to 0.4: highest bar first, lowest last.
    expect(frame).toContain('█▇▆▅▄▄▃▂▂▁▁▁')
    if (columns >= 110) expect(frame.split('\n').find((l) => l.startsWith('▸ bon-rl'))).toContain('█▇▆▅▄▄▃▂▂▁▁▁')
    else expect(frame).toContain('    loss █▇▆▅▄▄▃▂▂▁▁▁')
  })

  it('keeps finished cells above the live region with their headline metrics', () => {
    const { events, mid } = scriptedRun()
    const { lastFrame } = render(<App view={viewAfter(events, mid)} columns={columns} rows={40} />)
    const frame = lines(lastFrame())
    expect(frame[0]).toContain('run run-ui-1: 4 cells, 1,536 samples to draw, estimated 42s')
    expect(frame[1]).toMatch(/^✓ base\s+pass@1 41\.2% {2}pass@4 66\.1% {2}Bo-4 58\.3%/)
    expect(frame.findIndex((l) => l.startsWith('✓ base'))).toBeLessThan(frame.findIndex((l) => l.startsWith('▸ sft')))
  })

  it('shows the log tail', () => {
    const { events, mid } = scriptedRun()
    const { lastFrame } = render(<App view={viewAfter(events, mid)} columns={columns} rows={40} />)
    const frame = lines(lastFrame())
    expect(frame).toContain('warn: verifier cache miss for 3 prompts')
    expect(frame.some((l) => l.startsWith('info [sft]: sft: training finished'))).toBe(true)
  })

  it('ends with the summary table: base first, then strategies, pass@1, pass@N and Bo-N', () => {
    const { events } = scriptedRun()
    const { lastFrame } = render(<App view={viewAfter(events)} columns={columns} rows={40} />)
    const frame = lines(lastFrame())
    const header = frame.findIndex((l) => l.startsWith('strategy'))
    expect(frame[header]).toMatch(/pass@1 │\s+pass@2\s+pass@4 │\s+Bo-2\s+Bo-4/)
    expect(frame[header + 2]).toMatch(/^base\s+41\.2 │\s+55\.0\s+66\.1 │\s+50\.2\s+58\.3$/)
    expect(frame[header + 3]).toMatch(/^sft\s+45\.0/)
    expect(frame[header + 4]).toMatch(/^bon-rl N'=4\s+43\.0 │\s+61\.0\s+75\.2 │\s+56\.0\s+65\.7$/)
    expect(frame.some((l) => /^✗ rl\s+error: model diverged/.test(l))).toBe(true)
    expect(frame.some((l) => l.startsWith('▸ '))).toBe(false)
    expect(plain(lastFrame())).not.toContain('--resume')
  })

  it('prints the --resume command after an interrupted run', () => {
    const { events } = scriptedRun({ interrupted: true })
    const { lastFrame } = render(<App view={viewAfter(events)} columns={columns} rows={40} />)
    const frame = lines(lastFrame())
    expect(frame).toContain(`  bench run --resume ${RUN_DIR}`)
    expect(frame.some((l) => l.startsWith('run run-ui-1 interrupted after'))).toBe(true)
    expect(frame.some((l) => /^base\s+41\.2/.test(l))).toBe(true)
  })
})

describe('App on small screens', () => {
  it('truncates every line to a 40-column terminal', () => {
    const { events, mid } = scriptedRun()
    for (const upto of [mid, events.length - 1]) {
      const { lastFrame } = render(<App view={viewAfter(events, upto)} columns={40} rows={40} />)
      const frame = lines(lastFrame())
      expect(frame.length).toBeGreaterThan(5)
      for (const l of frame) expect(l.length).toBeLessThanOrEqual(40)
    }
  })

  it('caps the live rows to the terminal height and says how many are hidden', () => {
    const cells = Array.from({ length: 30 }, (_, i) => ({
      cellId: `c${i}`,
      key: { task: 'toy', model: 'tabular', strategy: 'sft', nTrain: 1, temperature: 1, seed: i },
    }))
    const view = reduceRunView(
      initialRunView(),
      {
        type: 'run:start',
        runId: 'big',
        runDir: '/tmp/big',
        resumed: false,
        plan: { cells, samplesToDraw: 10, estimatedSeconds: 1 },
      },
      0,
    )
    const { lastFrame } = render(<App view={view} columns={80} rows={15} />)
    const frame = lines(lastFrame())
    expect(frame.filter((l) => l.startsWith('· sft s')).length).toBeLessThan(15)
    expect(frame.some((l) => /… \d+ more cells/.test(l))).toBe(true)
  })
})
