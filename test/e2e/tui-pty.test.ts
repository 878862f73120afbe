// The live UI in a real pseudo-terminal (tmux): first the scripted replay fixture (fast, needs
// no core), then the real `bench run toy --model tabular`. The raw output stream is recorded,
// so short-lived live frames are checked even when a run is quick.
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RUN_DIR } from '../fixtures/tui/run-events.js'
import { bundleForNode } from '../helpers/bundle-for-node.js'
import { hasTmux, TmuxSession } from './tmux-session.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
// The replay fixture (test/fixtures/tui/replay-run.ts) bundled once for the file by esbuild, which
// tsx compiles it with; packages stay imports, found through a node_modules link, and so does
// 'bonbench' (the dist build, where it resolves from the fixture's sources too). A replay then
// starts as plain Node, not with tsx's loader hooks on each of its modules: about 0.7 s of CPU
// less per replay (1.2 → 0.5 s), the same modules run.
const replayDir = mkdtempSync(path.join(tmpdir(), 'bonbench-replay-'))
const replay = ['node', path.join(replayDir, 'replay-run.mjs'), '--delay', '5']
beforeAll(async () => {
  symlinkSync(path.join(root, 'node_modules'), path.join(replayDir, 'node_modules'), 'dir')
  await bundleForNode(path.join(root, 'test/fixtures/tui/replay-run.ts'), path.join(replayDir, 'replay-run.mjs'), [
    {
      name: 'bonbench-dist',
      setup: (b) => void b.onResolve({ filter: /^bonbench$/ }, () => ({ path: path.join(root, 'dist/core/index.js'), external: true })),
    },
  ])
})
afterAll(() => rmSync(replayDir, { recursive: true, force: true }))
const bench = ['node', path.join(root, 'bin/bench.js')]
// The UI must see an interactive terminal: no CI variables inside the pane.
const unset = ['CI', 'CONTINUOUS_INTEGRATION']
const count = (text: string, needle: string) => text.split(needle).length - 1
// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\u001B\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\u001B[()][0-9A-Za-z]/g, '')

