import { readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { BenchError } from '../errors.js'
import { processAlive } from '../queue/worker-scratch.js'

/** The file a run's folder holds while a process runs it: who (pid, host) and since when. */
export const RUN_LOCK_FILE = 'run.lock'

/** What run.lock says. */
interface LockHolder {
  pid: number
  host: string
  since: string
  /** Which process `pid` was, where the system says (Linux): see startMark. */
  started?: string
}

/**
 * When process `pid` started, as `<boot id>:<start time in clock ticks since boot>` from /proc
 * (Linux), else undefined: with the pid it names one process, so a lock whose pid now belongs to
 * another process (pid numbers are reused, from low numbers again after a reboot) is told from a
 * lock its own process still holds.
 */
export function startMark(pid: number): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The fields after the command name (in parentheses, which may hold spaces and parentheses): state is the first, starttime the 20th.
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
    return boot && start ? `${boot}:${start}` : undefined
  } catch {
    return undefined
  }
}

/** A held run lock; `release()` removes run.lock if this process still holds it. */
export interface RunLock {
  release(): void
}

/** Whether the process that wrote the lock (on this machine) still runs: its pid is alive and, where recorded, is still that process. */
function holderAlive(holder: LockHolder): boolean {
  if (!processAlive(holder.pid)) return false
  if (holder.started === undefined) return true
  const now = startMark(holder.pid)
  return now === undefined || now === holder.started
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>
    return typeof holder.pid === 'number' && typeof holder.host === 'string'
      ? { pid: holder.pid, host: holder.host, since: String(holder.since ?? '?'), ...(typeof holder.started === 'string' ? { started: holder.started } : {}) }
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Takes the run folder for this process: writes run.lock (pid, host, time) unless another live
 * process holds it. Two `bench run --resume` of one run at once both ran every unfinished cell
 * and journaled each record twice; the second now stops before any work (BENCH_USAGE), naming the
 * holder. A lock whose process is gone (a killed run; its pid reused by another process since, where
 * /proc tells: see startMark) on this machine is taken over; one from
 * another machine (a shared folder) is refused with how to clear it, since its process cannot be
 * checked from here. The same process may take its own lock again (a program running a run twice).
 */
export function lockRun(runDir: string): RunLock {
  const path = join(runDir, RUN_LOCK_FILE)
  const started = startMark(process.pid)
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), ...(started ? { started } : {}) }
  const write = (flag: 'wx' | 'w') => writeFileSync(path, `${JSON.stringify(me)}\n`, { flag })
  try {
    write('wx')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    const holder = readHolder(path)
    const mine = holder?.pid === me.pid && holder.host === me.host
    if (holder && !mine && holder.host !== me.host) {
      throw new BenchError(
        'BENCH_USAGE',
        `${runDir} is being run by process ${holder.pid} on ${holder.host} (since ${holder.since}). Wait for it to end; if nothing runs it there any more, delete ${path} and try again.`,
      )
    }
    if (holder && !mine && holderAlive(holder)) {
      throw new BenchError(
        'BENCH_USAGE',
        `${runDir} is being run by process ${holder.pid} on this machine (since ${holder.since}): two processes would run the same cells and journal them twice. Wait for it to end, or stop it (Ctrl-C), then resume; if process ${holder.pid} is no bench run (its number was reused), delete ${path}.`,
      )
    }
    // Ours, or left by a process that is gone (a killed run, a reboot), or unreadable: take it.
    write('w')
  }
  return {
    release() {
      const holder = readHolder(path)
      if (holder?.pid !== me.pid || holder.host !== me.host) return
      try {
        unlinkSync(path)
      } catch {
        // Already gone.
      }
    },
  }
}
