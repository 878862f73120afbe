import { execa, type ResultPromise } from 'execa'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KILL_AFTER_RECORDS_ENV } from '../../core/run/journal.js'
import { comparableResults, expectSameJournal } from '../helpers/compare-journals.js'
import { startRedis, type TestRedis } from '../helpers/redis-server.js'
import { bench, benchArgs, tempDir, runDirOf } from './cli-helper.js'

// Issue 16, "Done when": workers SIGKILLed at many points of a real matrix — mid-pretraining in
// the base job, just after the base job's last record (before its result reaches Redis: the ack),
// just after a checkpoint is written, mid-evaluation, and one record short of a cell's end — and
// the journal and results.json equal a single process's, record for record.
// Records per job here: the base job 3 pretraining + 4 pools + cell = 8; a trained cell 3 steps +
// checkpoint + 4 pools + cell = 9; the second base cell 5. A worker counts every record it collects.
const MATRIX = [
  'toy',
  '--model',
  'tabular',
  '--strategies',
  'sft,bon-rlb',
  '--n-train',
  '2',
  '--n',
  '1,2',
  '--seeds',
  '1,2',
  '--steps',
  '3',
  '--pretrain-steps',
  '3',
  '--test-prompts',
  '4',
  '--temperatures',
  '1',
]
/** One killer at a time, each started once the one before has died: which record each dies after. */
const KILLS = [2, 8, 12, 3, 17, 7]

describe('queue workers SIGKILLed at many points of one run', () => {
  const project = tempDir('bonbench-queue-kills-')
  let redis: TestRedis
  const workers: ResultPromise[] = []
  const startWorker = (env: Record<string, string> = {}) => {
    const worker = execa(process.execPath, benchArgs(['worker', '--queue', redis.url, '--lock-ms', '750']), {
      cwd: project.dir,
      reject: false,
      env: { CI: 'true', NO_COLOR: '1', ...env },
    })
    workers.push(worker)
    return worker
  }
  beforeAll(async () => {
    redis = await startRedis({ db: 9 })
  })
  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGTERM')
    await Promise.all(workers)
    await redis.stop()
    project.cleanup()
  })

  it('the journal and results.json equal a single-process run, record for record', async () => {
    const single = await bench(['run', ...MATRIX, '--runs-dir', 'single', '--cache-dir', 'cache-single', '--no-tui'], { cwd: project.dir })
    expect(single.exitCode, single.stderr).toBe(0)

    const run = bench(['run', ...MATRIX, '--queue', redis.url, '--runs-dir', 'queued', '--cache-dir', 'cache-queued', '--no-tui'], {
      cwd: project.dir,
      timeout: 240_000,
    })
    let finished = false
    void run.then(() => (finished = true))
    const killedAt: string[] = []
    for (const k of KILLS) {
      const worker = startWorker({ [KILL_AFTER_RECORDS_ENV]: String(k) })
      await Promise.race([worker, run])
      if (finished) break
      const result = await worker
      expect(result.signal, String(result.stderr)).toBe('SIGKILL')
      killedAt.push(`${k}: ${/(\S+): started(?![\s\S]*: started)/.exec(String(result.stdout))?.[1]}`)
    }
    // The base job died twice (mid-pretraining, then after its last record), so the first four killers all died.
    expect(killedAt.length, killedAt.join('; ')).toBeGreaterThanOrEqual(4)
    void startWorker()
    void startWorker()
    const done = await run
    expect(done.exitCode, done.stderr + done.stdout).toBe(0)

    const queuedDir = runDirOf(done.stdout)
    expectSameJournal(join(runDirOf(single.stdout), 'journal.jsonl'), join(queuedDir, 'journal.jsonl'))
    expect(comparableResults(queuedDir)).toEqual(comparableResults(runDirOf(single.stdout)))
    // One checkpoint per trained cell and one cached base model, complete (a killed writer leaves at most a private temporary folder).
    const published = (dir: string) => readdirSync(dir).filter((name) => !/\.(tmp|old)-/.test(name))
    expect(published(join(queuedDir, 'checkpoints')).sort()).toEqual(['bon-rlb-n2-t1-s1', 'bon-rlb-n2-t1-s2', 'sft-n1-t1-s1', 'sft-n1-t1-s2'])
    const [base, ...others] = published(join(project.dir, 'cache-queued', 'models'))
    expect(others).toEqual([])
    expect(existsSync(join(project.dir, 'cache-queued', 'models', base!, '.complete'))).toBe(true)
  }, 300_000)
})
