import { readFileSync } from 'node:fs'
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * A queue worker's scratch folder (its runs' plans; checkpoints when the run directory is not
 * shared): `<root>/<host>_<pid>[_<labels>_]`, the worker's name with every character outside
 * `[a-zA-Z0-9._-]` made `_`. A worker removes its own when it stops; one that was SIGKILLed or
 * crashed cannot, so each worker that starts removes those of this host's dead workers.
 */
export function workerScratchDir(root: string, name: string): string {
  return join(root, safeName(name))
}

function safeName(name: string): string {
  return name.replace(/[^a-zA-Z0-9._-]/g, '_')
}

/**
 * Whether a process with this pid runs (EPERM: it does, under another user). A zombie — it has
 * exited and waits for its parent to reap it, which a container's first process may never do — is
 * gone, though `kill(pid, 0)` still finds it: on Linux its /proc state says so (Z or X).
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  return !exited(pid)
}

function exited(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))
  } catch {
    return false
  }
}

/**
 * Removes the scratch folders under `root` left by workers of `host` whose process is gone;
 * folders of live processes (this one included), of other hosts (a shared temporary folder) and
 * names that are not a worker's are left alone. Returns the folders removed; never throws.
 */
export async function removeDeadWorkerScratch(root: string, host: string, alive: (pid: number) => boolean = processAlive): Promise<string[]> {
  const entries = await readdir(root).catch(() => [] as string[])
  const prefix = `${safeName(host)}_`
  const removed: string[] = []
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue
    const match = /^(\d+)(?:_.*_)?$/.exec(entry.slice(prefix.length))
    if (!match) continue
    const pid = Number(match[1])
    if (pid === process.pid || alive(pid)) continue
    const dir = join(root, entry)
    if (
      await rm(dir, { recursive: true, force: true }).then(
        () => true,
        () => false,
      )
    )
      removed.push(dir)
  }
  return removed
}
