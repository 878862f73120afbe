import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseDumpLine, readSampleDump } from '../../../core/metrics/index.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bonbench-dump-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('parseDumpLine', () => {
  it('reads both line shapes, booleans as rewards, numbers as answers, null as absent', () => {
    expect(parseDumpLine('{"id": 3, "samples": [{"reward": true, "score": 0.5, "answer": 42}, {"reward": 0, "score": null}]}')).toEqual({
      id: '3',
      samples: [{ reward: 1, score: 0.5, answer: '42' }, { reward: 0 }],
    })
    expect(parseDumpLine('{"id": "p", "reward": 0.25, "answer": "x", "extra": [1]}')).toEqual({ id: 'p', samples: [{ reward: 0.25, answer: 'x' }] })
  })

  it('says why a line is bad', () => {
    expect(parseDumpLine('{"id": 1, "reward": 2}')).toEqual({ reason: expect.stringMatching(/^reward: /) })
    expect(parseDumpLine('{"id": 1, "samples": []}')).toEqual({ reason: expect.stringContaining('at least one sample') })
    expect(parseDumpLine('{"reward": 1}')).toEqual({ reason: expect.stringMatching(/^id: /) })
    expect(parseDumpLine('[1]')).toEqual({ reason: 'expected a JSON object' })
    expect(parseDumpLine('{oops')).toEqual({ reason: expect.stringMatching(/^not valid JSON/) })
  })
})

describe('readSampleDump', () => {
  const lines = [
    '{"id": "a", "reward": 1, "score": 2}',
    '',
    '{"id": "b", "samples": [{"reward": 0, "score": 1}]}',
    '{"id": "a", "reward": 0, "score": 3}',
  ].join('\n')

  it('groups by id in first-seen order, from .jsonl and .jsonl.gz alike', async () => {
    const plain = path.join(dir, 'd.jsonl')
    const gz = path.join(dir, 'd.jsonl.gz')
    await writeFile(plain, lines)
    await writeFile(gz, gzipSync(lines))
    for (const file of [plain, gz]) {
      const dump = await readSampleDump(file)
      expect(dump.problems).toEqual([
        {
          id: 'a',
          samples: [
            { reward: 1, score: 2 },
            { reward: 0, score: 3 },
          ],
        },
        { id: 'b', samples: [{ reward: 0, score: 1 }] },
      ])
      expect(dump.badLines).toEqual([])
    }
  })

  it('fails on a bad line with file and line number, or skips it when asked', async () => {
    const file = path.join(dir, 'bad.jsonl')
    await writeFile(file, `${lines}\n{"id": "c", "reward": "yes"}\n{"id": "c", "reward": 1}\n`)
    await expect(readSampleDump(file)).rejects.toMatchObject({ code: 'BENCH_DATA_INVALID', message: expect.stringContaining(`${file}:5: bad line: reward`) })
    const dump = await readSampleDump(file, { skipBadLines: true })
    expect(dump.badLines).toEqual([{ file, line: 5, reason: expect.stringContaining('reward') }])
    expect(dump.problems.map((p) => p.id)).toEqual(['a', 'b', 'c'])
  })

  it('reports a missing file, a corrupt gzip and an empty dump', async () => {
    await expect(readSampleDump(path.join(dir, 'none.jsonl'))).rejects.toMatchObject({ code: 'BENCH_DATA_MISSING' })
    const corrupt = path.join(dir, 'c.jsonl.gz')
    await writeFile(corrupt, 'not gzip at all')
    await expect(readSampleDump(corrupt)).rejects.toMatchObject({ code: 'BENCH_DATA_INVALID' })
    const empty = path.join(dir, 'e.jsonl')
    await writeFile(empty, '\n\n')
    await expect(readSampleDump(empty)).rejects.toThrow(/no problems found/)
  })
})
