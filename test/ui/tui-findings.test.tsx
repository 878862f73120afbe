// The live UI on a (small) emulated terminal, after the terminal review: a Ctrl-C notice is not
// drawn over, warnings outlive the log tail, and the live region stays below the screen's height.
import { PassThrough } from 'node:stream'
import { render, cleanup } from 'ink-testing-library'
import { afterEach, describe, expect, it, vi } from 'vitest'

// Ink reads CI variables when it is imported; the mounted UI is only used outside CI, so test it so.
vi.hoisted(() => {
  delete process.env.CI
  delete process.env.CONTINUOUS_INTEGRATION
})

const { mountTui } = await import('../../cli/tui/mount-tui.js')
const { App } = await import('../../cli/tui/App.js')
const { scriptedRun } = await import('../fixtures/tui/run-events.js')
const { lines, viewAfter } = await import('./frame-text.js')
const { Screen } = await import('./screen.js')

afterEach(() => cleanup())

/** One emulated terminal that stdout and stderr both write to, as in a shell. */
function terminal(columns: number, rows: number) {
  const screen = new Screen(columns)
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns, rows })
  stream.on('data', (chunk: Buffer) => screen.write(chunk.toString('utf8')))
  return { stream: stream as unknown as NodeJS.WriteStream, screen }
}

const frame = () => new Promise((resolve) => setTimeout(resolve, 60))
const NOTICE = 'bench: SIGINT: stopping after the work in flight (Ctrl-C again exits at once)'

/** Mounts the UI on `term`, plays the scripted run to its middle and lets a frame out. */
async function midRun(term: ReturnType<typeof terminal>) {
  const tui = mountTui({ stdout: term.stream, stderr: term.stream, coalesceMs: 0, tickMs: 0, patchConsole: false })
  const run = scriptedRun()
  for (const { event } of run.events.slice(0, run.mid + 1)) tui.onEvent(event)
  await frame()
  return { tui, rest: run.events.slice(run.mid + 1) }
}

/** Plays the rest of the run one frame at a time, so every live frame reaches the screen. */
async function finish(tui: ReturnType<typeof mountTui>, rest: ReturnType<typeof scriptedRun>['events']) {
  for (const { event } of rest) {
    tui.onEvent(event)
    await frame()
  }
  await tui.waitUntilExit()
}

describe('the Ctrl-C notice while the UI draws', () => {
  it('written straight to the terminal (what bench run did), the next frame draws over it', async () => {
    const term = terminal(100, 40)
    const { tui, rest } = await midRun(term)
    term.stream.write(`\n${NOTICE}\n`)
    expect(term.screen.text()).toContain(NOTICE)
    await finish(tui, rest)
    expect(term.screen.text()).not.toContain(NOTICE)
  })

  it('through notice(), it is shown at once above the live rows and stays there', async () => {
    const term = terminal(100, 40)
    const { tui, rest } = await midRun(term)
    tui.notice(NOTICE)
    const now = term.screen.text().split('\n')
    expect(now.indexOf(NOTICE)).toBeGreaterThan(-1)
    expect(now.indexOf(NOTICE)).toBeLessThan(now.findIndex((l) => l.startsWith('▸ sft')))
    await finish(tui, rest)
    const end = term.screen.text()
    expect(end.split(NOTICE).length - 1).toBe(1)
    expect(end).toMatch(/^bon-rl N'=4\s+43\.0/m)
  })
})

describe('warnings of a run shown in the UI', () => {
  it('are printed again once the UI is gone: the live log tail goes with it', async () => {
    const term = terminal(100, 40)
    const { tui, rest } = await midRun(term)
    expect(term.screen.text()).toContain('warn: verifier cache miss for 3 prompts')
    await finish(tui, rest)
    const end = term.screen.text().split('\n')
    expect(end.filter((l) => l === 'warn: verifier cache miss for 3 prompts')).toHaveLength(1)
    // After the end frame's summary table.
    expect(end.indexOf('warn: verifier cache miss for 3 prompts')).toBeGreaterThan(end.findIndex((l) => l.startsWith("bon-rl N'=4")))
  })
})

describe('the live region on a short terminal', () => {
  it('at 6 rows takes at most 5 lines and keeps every running row (log tail and sparkline give way)', () => {
    const { events, mid } = scriptedRun()
    const view = viewAfter(events, mid)
    // The static lines are written once above; the live region is what ink redraws.
    const { lastFrame } = render(<App view={{ ...view, staticEntries: [] }} columns={60} rows={6} />)
    const live = lines(lastFrame())
    expect(live.length, live.join('\n')).toBeLessThanOrEqual(5)
    expect(live.some((l) => l.startsWith('▸ sft'))).toBe(true)
    expect(live.some((l) => l.startsWith("▸ bon-rl N'=4"))).toBe(true)
    expect(live.some((l) => /… 1 more cells/.test(l))).toBe(true)
  })
})
