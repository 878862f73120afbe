import { execa, type ResultPromise } from 'execa'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRedis, type TestRedis } from '../helpers/redis-server.js'
import { benchArgs, tempDir, runDirOf } from './cli-helper.js'
import { benchInProcess } from './cli-help.js'

// Issue 16 §1: queue mode's coordinator runs the run as a local run does for its listeners and
// reporter plugins — the same events (the plan's estimate in run:start included), then onRunEnd.
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
  '1',
  '--steps',
  '4',
  '--temperatures',
  '1',
]

/** A reporter plugin as a user writes one (a plain object, no import): every event it gets and its onRunEnd, one JSON line each, in the run directory. */
const RECORDER = `import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
export default function recorder() {
  let file
  const write = (what) => file && appendFileSync(file, JSON.stringify(what) + '\\n')
  return {
    name: 'lab/recorder',
    kind: 'reporter',
    meta: { version: '1.0.0', apiVersion: '^0.1.0', description: 'writes what it receives' },
    options: {},
    onEvent(event) {
      if (event.type === 'run:start') file = join(event.runDir, 'received.jsonl')
      write({ event })
    },
    onRunEnd(ctx) {
      write({ runEnd: ctx })
    },
  }
}
`

/**
 * What the recorder received, without what differs between any two runs (ids, folders, wall times;
 * the time estimate, which a later run makes from the rates an earlier one measured) and the log
 * lines (they name caches and workers).
 */
function received(runDir: string): Array<{ event?: { type: string }; runEnd?: unknown }> {
  const lines = readFileSync(join(runDir, 'received.jsonl'), 'utf8').trim().split('\n')
  const drop = new Set(['runId', 'runDir', 'wallMs', 'prepareMs', 'dir', 'estimatedSeconds', 'estimateBasis'])
  return lines
    .map((line) => JSON.parse(line, (k, v: unknown) => (drop.has(k) ? undefined : v)) as { event?: { type: string } })
    .filter((entry) => entry.event?.type !== 'log')
}

describe('bench run --queue: the coordinator is a local run for reporters and listeners', () => {
  const project = tempDir('bonbench-queue-local-')
  let redis: TestRedis
  let worker: ResultPromise | undefined
  beforeAll(async () => {
    redis = await startRedis({ db: 5 })
    writeFileSync(join(project.dir, 'recorder.mjs'), RECORDER)
    writeFileSync(join(project.dir, 'bench.config.json'), JSON.stringify({ plugins: ['./recorder.mjs'] }))
  })
  afterAll(async () => {
    worker?.kill('SIGTERM')
    await worker
    await redis.stop()
    project.cleanup()
  })

  it("a config's reporter plugin receives the local run's events, estimate and results, in the same order", async () => {
    // The local run and the coordinator run in this process (what they check is what the reporter received); the worker starts the CLI.
    const local = await benchInProcess(['run', ...MATRIX, '--runs-dir', 'local', '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(local.exitCode, local.stderr).toBe(0)
    worker = execa(process.execPath, benchArgs(['worker', '--queue', redis.url]), { cwd: project.dir, reject: false, env: { CI: 'true', NO_COLOR: '1' } })
    const queued = await benchInProcess(['run', ...MATRIX, '--queue', redis.url, '--runs-dir', 'queued', '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(queued.exitCode, queued.stderr).toBe(0)

    const expected = received(runDirOf(local.stdout))
    const actual = received(runDirOf(queued.stdout))
    const start = actual[0]!.event as unknown as { type: string; plan: { samplesToDraw: number } }
    expect(start.type).toBe('run:start')
    expect(start.plan.samplesToDraw).toBeGreaterThan(0)
    // The coordinator's run:start carries the plan's estimate (measured rates: the local run's), not 0.
    const queuedStart = JSON.parse(readFileSync(join(runDirOf(queued.stdout), 'received.jsonl'), 'utf8').split('\n')[0]!) as {
      event: { plan: { estimatedSeconds: number; estimateBasis: string } }
    }
    expect(queuedStart.event.plan.estimatedSeconds).toBeGreaterThan(0)
    expect(queuedStart.event.plan.estimateBasis).toMatch(/measured by run /)
    const types = (list: typeof actual) => list.map((e) => (e.event ? e.event.type : 'onRunEnd'))
    expect(types(actual)).toEqual(types(expected))
    expect(types(actual).filter((t) => t === 'cell:end')).toHaveLength(3)
    expect(types(actual).at(-1)).toBe('onRunEnd')
    // Event for event: progress, training steps, the results in cell:end, run:end and onRunEnd.
    expect(actual).toEqual(expected)
  }, 180_000)

  it('--dry-run --queue prints the plan and what it would enqueue, and enqueues nothing', async () => {
    const dry = await benchInProcess(['run', ...MATRIX, '--queue', redis.url, '--runs-dir', 'dry', '--dry-run'], { cwd: project.dir })
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.stdout).toContain('plan: 3 cells')
    expect(dry.stdout).toContain(`queue: would enqueue 3 jobs (one per cell) on queue 'bonbench' at ${redis.url}; nothing was enqueued`)
    expect(dry.stdout).toContain('first, alone: base-n1-t1-s1 (its worker builds the base model')
    expect(dry.stdout).toContain('then, once it is done: the other 2')
    const gpu = await benchInProcess(['run', ...MATRIX, '--queue', redis.url, '--requires', 'gpu', '--dry-run'], { cwd: project.dir })
    expect(gpu.stdout).toContain("on queue 'bonbench@gpu'")
    expect(gpu.stdout).toContain('taken only by workers started with --labels gpu')
    // A model whose own backend option names a GPU backend goes to GPU workers too (not only --backend).
    const own = join(project.dir, 'own-gpu')
    mkdirSync(own)
    writeFileSync(join(own, 'bench.config.json'), JSON.stringify({ plugins: [['tiny-transformer', { backend: 'webgpu' }]] }))
    const option = await benchInProcess(['run', 'toy', '--model', 'tiny-transformer', '--queue', redis.url, '--dry-run'], { cwd: own })
    expect(option.exitCode, option.stderr).toBe(0)
    expect(option.stdout).toContain("on queue 'bonbench@gpu'")
    const status = await benchInProcess(['queue', 'status', '--queue', redis.url, '--json'], { cwd: project.dir })
    const queues = JSON.parse(status.stdout) as Array<{ counts: Record<string, number> }>
    for (const queue of queues) expect(Object.values(queue.counts).reduce((a, b) => a + b, 0)).toBe(0)
    expect(existsSync(join(project.dir, 'dry'))).toBe(false)
  }, 60_000)
})