const sessions: TmuxSession[] = []
const temps: string[] = []
afterEach(() => {
  for (const s of sessions.splice(0)) s.close()
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bonbench-pty-'))
  temps.push(dir)
  return dir
}

function start(command: string[], cwd = root, columns = 120): TmuxSession {
  const session = TmuxSession.start({ command, cwd, columns, rows: 40, unset })
  sessions.push(session)
  return session
}

const liveRow = (screen: string) => /▸ bon-rl N'=4 train\s+█+░+\s+60%/.test(screen)

describe('terminal UI in a pseudo-terminal (tmux)', () => {
  it('tmux is installed (.ci/run installs it)', () => {
    expect(hasTmux()).toBe(true)
  })

  it('replay: live rows with phase, progress bar and sparkline; finished rows stay above; summary at the end', async () => {
    const hold = path.join(tempDir(), 'hold')
    const s = start([...replay, '--hold', hold])
    // The screen once the held state is drawn: ink draws throttled frames, so on a busy machine a
    // frame with bon-rl's row at 60% can come before the one with sft's at 50%.
    const live = await s.waitForScreen((screen) => liveRow(screen) && /▸ sft\s+sample\s+█+░+\s+50%/.test(screen), 30_000)
    expect(live).toMatch(/▸ sft\s+sample\s+█+░+\s+50%\s+\S+\/s\s+ETA/)
    expect(live).toMatch(/█▇▆▅▄▄▃▂▂▁▁▁/)
    expect(live).toMatch(/^✓ base\s+pass@1 41\.2%/m)
    expect(live).toContain('1/4 done · 2 running · 1 pending')
    writeFileSync(hold, '')
    expect(await s.waitForExit(30_000)).toBe(0)
    const screen = s.screen()
    expect(screen).toMatch(/^strategy\s+pass@1 │\s+pass@2\s+pass@4 │\s+Bo-2\s+Bo-4$/m)
    expect(screen).toMatch(/^bon-rl N'=4\s+43\.0 │\s+61\.0\s+75\.2 │\s+56\.0\s+65\.7$/m)
    // Static rows are written once and stay; the live rows are gone once the run ends.
    expect(count(screen, '✓ base')).toBe(1)
    expect(screen).toMatch(/^✗ rl\s+error: model diverged/m)
    expect(screen).not.toContain('▸ ')
    expect(screen).not.toContain('--resume')
  })

  it('replay: Ctrl-C reaches the run (not swallowed by the UI), which ends interrupted and shows --resume', async () => {
    const hold = path.join(tempDir(), 'hold')
    const s = start([...replay, '--hold', hold])
    await s.waitForScreen(liveRow, 30_000)
    s.sendKeys('C-c')
    expect(await s.waitForExit(30_000)).toBe(130)
    const screen = s.screen()
    expect(screen).toContain(`bench run --resume ${RUN_DIR}`)
    expect(screen).toMatch(/run run-ui-1 interrupted after/)
    expect(screen).toMatch(/^base\s+41\.2/m)
  })

  it('replay: narrow 60-column terminal truncates instead of wrapping', async () => {
    const hold = path.join(tempDir(), 'hold')
    const s = TmuxSession.start({ command: [...replay, '--hold', hold], cwd: root, columns: 60, rows: 40, unset })
    sessions.push(s)
    const live = await s.waitForScreen((screen) => /▸ bon-rl N'=4 train\s+█+░+\s+60%/.test(screen), 30_000)
    for (const line of live.split('\n')) expect(line.length).toBeLessThanOrEqual(60)
    // One line per live row: the row for bon-rl is followed by its own sparkline line, not a wrapped tail.
    const rows = live.split('\n')
    const i = rows.findIndex((l) => l.startsWith("▸ bon-rl N'=4 train"))
    expect(rows[i + 1]).toMatch(/^ {4}loss [▁-█]+$/)
    writeFileSync(hold, '')
    expect(await s.waitForExit(30_000)).toBe(0)
    expect(s.screen()).toMatch(/Some N hidden|^bon-rl N'=4\s+43\.0/m)
  })

  it('replay with --no-tui in a terminal prints plain lines', async () => {
    const s = start([...replay, '--no-tui'])
    expect(await s.waitForExit(30_000)).toBe(0)
    const screen = s.screen()
    expect(screen).toContain('[base] start')
    expect(screen).toContain("[bon-rl N'=4] done in 0:04: pass@1 43.0%  pass@4 75.2%  Bo-4 65.7%")
    expect(plain(s.raw())).not.toContain('▸ ')
  })

  it('bench run toy --model tabular: the live UI draws cell rows with phases and progress, then the summary table', async () => {
    const cwd = tempDir()
    const s = start([...bench, 'run', 'toy', '--model', 'tabular', '--seeds', '1', '--n', '1,2,4'], cwd)
    const status = await s.waitForExit(240_000)
    const screen = s.screen()
    expect(status, screen).toBe(0)
    const raw = plain(s.raw())
    // Live frames: a running row with a phase and a progress bar.
    expect(raw).toMatch(/▸ \S.*\b(pretrain|prepare|train|sample|verify|metrics)\s+[█░]+\s+\d+%/)
    expect(raw).toMatch(/\d+\/\d+ done · \d+ running/)
    // End: finished rows above, then the summary table with base first.
    expect(screen).toMatch(/^✓ base\b.*pass@1 \d+\.\d%/m)
    expect(screen).toMatch(/^strategy\s+pass@1 │\s+pass@2\s+pass@4 │\s+Bo-2\s+Bo-4$/m)
    expect(screen).toMatch(/^base\s+\d+\.\d │/m)
    // Not the line reporter.
    expect(raw).not.toMatch(/^\[base\] start$/m)
  }, 300_000)

  it('bench run: Ctrl-C while a cell trains ends the run cleanly and the UI prints the --resume command', async () => {
    const cwd = tempDir()
    const s = start([...bench, 'run', 'toy', '--model', 'tabular', '--strategies', 'sft', '--steps', '5000', '--seeds', '1', '--n', '1,2,4'], cwd)
    // Cells may run side by side: sft can be training while base still samples. Ctrl-C once base
    // has finished (on screen) and sft trains, so the finished cell below is one the stop keeps.
    await s.waitForScreen((screen) => /^✓ base\b/m.test(screen) && /^▸ sft\s+train\b/m.test(screen), 240_000)
    s.sendKeys('C-c')
    const status = await s.waitForExit(120_000)
    const screen = s.screen()
    expect(status, screen).toBe(130)
    expect(screen).toMatch(/^run \S+ interrupted after/m)
    expect(screen).toMatch(/bench run --resume \S*\.bench\/runs\/\S+/)
    // The finished base cell is kept (in the journal and on screen).
    expect(screen).toMatch(/^✓ base\b/m)
    // The Ctrl-C notice went through the UI: no later frame drew over it.
    expect(screen).toContain('bench: SIGINT: stopping after the work in flight (Ctrl-C again exits at once)')
    // The --resume command comes last, after the tables and curves, where it is seen.
    expect(screen.split('\n').slice(-2)).toEqual([
      'Interrupted: finished cells are kept in the journal. Resume with:',
      expect.stringMatching(/^ {2}bench run --resume \S*\.bench\/runs\/\S+$/),
    ])
  }, 400_000)

  it('bench run: a plugin in a synchronous loop, Ctrl-C twice: the launcher ends the CLI and shows the cursor the UI hid', async () => {
    const cwd = tempDir()
    writeFileSync(
      path.join(cwd, 'loop.mjs'),
      // It creates `looping` as it enters the loop: the test acts then, not after a guessed wait.
      "import { writeFileSync } from 'node:fs'\n" +
        "export default [{ name: 'acme/busy-loop', kind: 'verifier', meta: { version: '1.0.0' }, score: () => { writeFileSync('looping', ''); for (;;) {} } }]\n",
    )
    writeFileSync(path.join(cwd, 'bench.config.json'), JSON.stringify({ plugins: ['./loop.mjs'] }))
    const args = ['run', 'toy', '--model', 'tabular', '--strategies', 'sft', '--steps', '1', '--pretrain-steps', '1', '--test-prompts', '2']
    // The launcher's grace before it ends a stuck CLI, 300 ms instead of 2 s (BENCH_TEST_STUCK_GRACE_MS):
    // the same path, without the CLI spinning a core for the full grace.
    const s = start(['BENCH_TEST_STUCK_GRACE_MS=300', ...bench, ...args, '--verifier', 'busy-loop', '--no-reports'], cwd)
    // The base cell's sampling calls score(), which never returns.
    await s.waitForScreen((screen) => /^▸ base\s+sample\b/m.test(screen), 240_000)
    for (const started = Date.now(); !existsSync(path.join(cwd, 'looping'));) {
      if (Date.now() - started > 60_000) throw new Error(`the verifier's loop did not start; screen:\n${s.screen()}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    s.sendKeys('C-c')
    await new Promise((resolve) => setTimeout(resolve, 300))
    s.sendKeys('C-c')
    const status = await s.waitForExit(60_000)
    const screen = s.screen()
    expect(status, screen).toBe(130)
    expect(screen).toMatch(/did not stop within 0.3 s of a second SIGINT/)
    expect(screen).toMatch(/bench run --resume \S+/)
    // ink hid the cursor; the last word on it is the launcher's: shown.
    // eslint-disable-next-line no-control-regex
    const cursor = s.raw().match(/\u001B\[\?25[hl]/g) ?? []
    expect(cursor).toContain('\u001B[?25l')
    expect(cursor.at(-1)).toBe('\u001B[?25h')
  }, 300_000)
})
