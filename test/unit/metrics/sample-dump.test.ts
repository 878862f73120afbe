import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseDumpLine, readSampleDump } from '../../../core/metrics/index.js'
import { sharedData } from '../../plugins/code-fixtures.js'

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

  it('says what a reward, id or answer of the wrong type must be, and what it is (not zod\'s "Invalid input")', () => {
    const reward = 'must be a number in [0, 1] or a boolean (true/false), unquoted'
    expect(parseDumpLine('{"id": 1, "reward": "1"}')).toEqual({ reason: `reward: ${reward}, not the string "1"` })
    expect(parseDumpLine('{"id": 1, "samples": [{"reward": null}]}')).toEqual({ reason: `samples.0.reward: ${reward}, not null` })
    expect(parseDumpLine('{"id": 1, "samples": [{"reward": [1]}]}')).toEqual({ reason: `samples.0.reward: ${reward}, not an array` })
    expect(parseDumpLine('{"id": {"n": 1}, "reward": 1}')).toEqual({ reason: 'id: must be a string or a number, not an object' })
    expect(parseDumpLine('{"id": 1, "reward": 1, "answer": true}')).toEqual({ reason: 'answer: must be a string or a number, not a boolean' })
  })
})

describe('readSampleDump: a bad line', () => {
  it("names the caller's flag that skips it only when the caller has one (bench weights has none, bench score --skip-bad-lines)", async () => {
    const file = path.join(dir, 'bad.jsonl')
    await writeFile(file, '{"id": "a", "reward": 1}\n{"id": "b", "samples": [{"reward": 1, "score": "2"}]}\n')
    await expect(readSampleDump(file)).rejects.toThrow(/bad\.jsonl:2: bad line: samples\.0\.score: .* \(fix the line\)$/)
    await expect(readSampleDump(file, { skipFlag: '--skip-bad-lines' })).rejects.toThrow(/\(fix the line, or pass --skip-bad-lines to skip it\)$/)
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

describe('the other dump shapes: human-eval samples and results, raw Qwen2.5-Math output, texts and problem fields', () => {
  it('reads human-eval lines (task_id, completion, passed), with rewards optional when asked', () => {
    expect(parseDumpLine('{"task_id": "HumanEval/0", "completion": "  return 1\\n", "passed": false, "result": "failed"}')).toEqual({
      id: 'HumanEval/0',
      samples: [{ reward: 0, text: '  return 1\n' }],
    })
    expect(parseDumpLine('{"task_id": "HumanEval/0", "completion": "x"}')).toEqual({ reason: expect.stringMatching(/^reward: missing .*bench verify/) })
    expect(parseDumpLine('{"task_id": "HumanEval/0", "completion": "x"}', { rewards: 'optional' })).toEqual({ id: 'HumanEval/0', samples: [{ text: 'x' }] })
    expect(parseDumpLine('{"id": "p", "score": 1}', { rewards: 'optional' })).toEqual({ reason: expect.stringContaining('no text to judge') })
    expect(parseDumpLine('{"id": "p", "samples": [{"reward": 1}, {"score": 2}]}')).toEqual({ reason: expect.stringMatching(/^samples\.1\.reward: missing/) })
  })

  it('reads a problem line with its prompt, reference answer, expert and expert score', () => {
    expect(
      parseDumpLine('{"id": 7, "prompt": "2+2=", "answer": 4, "expert": "4", "expert_score": 0.9, "samples": [{"text": "4", "reward": 1, "score": 0.8}]}'),
    ).toEqual({
      id: '7',
      prompt: '2+2=',
      answer: '4',
      expert: '4',
      expertScore: 0.9,
      samples: [{ text: '4', reward: 1, score: 0.8 }],
    })
  })

  it('reads a raw Qwen2.5-Math line: response, score (bools), pred, pred_score (one-element lists); unequal lengths are bad', () => {
    const line = {
      idx: 3,
      question: 'Q?',
      gt: '5',
      solution: 'so \\boxed{5}',
      response: ['a', 'b'],
      score: [true, false],
      pred: ['5', null],
      pred_score: [[0.5], [-1]],
    }
    expect(parseDumpLine(JSON.stringify(line))).toEqual({
      id: '3',
      prompt: 'Q?',
      answer: '5',
      expert: 'so \\boxed{5}',
      samples: [
        { text: 'a', reward: 1, score: 0.5, answer: '5' },
        { text: 'b', reward: 0, score: -1 },
      ],
    })
    expect(parseDumpLine(JSON.stringify({ ...line, pred_score: [[0.5]] }))).toEqual({ reason: 'pred_score: has 1 entries but response has 2' })
  })

  it('reads the shared Qwen2.5-Math file end to end: 100 problems × 8 samples, mean reward 0.91', async () => {
    const file = path.join(sharedData, 'samples/qwen25math_math_cot_100.jsonl.gz')
    const dump = await readSampleDump(file)
    expect(dump.problems).toHaveLength(100)
    expect(dump.problems.every((p) => p.samples.length === 8 && p.prompt !== undefined && p.samples.every((s) => s.text && s.score !== undefined))).toBe(true)
    const rewards = dump.problems.flatMap((p) => p.samples.map((s) => s.reward))
    expect(rewards.reduce((a, b) => a + b, 0) / rewards.length).toBeCloseTo(0.91, 12)
  })

  it('keeps the first line’s problem fields and adds samples across lines', async () => {
    const file = path.join(dir, 'fields.jsonl')
    await writeFile(file, ['{"id": "a", "reward": 1, "text": "x", "prompt": "P"}', '{"id": "a", "reward": 0, "text": "y", "prompt": "other"}'].join('\n'))
    expect((await readSampleDump(file)).problems).toEqual([
      {
        id: 'a',
        prompt: 'P',
        samples: [
          { reward: 1, text: 'x' },
          { reward: 0, text: 'y' },
        ],
      },
    ])
  })
})
