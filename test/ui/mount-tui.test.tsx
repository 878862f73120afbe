import { PassThrough } from 'node:stream'
import { describe, expect, it, vi } from 'vitest'

// Ink reads CI variables when it is imported; the mounted UI is only used outside CI, so test it so.
vi.hoisted(() => {
  delete process.env.CI
  delete process.env.CONTINUOUS_INTEGRATION
})

const { mountTui } = await import('../../cli/tui/mount-tui.js')
const { RUN_DIR, scriptedRun } = await import('../fixtures/tui/run-events.js')
const { plain } = await import('./frame-text.js')

/** A terminal-like stream: a real PassThrough that says it is a TTY of a fixed size. */
function terminal(columns: number) {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns, rows: 40 })
  let text = ''
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8')
  })
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text }
}

/** A stdin that records whether anything asked for raw mode (which would swallow Ctrl-C). */
function stdinProbe() {
  const stream = Object.assign(new PassThrough(), { isTTY: true, rawModeCalls: [] as boolean[] })
  Object.assign(stream, {
    setRawMode: (on: boolean) => {
      stream.rawModeCalls.push(on)
      return stream
    },
  })
  return stream
}

const count = (text: string, needle: string) => text.split(needle).length - 1

describe('mountTui', () => {
  it('writes finished cells once (ink <Static>) while the live rows redraw, then unmounts after run:end', async () => {
    const out = terminal(120)
    let clock = 0
    const tui = mountTui({ stdout: out.stream, stdin: stdinProbe() as unknown as NodeJS.ReadStream, now: () => clock, coalesceMs: 0, patchConsole: false })
    const { events } = scriptedRun()
    for (const [i, { at, event }] of events.entries()) {
      clock = at
      tui.onEvent(event)
      // Now and then let ink's 30 fps throttle release a frame, as a real run's pace does.
      if (i % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 40))
    }
    await tui.waitUntilExit()
    const text = plain(out.text())
    expect(count(text, '✓ base')).toBe(1)
    expect(count(text, "✓ bon-rl N'=4")).toBe(1)
    expect(count(text, '✗ rl')).toBe(1)
    expect(count(text, "▸ bon-rl N'=4 train")).toBeGreaterThan(1)
    expect(text).toMatch(/bon-rl N'=4\s+43\.0 │\s+61\.0\s+75\.2 │\s+56\.0\s+65\.7/)
    expect(text).not.toContain('--resume')
  })

  it('never asks for raw mode and leaves SIGINT to the core; prints --resume after an interrupted run:end', async () => {
    const out = terminal(80)
    const stdin = stdinProbe()
    const tui = mountTui({ stdout: out.stream, stdin: stdin as unknown as NodeJS.ReadStream, coalesceMs: 0, patchConsole: false })
    const { events, mid } = scriptedRun({ interrupted: true })
    for (const { event } of events.slice(0, mid + 1)) tui.onEvent(event)
    // The core's handler: with it installed, ink's exit hook must neither unmount nor kill.
    const seen: string[] = []
    const coreHandler = () => {
      seen.push('SIGINT')
    }
    process.on('SIGINT', coreHandler)
    try {
      let exited = false
      void tui.waitUntilExit().then(() => {
        exited = true
      })
      process.emit('SIGINT', 'SIGINT')
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(seen).toEqual(['SIGINT'])
      expect(exited).toBe(false)
      for (const { event } of events.slice(mid + 1)) tui.onEvent(event)
      await tui.waitUntilExit()
    } finally {
      process.off('SIGINT', coreHandler)
    }
    expect(stdin.rawModeCalls).toEqual([])
    const text = plain(out.text())
    expect(text).toContain(`bench run --resume ${RUN_DIR}`)
    expect(text).toMatch(/run run-ui-1 interrupted after 0:0\d/)
  })

  it('still prints the summary and --resume line when the UI was unmounted before run:end', async () => {
    const out = terminal(80)
    const tui = mountTui({ stdout: out.stream, stdin: stdinProbe() as unknown as NodeJS.ReadStream, coalesceMs: 0, patchConsole: false })
    const { events } = scriptedRun({ interrupted: true })
    tui.onEvent(events[0]!.event)
    tui.unmount()
    await tui.waitUntilExit()
    tui.onEvent(events.at(-1)!.event)
    const text = plain(out.text())
    expect(text).toMatch(/base\s+41\.2/)
    expect(text).toContain(`bench run --resume ${RUN_DIR}`)
  })
})
