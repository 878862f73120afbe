import { execa } from 'execa'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { constants as osConstants, tmpdir } from 'node:os'
import path from 'node:path'

/** How one program is run. */
export interface CommandSpec {
  /** argv; `{file}`, `{dir}` and `{memoryMb}` are replaced. */
  command: string[]
  /** File name extension of the program file (e.g. '.py'). */
  extension: string
  /** 'rlimit': cap the address space with `ulimit -v` in the /bin/sh wrapper; 'none': the command limits itself (e.g. node's --max-old-space-size={memoryMb}). */
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
  /** The program's exit status (undefined when a signal ended it). */
  exitCode: number | undefined
  /** The signal that ended the program, e.g. 'SIGKILL'. */
  signal: string | undefined
  /**
   * The program's parent (the wrapper shell that runs it) was itself ended by this signal, not by
   * the timer or an abort: the program (or a process it started) killed its parent. `exitCode` and
   * `signal` then say nothing about the program, which the group kill ended.
   */
  runnerKilled?: string
  timedOut: boolean
  stdout: string
  stderr: string
  /** Bytes dropped past `outputLimit`, both streams. */
  dropped: number
  /** The wrapper shell could not be started (e.g. ENOENT for /bin/sh); a missing program is exit 127 with the shell's "not found" on stderr. */
  spawnError?: string
  wallMs: number
}

function fill(arg: string, file: string, dir: string, memoryMb: number): string {
  return arg.replaceAll('{file}', file).replaceAll('{dir}', dir).replaceAll('{memoryMb}', String(memoryMb))
}

/**
 * The wrapper every program runs under: `sh -c WRAPPER sh <address-space KiB | none> argv…`. The
 * program is a child of this shell, never of the bench process, so a program that kills its
 * parent (`os.kill(os.getppid(), SIGKILL)`) kills only the shell; runCommand sees the shell die by
 * a signal and reports `runnerKilled`. One extra small process per run: the subshell `( exec … )`
 * becomes the program (no process of its own). The shell's own stderr goes to /dev/null so its
 * job messages ("Killed", "Segmentation fault") do not join the program's; the program gets the
 * real stderr (kept on fd 3 meanwhile, closed for the program). The shell exits with `$?`, which
 * is the program's exit status, or 128 + the signal number when a signal ended it (runCommand maps
 * that back to the signal's name). 125: the memory limit could not be set.
 */
const WRAPPER = '[ "$1" = none ] || ulimit -v "$1" || exit 125; shift; exec 3>&2 2>/dev/null; ( exec "$@" ) 2>&3 3>&-; exit $?'

/** Signal number → name, the first of aliases (SIGABRT before SIGIOT, SIGIO before SIGPOLL), as Node names a child's signal. */
const signalNames = new Map<number, string>()
for (const [signalName, number] of Object.entries(osConstants.signals)) if (!signalNames.has(number)) signalNames.set(number, signalName)

/**
 * The program's exit as `$?` of the wrapper shell reports it: 128 + n for a death by signal n. A
 * status above 128 that a program chose itself (`sys.exit(137)`) reads as that signal, as in any
 * shell: `$?` cannot tell the two apart. Both fail; only the reason may differ ('memory' for an
 * unexplained SIGKILL/SIGSEGV/SIGABRT/SIGBUS instead of 'runtime').
 */
function programExit(status: number): { exitCode: number | undefined; signal: string | undefined } {
  const signal = status > 128 ? signalNames.get(status - 128) : undefined
  return signal ? { exitCode: undefined, signal } : { exitCode: status, signal: undefined }
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
 * Runs `program` once: writes it to a fresh temporary folder, runs the command there under the
 * WRAPPER shell (its parent, so the program cannot kill the bench process by killing its parent),
 * detached (its own process group) with stdin closed, a minimal environment (PATH plus `env`; HOME
 * and TMPDIR point at the folder), the memory limit, and a timer that SIGKILLs the whole group.
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
    const argv = spec.command.map((arg) => fill(arg, file, dir, limits.memoryMb))
    const addressSpace = spec.memory === 'rlimit' ? String(limits.memoryMb * 1024) : 'none'
    const child = execa('/bin/sh', ['-c', WRAPPER, 'sh', addressSpace, ...argv], {
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
    // The shell exits by itself unless killed: by the timer or an abort (the group kill), or else
    // by the program (or something it started) killing its parent.
    const runnerKilled = result.signal !== undefined && !timedOut && !limits.signal?.aborted ? result.signal : undefined
    const exit = result.exitCode !== undefined ? programExit(result.exitCode) : { exitCode: undefined, signal: result.signal }
    return {
      ...exit,
      ...(runnerKilled ? { runnerKilled } : {}),
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
