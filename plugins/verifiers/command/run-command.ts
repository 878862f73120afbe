import { execa } from 'execa'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** How one program is run. */
export interface CommandSpec {
  /** argv; `{file}`, `{dir}` and `{memoryMb}` are replaced. */
  command: string[]
  /** File name extension of the program file (e.g. '.py'). */
  extension: string
  /** 'rlimit': cap the address space with `ulimit -v` through /bin/sh; 'none': the command limits itself (e.g. node's --max-old-space-size={memoryMb}). */
  memory: 'rlimit' | 'none'
}

/** Limits of one run. */
export interface RunLimits {
  timeoutMs: number
  memoryMb: number
  /** Bytes kept per stream; the rest is counted and dropped. */
  outputLimit: number
  env: Record<string, string>
  /** Aborting it kills the run's whole process group at once (verifier dispose, run interrupted). */
  signal?: AbortSignal
}

/** What happened to one run. */
export interface RunResult {
  exitCode: number | undefined
  signal: string | undefined
  timedOut: boolean
  stdout: string
  stderr: string
  /** Bytes dropped past `outputLimit`, both streams. */
  dropped: number
  /** The program could not be started (e.g. ENOENT). */
  spawnError?: string
  wallMs: number
}

function fill(arg: string, file: string, dir: string, memoryMb: number): string {
  return arg.replaceAll('{file}', file).replaceAll('{dir}', dir).replaceAll('{memoryMb}', String(memoryMb))
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Runs `program` once: writes it to a fresh temporary folder, runs the command there detached
 * (its own process group) with stdin closed, a minimal environment (PATH plus `env`; HOME and
 * TMPDIR point at the folder), the memory limit, and a timer that SIGKILLs the whole group.
 * After the run the group is killed again (so no grandchild outlives it) and the folder removed.
 * Output beyond `outputLimit` is read and discarded, so a chatty program neither blocks nor
 * fills the host's memory. Never throws for anything the program does.
 */
export async function runCommand(spec: CommandSpec, program: string, limits: RunLimits): Promise<RunResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bonbench-cmd-'))
  const started = performance.now()
  try {
    const file = path.join(dir, `candidate${spec.extension}`)
    await writeFile(file, program)
    let argv = spec.command.map((arg) => fill(arg, file, dir, limits.memoryMb))
    if (spec.memory === 'rlimit') {
      argv = ['/bin/sh', '-c', 'ulimit -v "$1" || exit 125; shift; exec "$@"', 'sh', String(limits.memoryMb * 1024), ...argv]
    }
    const child = execa(argv[0]!, argv.slice(1), {
      cwd: dir,
      detached: true,
      stdin: 'ignore',
      buffer: false,
      reject: false,
      extendEnv: false,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, TMPDIR: dir, LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', ...limits.env },
      cleanup: true,
    })
    const kept = { stdout: '', stderr: '' }
    let dropped = 0
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]?.setEncoding('utf8')
      child[stream]?.on('data', (chunk: string) => {
        const room = limits.outputLimit - kept[stream].length
        if (room >= chunk.length) kept[stream] += chunk
        else {
          if (room > 0) kept[stream] += chunk.slice(0, room)
          dropped += chunk.length - Math.max(0, room)
        }
      })
    }
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      killGroup(child.pid)
    }, limits.timeoutMs)
    const cancel = () => killGroup(child.pid)
    if (limits.signal?.aborted) cancel()
    limits.signal?.addEventListener('abort', cancel, { once: true })
    // A grandchild (e.g. `sleep &`) can hold the pipes open after the program exits: end the whole
    // group as soon as the program itself exits, so the run ends with it.
    child.on('exit', () => killGroup(child.pid))
    const result = await child
    clearTimeout(timer)
    limits.signal?.removeEventListener('abort', cancel)
    killGroup(child.pid)
    const spawnError = child.pid === undefined ? ((result as { originalMessage?: string }).originalMessage ?? result.message) : undefined
    return {
      exitCode: result.exitCode,
      signal: result.signal,
      timedOut,
      stdout: kept.stdout,
      stderr: kept.stderr,
      dropped,
      spawnError,
      wallMs: performance.now() - started,
    }
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => {})
  }
}
