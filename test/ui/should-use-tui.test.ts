import { describe, expect, it } from 'vitest'
import { shouldUseTui } from '../../cli/tui/should-use-tui.js'

const tty = { isTTY: true }

describe('shouldUseTui', () => {
  it.each([
    ['a TTY, no flag, no CI', { stdout: tty, env: {} }, true],
    ['CI=false counts as no CI', { stdout: tty, env: { CI: 'false' } }, true],
    ['--no-tui', { noTui: true, stdout: tty, env: {} }, false],
    ['CI=true', { stdout: tty, env: { CI: 'true' } }, false],
    ['CI=1 (ink would draw in its CI mode)', { stdout: tty, env: { CI: '1' } }, false],
    ['CONTINUOUS_INTEGRATION=true', { stdout: tty, env: { CONTINUOUS_INTEGRATION: 'true' } }, false],
    ['a pipe', { stdout: { isTTY: false }, env: {} }, false],
    ['a stream without isTTY', { stdout: {}, env: {} }, false],
    ['TERM=dumb', { stdout: tty, env: { TERM: 'dumb' } }, false],
  ])('%s → %s', (_name, input, expected) => {
    expect(shouldUseTui(input)).toBe(expected)
  })
})

describe('createTerminalOutput', () => {
  it('gives plain lines on a non-TTY stream (the TTY case runs in test/e2e/tui-pty.test.ts)', async () => {
    const { PassThrough } = await import('node:stream')
    const { createTerminalOutput } = await import('../../cli/tui/terminal-output.js')
    const { scriptedRun } = await import('../fixtures/tui/run-events.js')
    const pipe = new PassThrough()
    let text = ''
    pipe.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8')
    })
    const line = createTerminalOutput({ stdout: pipe as unknown as NodeJS.WriteStream, env: {} })
    expect(line.kind).toBe('line')
    for (const { event } of scriptedRun().events) line.onEvent(event)
    await line.close()
    expect(text).toContain('[base] start')
  })
})
