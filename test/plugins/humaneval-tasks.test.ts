import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { humaneval } from '../../plugins/tasks/humaneval/index.js'
import { humanevalJs } from '../../plugins/tasks/humaneval-js/index.js'
import { builtins } from '../helpers/builtin-factories.js'
import { humanevalPyFile, humanevalXFile, multipleEFile, sharedData } from './code-fixtures.js'

const dir = mkdtempSync(path.join(tmpdir(), 'bonbench-humaneval-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('humaneval-js task', () => {
  it('loads HumanEval-X (.jsonl.gz): 164 problems with reference solutions, trainable, sha256 recorded', async () => {
    const task = humanevalJs()
    expect(task.evaluationOnly).toBe(true)
    const data = await task.load({ seed: 0, dataPath: humanevalXFile })
    expect(data.test).toHaveLength(164)
    expect(task.evaluationOnly).toBe(false)
    expect(data.files).toEqual([{ path: humanevalXFile, sha256: 'fe5d467f2c1a027b3f6f18d3729aca01f6458c1de2e2d1292a019c5aa9bed424' }])
    const first = data.test[0]!
    expect(first.id).toBe('JavaScript/0')
    expect(first.expert).toContain('Math.abs')
    expect(first.data).toMatchObject({
      language: 'javascript',
      format: 'humaneval-x',
      failOnStderr: true,
      entryPoint: 'hasCloseElements',
      reference: first.expert,
    })
    expect(task.rewardVerifier).toBe('js-sandbox')
  })

  it('loads MultiPL-E (.jsonl): 161 problems, evaluation only, stop tokens kept, no training split allowed', async () => {
    const task = humanevalJs()
    const data = await task.load({ seed: 0, dataPath: multipleEFile })
    expect(data.test).toHaveLength(161)
    expect(data.train).toHaveLength(0)
    expect(task.evaluationOnly).toBe(true)
    expect(data.files![0]!.sha256).toBe('634e2eee8d6e22de07c121b972207683dd96be76256bf44bdfc1a3386b739287')
    const strlen = data.test.find((p) => p.id === 'HumanEval_23_strlen')!
    expect(strlen.data).toMatchObject({ format: 'multiple-e', entryPoint: 'strlen', stopTokens: ['\nfunction ', '\n/*', '\n//', '\nconsole.log'] })
    expect(strlen.expert).toBeUndefined()
    await expect(humanevalJs({ trainFraction: 0.5 }).load({ seed: 0, dataPath: multipleEFile })).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
      message: expect.stringMatching(/licence forbids training/),
    })
  })

  it('finds the file in a data folder and limits the problem count', async () => {
    const data = await humanevalJs({ limit: 5 }).load({ seed: 0, dataPath: sharedData })
    expect(data.test.map((p) => p.id)).toEqual(['JavaScript/0', 'JavaScript/1', 'JavaScript/2', 'JavaScript/3', 'JavaScript/4'])
  })

  it('names file and line of a bad record, in plain and gzip files', async () => {
    const good = JSON.stringify({
      task_id: 'JavaScript/0',
      prompt: 'const f = () => {\n',
      canonical_solution: '}',
      test: 'f()',
      declaration: 'const f = () => {\n',
    })
    const plain = path.join(dir, 'bad.jsonl')
    writeFileSync(plain, `${good}\n\n{"task_id": "x"\n`)
    await expect(humanevalJs().load({ seed: 0, dataPath: plain })).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
      message: expect.stringContaining(`${plain}:3`),
    })
    const gz = path.join(dir, 'bad.jsonl.gz')
    writeFileSync(gz, gzipSync(`${good}\n{"prompt": "x"}\n`))
    await expect(humanevalJs().load({ seed: 0, dataPath: gz })).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
      message: expect.stringContaining(`${gz}:2`),
    })
    const dup = path.join(dir, 'dup.jsonl')
    writeFileSync(dup, `${good}\n${good}\n`)
    await expect(humanevalJs().load({ seed: 0, dataPath: dup })).rejects.toThrow(/dup\.jsonl:2: duplicate task_id/)
  })

  it('asks for --data when no data path is given', async () => {
    await expect(humanevalJs().load({ seed: 0 })).rejects.toMatchObject({ code: 'BENCH_DATA_MISSING', message: expect.stringContaining('--data') })
  })
})

describe('humaneval (Python) task', () => {
  it('loads 164 problems whose payload calls check(entry_point), sha256 recorded', async () => {
    const task = humaneval()
    const data = await task.load({ seed: 0, dataPath: humanevalPyFile })
    expect(data.test).toHaveLength(164)
    expect(data.files![0]!.sha256).toBe('b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef')
    const p = data.test[0]!
    expect(p.id).toBe('HumanEval/0')
    expect(p.data).toMatchObject({ language: 'python', format: 'humaneval', entryPoint: 'has_close_elements' })
    expect((p.data as { test: string }).test.trimEnd().endsWith('check(has_close_elements)')).toBe(true)
    expect(task.rewardVerifier).toBe('python-sandbox')
  })

  it('rejects a record without an entry point, naming file and line; asks for --data', async () => {
    const file = path.join(dir, 'py.jsonl')
    writeFileSync(
      file,
      `${JSON.stringify({ task_id: 'HumanEval/0', prompt: 'def f():\n', canonical_solution: '  return 1\n', test: 'def check(c): pass', entry_point: 'f' })}\n${JSON.stringify({ task_id: 'HumanEval/1', prompt: 'x', canonical_solution: 'y', test: 'z' })}\n`,
    )
    await expect(humaneval().load({ seed: 0, dataPath: file })).rejects.toThrow(/py\.jsonl:2: missing string field 'entry_point'/)
    await expect(humaneval().load({ seed: 0 })).rejects.toMatchObject({ code: 'BENCH_DATA_MISSING' })
  })
})

describe('registration', () => {
  it('registers js-sandbox, command, humaneval-js and humaneval as built-ins with the right kinds', () => {
    expect(builtins['js-sandbox']!({}).kind).toBe('verifier')
    expect(builtins.command!({}).kind).toBe('verifier')
    expect(builtins['humaneval-js']!({}).kind).toBe('task')
    expect(builtins.humaneval!({}).kind).toBe('task')
    expect(() => builtins['humaneval-js']!({ limit: 0 })).toThrow(/bonbench:humaneval-js/)
  })
})
