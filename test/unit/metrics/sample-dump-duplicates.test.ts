import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readSampleDump, summarizePools } from '../../../core/metrics/index.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bonbench-dump-dup-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Writes JSON Lines (objects, or raw text lines) to a temporary file and returns its path. */
async function dump(name: string, lines: ReadonlyArray<object | string>): Promise<string> {
  const file = path.join(dir, name)
  await writeFile(file, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`)
  return file
}

/** Eight samples of one problem, as a whole-problem line. */
const problemLine = (id: string, rewards: number[]) => ({ id, samples: rewards.map((reward, i) => ({ reward, score: i / 10 })) })
const a = problemLine('a', [1, 0, 0, 1, 0, 0, 0, 1])
const b = problemLine('b', [0, 0, 0, 0, 1, 0, 0, 0])

describe('readSampleDump: a problem given twice', () => {
  it('refuses a repeated whole-problem line (a file concatenated with itself), naming the file, both lines and the id', async () => {
    const twice = await dump('twice.jsonl', [a, b, a, b])
    await expect(readSampleDump(twice)).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
      message: expect.stringMatching(
        new RegExp(
          `^${twice.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: bad line: problem 'a' already has its whole-problem line \\(line 1\\).*remove the repeated line, or write one line per sample`,
        ),
      ),
    })
  })

  it('under skipBadLines, skips the repeated line (listed) and keeps the pools, so bench score’s numbers are the original’s', async () => {
    const once = await dump('once.jsonl', [a, b])
    const twice = await dump('twice.jsonl', [a, b, '', a, b])
    const read = await readSampleDump(twice, { skipBadLines: true })
    expect(read.badLines).toEqual([
      { file: twice, line: 4, reason: expect.stringContaining("problem 'a' already has its whole-problem line (line 1)") },
      { file: twice, line: 5, reason: expect.stringContaining("problem 'b' already has its whole-problem line (line 2)") },
    ])
    const original = await readSampleDump(once)
    expect(read.problems).toEqual(original.problems)
    const summary = summarizePools(read.problems)
    expect(summary.nMax).toBe(8)
    expect(summary.k).toEqual([1, 2, 4, 8])
    expect(summary.passAtK.values).toEqual(summarizePools(original.problems).passAtK.values)
  })

  it('still merges one-line-per-sample dumps: repeated ids add samples, also after the id’s whole-problem line', async () => {
    const file = await dump('per-sample.jsonl', [
      { id: 'c', reward: 1, score: 2 },
      { id: 'd', reward: 0 },
      { id: 'c', reward: 0, score: 1 },
      a,
      { id: 'a', reward: 1, score: 9 },
      { id: 'c', reward: 1 },
    ])
    const read = await readSampleDump(file)
    expect(read.badLines).toEqual([])
    expect(read.problems.map((p) => [p.id, p.samples.length])).toEqual([
      ['c', 3],
      ['d', 1],
      ['a', 9],
    ])
    expect(read.problems[0]!.samples).toEqual([{ reward: 1, score: 2 }, { reward: 0, score: 1 }, { reward: 1 }])
  })

  it('refuses a whole-problem line after sample lines of the same id, naming both lines', async () => {
    const file = await dump('after-samples.jsonl', [{ id: 'x', reward: 1 }, { id: 'y', reward: 1 }, { id: 'x', reward: 0 }, problemLine('x', [1, 1])])
    await expect(readSampleDump(file)).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
      message: expect.stringMatching(
        /after-samples\.jsonl:4: bad line: a whole-problem line for problem 'x', which has sample lines already \(from line 1\).*remove the repeated line, or write one line per sample .* to add samples to 'x'/,
      ),
    })
  })

  it('treats a raw Qwen2.5-Math line as a whole-problem line too', async () => {
    const qwen = { idx: 7, question: 'q', gt: '1', response: ['1', '2'], score: [true, false], pred: ['1', '2'] }
    const file = await dump('qwen.jsonl', [qwen, qwen])
    await expect(readSampleDump(file)).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
      message: expect.stringContaining("qwen.jsonl:2: bad line: problem '7' already has its whole-problem line (line 1)"),
    })
  })
})
