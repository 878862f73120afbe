// NO_COLOR, FORCE_COLOR=0 and TERM=dumb turn the live UI's colour off, as they do the curves'.
import { PassThrough } from 'node:stream'
import { describe, expect, it, vi } from 'vitest'

// Ink's chalk picks its colour level when it is imported: force colour, as a colour terminal
// gives, so the test sees what NO_COLOR must take away. Outside CI, as the mounted UI runs.
vi.hoisted(() => {
  delete process.env.CI
  delete process.env.CONTINUOUS_INTEGRATION
  process.env.FORCE_COLOR = '3'
})

const { createTerminalOutput } = await import('../../cli/tui/terminal-output.js')
const { colorEnabled } = await import('../../cli/tui/color.js')
const { scriptedRun } = await import('../fixtures/tui/run-events.js')

// eslint-disable-next-line no-control-regex
const SGR = /\u001B\[[0-9;]*m/

async function drawn(env: Record<string, string | undefined>): Promise<string> {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 100, rows: 40 })
  let text = ''
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8')
  })
  const output = createTerminalOutput({
    stdout: stream as unknown as NodeJS.WriteStream,
    stderr: stream as unknown as NodeJS.WriteStream,
    env,
    patchConsole: false,
  })
  expect(output.kind).toBe('tui')
  for (const { event } of scriptedRun().events) output.onEvent(event)
  await output.close()
  return text
}

describe('colour of the live UI', () => {
  it('is on in a colour terminal', async () => {
    expect(await drawn({})).toMatch(SGR)
  })

  it.each([{ NO_COLOR: '1' }, { NO_COLOR: 'yes' }, { FORCE_COLOR: '0' }])('is off with %o, the cursor codes kept', async (env) => {
    const text = await drawn(env)
    expect(text).not.toMatch(SGR)
    expect(text).toContain('\u001B[?25l')
    expect(text).toMatch(/✓ base\s+pass@1 41\.2%/)
  })
})

describe('colorEnabled', () => {
  const tty = { isTTY: true }
  it('follows NO_COLOR (any non-empty value), FORCE_COLOR=0, TERM=dumb and the stream being a terminal', () => {
    expect(colorEnabled({ env: {}, stream: tty })).toBe(true)
    expect(colorEnabled({ env: { NO_COLOR: '' }, stream: tty })).toBe(true)
    expect(colorEnabled({ env: { NO_COLOR: '1' }, stream: tty })).toBe(false)
    expect(colorEnabled({ env: { NO_COLOR: '0' }, stream: tty })).toBe(false)
    expect(colorEnabled({ env: { FORCE_COLOR: '0' }, stream: tty })).toBe(false)
    expect(colorEnabled({ env: { TERM: 'dumb' }, stream: tty })).toBe(false)
    expect(colorEnabled({ env: {}, stream: { isTTY: false } })).toBe(false)
  })
})
