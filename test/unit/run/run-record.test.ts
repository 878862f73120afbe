import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { CellResult } from '../../../core/plugin-api/results.js'
import { parseJournal, readJournal } from '../../../core/run/journal.js'
import { indexJournal } from '../../../core/run/journal-index.js'
import type { JournalRecord, RunManifest } from '../../../core/run/journal-types.js'
import { readManifest } from '../../../core/run/manifest.js'
import { readRun, runDataOf } from '../../../core/run/run-record.js'
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
    expect(badLines[1]!.text).toBe('{"type":"mystery"}')
  })

  it('keeps a torn last line apart (a killed write), and readJournal lists it with the bad lines', async () => {
    const good = JSON.stringify({ type: 'prepare', name: 'x', facts: {} })
    expect(parseJournal(`${good}\n{"type":"po\n\n`)).toEqual({
      records: [JSON.parse(good)],
      badLines: [],
      torn: { line: 2, message: expect.stringContaining('not JSON'), text: '{"type":"po' },
    })
    expect(parseJournal(`${good}\n`)).toEqual({ records: [JSON.parse(good)], badLines: [] })
    const file = path.join(await tempDir(), 'journal.jsonl')
    await writeFile(file, `${good}\n${JSON.stringify({ type: 'mystery' })}\n${good}\n{"type":"po`)
    expect(readJournal(file)).toEqual({
      records: [JSON.parse(good), JSON.parse(good)],
      badLines: [expect.objectContaining({ line: 2 }), expect.objectContaining({ line: 4 })],
    })
    expect(readJournal(path.join(path.dirname(file), 'missing.jsonl'))).toEqual({ records: [], badLines: [] })
  })

  it('takes a known record type without a field its readers need as a bad line, naming the field', () => {
    const key = { task: 't', model: 'm', strategy: 's', nTrain: 1, temperature: 1, seed: 0 }
    const lines = [
      { type: 'cell', cellId: 'a', key },
      { type: 'cell', cellId: 'a', key, result: { cellId: 'b' } },
      { type: 'pool', cellId: 'a', promptId: 'p', samples: {} },
      { type: 'error', cellId: 'a', key, message: 3 },
      { type: 'train', cellId: 'a', log: null },
      { type: 'cell', cellId: 'a', key, result: { cellId: 'a' } },
    ]
    const { records, badLines } = parseJournal(lines.map((l) => JSON.stringify(l)).join('\n') + '\n')
    expect(records).toEqual([lines[5]])
    expect(badLines.map((b) => [b.line, b.message])).toEqual([
      [1, "a 'cell' record whose result is missing"],
      [2, "a 'cell' record whose result is not that cell's"],
      [3, "a 'pool' record whose samples is not an array"],
      [4, "a 'error' record whose message is not a string"],
      [5, "a 'train' record whose log is not an object"],
    ])
  })
})

