import { execa } from 'execa'
import { fileURLToPath } from 'node:url'
import type { Readable, Writable } from 'node:stream'
import type { RunResult } from '../command/run-command.js'

/** The fork server's Python source, beside this module (copied into dist/ by the build). */
export const forkServerScript = fileURLToPath(new URL('./fork-server.py', import.meta.url))

/** Grace past a candidate's time limit before the host gives up on its server (it kills, reaps and cleans up first). */
const WATCHDOG_MS = 10_000

/** What a fork server says first: the isolation it could set up. */
export interface ForkServerHello {
  pid: number
  /** 'namespace' / 'user-namespace': no network at the OS level; 'socket-patch': only the socket module refuses. */
  network: 'namespace' | 'user-namespace' | 'socket-patch'
  /** The uid candidates run as (only when the server runs as root), else null. */
  uid: number | null
  /** 'dropped …' or 'kept: <why>' (the candidates' uid is the host's). */
  privileges: string
  python: string
}

/** One candidate as sent to a fork server. */
export interface ForkJob {
  /** The candidate's code (prefix and completion): the file it runs from, which it may read. */
  candidate: string
  /** The tests, run after the candidate's code in globals of their own; never in a file (fork-server.py, run_child). */
  test: string
  timeoutMs: number
  memoryMb: number
  outputLimit: number
  fileLimit: number
  maxProcesses: number
  env: Record<string, string>
}

/** A run as the command verifier describes it, plus whether the program ran to its end. */
export interface ForkRunResult extends RunResult {
  /** The program ran to its last line (no sys.exit, os._exit or signal first). */
  completed: boolean
  /** The fork server itself broke (killed, closed pipes, bad message): it is replaced. */
  breach?: string
}

/** How a fork server is started. */
export interface ForkServerOptions {
  python: string
  /** The uid candidates run as, when the host runs as root (else undefined). */
  uid?: number
}

function startServer(python: string, config: string) {
  // -S: the server sets up what `site` gives a program itself, without the .pth files' imports (fork-server.py).
  return execa(python, ['-I', '-S', '-u', forkServerScript, config], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    detached: true,
    buffer: false,
    reject: false,
    cleanup: true,
    extendEnv: false,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1' },
  })
}

/**
 * One warm Python fork server (fork-server.py) and the pipes to it: fd 3 carries requests, fd 4
 * responses, each a 4-byte big-endian length and JSON. It runs detached (its own process group, so a
 * terminal's Ctrl-C reaches only the host), and dies with the host (PR_SET_PDEATHSIG). One
 * candidate at a time. After a breach — the server exited, a message was malformed, or the host
 * gave up on it — it is dead for good: `run` answers with `breach` set and the pool makes another.
 */
export class ForkServer {
  readonly ready: Promise<ForkServerHello>
  #child: ReturnType<typeof startServer>
  #requests: Writable
  #buffer: Buffer<ArrayBufferLike> = Buffer.alloc(0)
  #waiter: ((message: Record<string, unknown> | Error) => void) | undefined
  #dead: string | undefined
  #exited: Promise<void>
  #nextId = 0

