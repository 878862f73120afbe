// Drives a command in a real pseudo-terminal with tmux: a private tmux server per session
// (its own socket in a temporary folder), a fixed window size, the raw output stream recorded
// with pipe-pane (so short-lived frames are never missed), and the screen read with capture-pane.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** How a session starts. */
export interface TmuxStart {
  /** argv of the command; run through `sh -c` with each part quoted. */
  command: string[]
  cwd: string
  columns: number
  rows: number
  /** Variables to unset (e.g. CI, so the command sees an interactive terminal). */
  unset?: string[]
}

/** True when the tmux binary is on PATH. */
export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

/** One command running in its own tmux server. Call `close()` when done. */
export class TmuxSession {
  private constructor(private readonly dir: string) {}

  private get socket(): string {
    return path.join(this.dir, 'sock')
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' })
  }

  /**
   * Starts the command in a detached session of `columns` × `rows`. The command waits for a go
   * file, so output recording (pipe-pane) is attached before its first byte.
   */
  static start(options: TmuxStart): TmuxSession {
    const session = new TmuxSession(mkdtempSync(path.join(tmpdir(), 'bonbench-tmux-')))
    const go = path.join(session.dir, 'go')
    const unset = (options.unset ?? []).map((name) => `-u ${name}`).join(' ')
    const status = path.join(session.dir, 'status')
    // The shell outlives the command: it records the exit status in a file and keeps the
    // terminal open, so tmux reads every byte and no dead-pane handling is relied on.
    // The shell traps SIGINT (a caught signal is reset to the default in the command), so
    // Ctrl-C reaches the command as in a terminal and the shell lives on to record its status.
    const shell = `trap true INT; while [ ! -f ${quote(go)} ]; do sleep 0.02; done; env ${unset} ${options.command.map(quote).join(' ')}; echo $? > ${quote(status)}; exec sleep 3600`
    session.tmux('new-session', '-d', '-s', 'bench', '-x', String(options.columns), '-y', String(options.rows), '-c', options.cwd, `sh -c ${quote(shell)}`)
    session.tmux('pipe-pane', '-t', 'bench', '-o', `cat >> ${quote(path.join(session.dir, 'raw.log'))}`)
    writeFileSync(go, '')
    return session
  }

  /** A file path inside the session's folder (e.g. for a hold file the command waits on). */
  file(name: string): string {
    return path.join(this.dir, name)
  }

  /** The screen and its scrollback as plain text, trailing blanks trimmed. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', 'bench', '-S', '-').replace(/\s+$/, '')
  }

  /** Everything the command wrote to the terminal, escape codes included. */
  raw(): string {
    const file = path.join(this.dir, 'raw.log')
    return existsSync(file) ? readFileSync(file, 'utf8') : ''
  }

  /** Types keys, e.g. 'C-c'. */
  sendKeys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'bench', ...keys)
  }

  /** The exit status once the command has ended (128 + n for a death by signal n), else undefined. */
  exitStatus(): number | undefined {
    const file = path.join(this.dir, 'status')
    if (!existsSync(file)) return undefined
    const text = readFileSync(file, 'utf8').trim()
    return text === '' ? undefined : Number(text)
  }

  /** Polls the screen until `test` accepts it; throws with the last screen on timeout. */
  async waitForScreen(test: (screen: string) => boolean, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs
    let screen = ''
    while (Date.now() < deadline) {
      screen = this.screen()
      if (test(screen)) return screen
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`screen did not show what was expected within ${timeoutMs} ms; last screen:\n${screen}`)
  }

  /** Waits for the command to end; returns its exit status. */
  async waitForExit(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const status = this.exitStatus()
      if (status !== undefined) {
        // tmux reads the terminal asynchronously: wait until the screen stops changing.
        let last = this.screen()
        for (let i = 0; i < 40; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100))
          const now = this.screen()
          if (now === last) break
          last = now
        }
        return status
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`command still running after ${timeoutMs} ms; screen:\n${this.screen()}`)
  }

  /** Stops this session's own tmux server and removes its folder. */
  close(): void {
    try {
      this.tmux('kill-server')
    } catch {
      // Already gone.
    }
    rmSync(this.dir, { recursive: true, force: true })
  }
}