describe('indexJournal', () => {
  const key = { task: 't', model: 'm', strategy: 's', nTrain: 1, temperature: 1, seed: 0 }
  const result = (cellId: string, pass1: number) => ({ cellId, key, metrics: { pass1 } }) as unknown as CellResult
  const cell = (cellId: string, pass1: number): JournalRecord => ({ type: 'cell', cellId, key, result: result(cellId, pass1) })
  const error = (cellId: string, message: string): JournalRecord => ({ type: 'error', cellId, key, message })

  it('keeps a finished cell for resume even after an error record, and counts it failed for reports', () => {
    const index = indexJournal([cell('a', 0.1), error('a', 'late crash'), error('b', 'one'), error('b', 'two')])
    expect([...index.cells.keys()]).toEqual(['a'])
    expect([...index.failures.values()].map((f) => [f.cellId, f.message])).toEqual([
      ['a', 'late crash'],
      ['b', 'two'],
    ])
    const manifest = { version: 2, runId: 'r', createdAt: '', cells: [], provenance: {} } as unknown as RunManifest
    const run = runDataOf('/r', manifest, [cell('a', 0.1), error('a', 'late crash'), cell('c', 0.3)])
    expect(run.cells.map((c) => c.cellId)).toEqual(['c'])
    expect(run.errors.map((e) => e.cellId)).toEqual(['a'])
  })

  it('orders a cell finished again after failing by when it finished (cells the manifest lacks keep journal order)', () => {
    const manifest = { version: 2, runId: 'r', createdAt: '', cells: [], provenance: {} } as unknown as RunManifest
    const run = runDataOf('/r', manifest, [cell('a', 0.1), cell('b', 0.2), error('a', 'x'), cell('a', 0.5), cell('b', 0.6)])
    expect(run.cells.map((c) => [c.cellId, c.metrics.pass1])).toEqual([
      ['b', 0.6],
      ['a', 0.5],
    ])
    expect(run.errors).toEqual([])
  })

  it('holds each training step once, as first journaled, when the journal repeats records (appended to itself): a report counts 2 steps, not 4', () => {
    const train = (cellId: string, step: number, loss: number): JournalRecord => ({ type: 'train', cellId, log: { step, loss, gradNorm: 0, lambda: 0 } })
    const records = [train('pretrain', 0, 9), train('a', 0, 1), train('a', 1, 2), cell('a', 0.1)]
    const index = indexJournal([...records, ...records.map((r) => (r.type === 'train' ? { ...r, log: { ...r.log, loss: r.log.loss + 100 } } : r))])
    expect(index.training.get('a')!.map((l) => [l.step, l.loss])).toEqual([
      [0, 1],
      [1, 2],
    ])
    expect(index.training.get('pretrain')!.map((l) => l.loss)).toEqual([9])
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
    expect(run.badLines).toEqual([{ line: garbageLine, message: expect.stringContaining('not JSON'), text: 'garbage' }])
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

  it('says what to do when the folder is not a run, run.json is not JSON or has an unknown version', async () => {
    const dir = await tempDir()
    await expect(readRun(dir)).rejects.toMatchObject({ code: 'BENCH_RUN_INVALID', message: expect.stringContaining('not a run directory') })
    await writeFile(path.join(dir, 'run.json'), '{')
    expect(() => readManifest(dir)).toThrow(/run\.json is not valid JSON/)
    await writeFile(path.join(dir, 'run.json'), '{"version":3}')
    await expect(readRun(dir)).rejects.toMatchObject({ code: 'BENCH_RUN_INVALID', message: expect.stringContaining('has version 3') })
  })
})

describe('readRun of a version-1 run.json (written before the provenance block)', () => {
  it('moves its recorded facts into provenance, so bench report still reads old runs', async () => {
    const dir = await writeSyntheticRun(await tempDir(), spec)
    const v2 = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'))
    const p = v2.provenance
    const v1 = {
      version: 1,
      runId: v2.runId,
      createdAt: v2.createdAt,
      cells: v2.cells,
      config: { ...p.config, taskSeed: 77, strategies: ['sft'] },
      plugins: p.plugins,
      dataFiles: [{ path: '/d/x.jsonl', sha256: 'b'.repeat(64) }],
      git: p.git,
      node: 'v20.1.0',
      backend: 'wasm',
      platform: p.platform,
      seeds: [0, 1],
      argv: ['run', 'math'],
    }
    await writeFile(path.join(dir, 'run.json'), JSON.stringify(v1))
    const run = await readRun(dir)
    expect(run.manifest.version).toBe(2)
    expect(run.manifest.provenance).toMatchObject({
      harness: { version: 'unknown' },
      node: 'v20.1.0',
      git: p.git,
      argv: ['run', 'math'],
      plugins: p.plugins,
      backend: { requested: 'wasm' },
      seeds: { matrix: [0, 1], task: 77 },
      dataFiles: v1.dataFiles,
      strategies: [{ name: 'sft', plugin: 'sft' }],
    })
    expect(run.cells).toHaveLength(6)
  })
})