  constructor(options: ForkServerOptions) {
    const config = JSON.stringify({ uid: options.uid ?? null })
    this.#child = startServer(options.python, config)
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', () => resolve())
      this.#child.once('error', () => resolve())
    })
    const stdio = this.#child.stdio as unknown as Array<Readable | Writable | null>
    this.#requests = stdio[3] as Writable
    const responses = stdio[4] as Readable
    let stderr = ''
    ;(stdio[2] as Readable).setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 4000) stderr += chunk
    })
    this.#requests.on('error', () => this.#fail('its request pipe broke'))
    responses.on('data', (chunk: Buffer) => this.#receive(chunk))
    this.#child.on('exit', (code, signal) => this.#fail(`the fork server exited (${signal ?? `status ${code}`})${stderr ? `: ${stderr.trim()}` : ''}`))
    this.#child.on('error', (error) => this.#fail(`the fork server could not start: ${error.message}`))
    this.ready = this.#next().then((m) => {
      if (m instanceof Error) throw m
      return m as unknown as ForkServerHello
    })
    this.ready.catch(() => {})
  }

  /** False once the server broke or was closed. */
  get alive(): boolean {
    return this.#dead === undefined
  }

  /** Runs one candidate; resolves (never rejects) with its run, or with `breach` when the server broke. */
  async run(job: ForkJob): Promise<ForkRunResult> {
    const started = performance.now()
    const broken = (why: string): ForkRunResult => ({
      exitCode: undefined,
      signal: undefined,
      timedOut: false,
      stdout: '',
      stderr: '',
      dropped: 0,
      wallMs: performance.now() - started,
      completed: false,
      breach: why,
    })
    try {
      await this.ready
    } catch (error) {
      return broken((error as Error).message)
    }
    if (this.#dead) return broken(this.#dead)
    const id = this.#nextId++
    const body = Buffer.from(JSON.stringify({ id, ...job }))
    const header = Buffer.alloc(4)
    header.writeUInt32BE(body.length)
    this.#requests.write(Buffer.concat([header, body]))
    // The server enforces the time limit itself; a server that does not answer well after it is broken.
    const watchdog = setTimeout(() => this.#fail(`the fork server did not answer within ${job.timeoutMs + WATCHDOG_MS} ms`), job.timeoutMs + WATCHDOG_MS)
    const m = await this.#next()
    clearTimeout(watchdog)
    if (m instanceof Error) return broken(m.message)
    const valid =
      m.id === id && typeof m.stdout === 'string' && typeof m.stderr === 'string' && typeof m.completed === 'boolean' && typeof m.timedOut === 'boolean'
    if (!valid) {
      this.#fail('the fork server answered with a malformed message')
      return broken(this.#dead!)
    }
    return {
      exitCode: typeof m.exitCode === 'number' ? m.exitCode : undefined,
      signal: typeof m.signal === 'string' ? m.signal : undefined,
      timedOut: m.timedOut as boolean,
      stdout: m.stdout as string,
      stderr: m.stderr as string,
      dropped: typeof m.dropped === 'number' ? m.dropped : 0,
      wallMs: typeof m.wallMs === 'number' ? m.wallMs : performance.now() - started,
      completed: m.completed as boolean,
    }
  }

  /**
   * Ends the server: SIGTERM (it kills the running candidate's group, then exits), then SIGKILL
   * to its whole process group if it has not exited within `graceMs`. Resolves once it is gone.
   */
  async close(why = 'the fork server was closed', graceMs = 2000): Promise<void> {
    this.#fail(why)
    const pid = this.#child.pid
    if (pid === undefined) return
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)))
    if ((await Promise.race([this.#exited, late])) === 'late') {
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        // ESRCH: gone meanwhile.
      }
      await this.#exited
    }
    clearTimeout(timer)
  }

  #fail(why: string): void {
    if (this.#dead) return
    this.#dead = why
    const waiter = this.#waiter
    this.#waiter = undefined
    waiter?.(new Error(why))
    const pid = this.#child.pid
    if (pid !== undefined && this.#child.exitCode === null && this.#child.signalCode === null) {
      // A broken server gets no second chance: SIGTERM lets it end its candidate's group first.
      try {
        process.kill(pid, 'SIGTERM')
      } catch {
        // ESRCH
      }
    }
  }

  #next(): Promise<Record<string, unknown> | Error> {
    if (this.#dead) return Promise.resolve(new Error(this.#dead))
    return new Promise((resolve) => {
      this.#waiter = resolve
      this.#drain()
    })
  }

  #receive(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    this.#drain()
  }

  #drain(): void {
    if (!this.#waiter || this.#buffer.length < 4) return
    const length = this.#buffer.readUInt32BE(0)
    if (length > 64 << 20) return this.#fail('the fork server sent an oversized message')
    if (this.#buffer.length < 4 + length) return
    const body = this.#buffer.subarray(4, 4 + length)
    this.#buffer = this.#buffer.subarray(4 + length)
    let message: unknown
    try {
      message = JSON.parse(body.toString('utf8'))
    } catch {
      return this.#fail('the fork server sent a message that is not JSON')
    }
    if (message === null || typeof message !== 'object') return this.#fail('the fork server sent a message that is not an object')
    const waiter = this.#waiter
    this.#waiter = undefined
    waiter(message as Record<string, unknown>)
  }
}
