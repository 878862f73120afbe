import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseJournal, readRun } from '../../../reports/read-run.js'
import { syntheticCellId, writeSyntheticRun } from '../../helpers/synthetic-run.js'

const spec = { prompts: 6, poolSize: 4, grid: [1, 2, 4], temperatures: [1], seeds: [0, 1], bootstrap: 20, trainSteps: 3 }
const dirs: string[] = []
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bonbench-read-run-'))
  dirs.push(dir)
  return dir
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

describe('parseJournal', () => {
  it('drops a truncated final line silently and reports bad lines elsewhere with their numbers', () => {
    const good = JSON.stringify({ type: 'prepare', name: 'x', facts: { a: 1 } })
    const text = [good, '{"type": "pool", "cel', good, JSON.stringify({ type: 'mystery' }), good, '{"type":"cell","cellId'].join('\n')
    const { records, badLines } = parseJournal(text)
    expect(records).toHaveLength(3)
    expect(badLines.map((b) => b.line)).toEqual([2, 4])
    expect(badLines[1]!.message).toContain('mystery')
  })
})

describe('readRun', () => {
  it('rebuilds cells, pools, training and prepare facts from a synthetic run', async () => {
    const dir = await writeSyntheticRun(await tempDir(), spec)
    const run = await readRun(dir)
    // base + bon-rl + sft, one temperature, two seeds
    expect(run.cells).toHaveLength(6)
    expect(run.cells.map((c) => c.cellId)).toEqual(run.manifest.cells.map((c) => c.cellId))
    expect(run.pools.get(run.cells[0]!.cellId)!.size).toBe(6)
    expect(run.pools.get(run.cells[0]!.cellId)!.get('math-000')).toHaveLength(4)
    expect(run.training.get('pretrain')).toHaveLength(3)
    expect(run.training.has(run.cells[0]!.cellId)).toBe(false) // base is not trained
    expect(run.prepare['reward-model']).toEqual({ auc: 0.83, steps: 200 })
    expect(run.badLines).toEqual([])
  })

  it('ignores a half-written last record (a killed run)', async () => {
    const dir = await writeSyntheticRun(await tempDir(), spec, '{"type":"cell","cellId":"x","key":{')
    const run = await readRun(dir)
    expect(run.cells).toHaveLength(6)
    expect(run.badLines).toEqual([])
  })

  it('fails on a bad line in the middle, naming its line number, unless told to skip', async () => {
    const dir = await writeSyntheticRun(await tempDir(), spec, 'garbage\n' + JSON.stringify({ type: 'prepare', name: 'late', facts: { ok: true } }) + '\n')
    const garbageLine = (await readFile(path.join(dir, 'journal.jsonl'), 'utf8')).split('\n').indexOf('garbage') + 1
    await expect(readRun(dir)).rejects.toMatchObject({ code: 'BENCH_RUN_INVALID', message: expect.stringContaining(`line ${garbageLine}`) })
    const run = await readRun(dir, { skipBadLines: true })
    expect(run.badLines).toEqual([{ line: garbageLine, message: expect.stringContaining('not JSON') }])
    expect(run.prepare.late).toEqual({ ok: true })
  })

  it('keeps the last record of a cell and reports cells whose last record is an error', async () => {
    const dir = await writeSyntheticRun(await tempDir(), spec)
    const first = await readRun(dir)
    const cell = first.cells[1]!
    const failedKey = { ...cell.key, strategy: 'sft', seed: 0 }
    const rerun = { ...cell, metrics: { ...cell.metrics, pass1: 0.123 } }
    const extra = [
      { type: 'cell', cellId: cell.cellId, key: cell.key, result: rerun },
      { type: 'error', cellId: syntheticCellId(failedKey), key: failedKey, message: 'model crashed' },
    ]
    await writeFile(path.join(dir, 'journal.jsonl'), extra.map((r) => JSON.stringify(r)).join('\n') + '\n', { flag: 'a' })
    const run = await readRun(dir)
    expect(run.cells.find((c) => c.cellId === cell.cellId)!.metrics.pass1).toBe(0.123)
    expect(run.errors).toEqual([{ cellId: syntheticCellId(failedKey), key: failedKey, message: 'model crashed' }])
    expect(run.cells.some((c) => c.cellId === syntheticCellId(failedKey))).toBe(false)
  })

  it('says what to do when the folder is not a run', async () => {
    await expect(readRun(await tempDir())).rejects.toMatchObject({ code: 'BENCH_RUN_INVALID', message: expect.stringContaining('not a run directory') })
  })
})

describe('readRun of a version-1 run.json (written before the provenance block)', () => {
  it('moves its recorded facts into provenance, so bench report still reads old runs', async () => {
    const dir = await writeSyntheticRun(await tempDir(), spec)
    const v2 = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'))
    const p = v2.provenance
    const v1 = {
      version: 1, runId: v2.runId, createdAt: v2.createdAt, cells: v2.cells,
      config: { ...p.config, taskSeed: 77, strategies: ['sft'] }, plugins: p.plugins, dataFiles: [{ path: '/d/x.jsonl', sha256: 'b'.repeat(64) }],
      git: p.git, node: 'v20.1.0', backend: 'wasm', platform: p.platform, seeds: [0, 1], argv: ['run', 'math'],
    }
    await writeFile(path.join(dir, 'run.json'), JSON.stringify(v1))
    const run = await readRun(dir)
    expect(run.manifest.version).toBe(2)
    expect(run.manifest.provenance).toMatchObject({
      harness: { version: 'unknown' }, node: 'v20.1.0', git: p.git, argv: ['run', 'math'], plugins: p.plugins,
      backend: { requested: 'wasm' }, seeds: { matrix: [0, 1], task: 77 }, dataFiles: v1.dataFiles,
      strategies: [{ name: 'sft', plugin: 'sft' }],
    })
    expect(run.cells).toHaveLength(6)
  })
})
