import { execa } from 'execa'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { processAlive, removeDeadWorkerScratch, workerScratchDir } from '../../../core/queue/worker-scratch.js'

// A SIGKILLed worker cannot remove its scratch folder; the next worker of the host does.
describe('removeDeadWorkerScratch', () => {
  const root = mkdtempSync(join(tmpdir(), 'bonbench-worker-scratch-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it("removes this host's dead workers' folders and nothing else", async () => {
    // A real process that has ended: its pid is free (the kernel does not hand it out again at once).
    const child = execa(process.execPath, ['-e', ''])
    const dead = child.pid!
    await child
    expect(dead).toBeGreaterThan(0)
    expect(processAlive(dead)).toBe(false)
    expect(processAlive(process.pid)).toBe(true)
    const folders = {
      dead: workerScratchDir(root, `host-a:${dead}`),
      deadLabelled: workerScratchDir(root, `host-a:${dead}[gpu,big]`),
      mine: workerScratchDir(root, `host-a:${process.pid}`),
      otherHost: workerScratchDir(root, `host-b:${dead}`),
      notAWorker: join(root, 'host-a_notes'),
    }
    for (const dir of Object.values(folders)) {
      mkdirSync(join(dir, 'runs'), { recursive: true })
      writeFileSync(join(dir, 'runs', 'journal.jsonl'), '{}\n')
    }
    expect(folders.deadLabelled.endsWith(`host-a_${dead}_gpu_big_`)).toBe(true)

    const removed = await removeDeadWorkerScratch(root, 'host-a')
    expect(removed.sort()).toEqual([folders.dead, folders.deadLabelled].sort())
    for (const [what, dir] of Object.entries(folders)) expect(existsSync(dir), what).toBe(what === 'dead' || what === 'deadLabelled' ? false : true)
  })

  it('keeps the folder of a worker that is alive, and does nothing when the root is missing', async () => {
    const live = workerScratchDir(root, 'host-c:4242')
    mkdirSync(live, { recursive: true })
    expect(await removeDeadWorkerScratch(root, 'host-c', (pid) => pid === 4242)).toEqual([])
    expect(existsSync(live)).toBe(true)
    expect(await removeDeadWorkerScratch(join(root, 'missing'), 'host-c')).toEqual([])
  })
})
