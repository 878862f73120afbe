import { execa } from 'execa'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processAlive } from '../../../core/queue/worker-scratch.js'
import { startMark } from '../../../core/run/run-lock.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { journalOf, onlyRunDir, tempProject, toyRunSetup } from '../../helpers/toy-run.js'

// One process per run folder (core/run/run-lock.ts): two `bench run --resume` of one run at once
// both ran every unfinished cell and journaled each record twice.
const project = tempProject('bonbench-lock-')
afterAll(() => project.cleanup())
const setup = () => toyRunSetup(project.dir, { config: { matrix: { strategies: ['sft', 'rl'] } } })
let runDir = ''
const lockFile = () => path.join(runDir, 'run.lock')
const holder = (pid: number, host = hostname(), started?: string) =>
  writeFileSync(lockFile(), JSON.stringify({ pid, host, since: '2026-12-06T10:00:00.000Z', ...(started ? { started } : {}) }))
const cellRecords = () => journalOf(runDir).filter((r) => r.type === 'cell').length

beforeAll(async () => {
  await runMatrix(setup())
  runDir = onlyRunDir(project.dir)
})

describe('run.lock', () => {
  it("a zombie holder (exited, not yet reaped: a container's first process may never reap it) is gone: its lock is taken over", async () => {
    // `sleep 0` exits at once; its parent execs `sleep 30` and never waits for it: a zombie.
    const parent = execa('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { reject: false })
    try {
      const zombie = await new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))))
      for (let i = 0; i < 100 && !/\) Z/.test(readFileSync(`/proc/${zombie}/stat`, 'utf8')); i++) await new Promise((r) => setTimeout(r, 20))
      expect(readFileSync(`/proc/${zombie}/stat`, 'utf8')).toMatch(/\) Z/)
      expect(processAlive(zombie)).toBe(false)
      holder(zombie, hostname(), startMark(zombie))
      await runMatrix({ ...setup(), resumeDir: runDir })
      expect(existsSync(lockFile())).toBe(false)
    } finally {
      parent.kill('SIGKILL')
      await parent
    }
  })

  it('a finished run leaves no lock', () => {
    expect(existsSync(lockFile())).toBe(false)
  })

  it('a resume while another live process on this machine holds the run refuses before any work, naming the process', async () => {
    const other = execa('sleep', ['30'])
    try {
      // As the process itself would have written it: the mark of its start matches.
      holder(other.pid!, hostname(), startMark(other.pid!))
      const journal = readFileSync(path.join(runDir, 'journal.jsonl'), 'utf8')
      await expect(runMatrix({ ...setup(), resumeDir: runDir })).rejects.toEqual(
        expect.objectContaining({
          code: 'BENCH_USAGE',
          message: expect.stringContaining(`is being run by process ${other.pid} on this machine (since 2026-12-06T10:00:00.000Z)`),
        }),
      )
      expect(readFileSync(path.join(runDir, 'journal.jsonl'), 'utf8')).toBe(journal)
      expect(JSON.parse(readFileSync(lockFile(), 'utf8')).pid).toBe(other.pid)
    } finally {
      other.kill()
      await other.catch(() => {})
    }
  })

  it('a lock whose pid now belongs to another process (pid reused, a reboot) is taken over, where /proc tells', async () => {
    expect(startMark(process.pid) !== undefined).toBe(process.platform === 'linux')
    const other = execa('sleep', ['30'])
    try {
      // A live pid, but not the process that wrote the lock: that one started at another time (or boot).
      const [boot] = (startMark(process.pid) ?? 'no-proc:0').split(':')
      holder(other.pid!, hostname(), `${boot}:1`)
      const before = cellRecords()
      if (process.platform === 'linux') {
        await runMatrix({ ...setup(), resumeDir: runDir })
        expect(cellRecords()).toBe(before)
        expect(existsSync(lockFile())).toBe(false)
      } else await expect(runMatrix({ ...setup(), resumeDir: runDir })).rejects.toEqual(expect.objectContaining({ code: 'BENCH_USAGE' }))
    } finally {
      other.kill()
      await other.catch(() => {})
    }
  })

  it('a lock left by a process that is gone (a killed run) is taken over; one from another machine is refused with how to clear it', async () => {
    const gone = execa('true')
    await gone
    holder(gone.pid!)
    const before = cellRecords()
    await runMatrix({ ...setup(), resumeDir: runDir })
    expect(cellRecords()).toBe(before)
    expect(existsSync(lockFile())).toBe(false)
    holder(1, 'elsewhere.example')
    await expect(runMatrix({ ...setup(), resumeDir: runDir })).rejects.toEqual(
      expect.objectContaining({ code: 'BENCH_USAGE', message: expect.stringContaining(`by process 1 on elsewhere.example`) }),
    )
    await expect(runMatrix({ ...setup(), resumeDir: runDir })).rejects.toEqual(
      expect.objectContaining({ message: expect.stringContaining(`delete ${lockFile()}`) }),
    )
  })
})
