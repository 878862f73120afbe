import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Problem, TaskData } from '../../core/plugin-api/task.js'
import { gsm8k } from '../../plugins/tasks/gsm8k/index.js'
import { math500 } from '../../plugins/tasks/math500/index.js'
import { answersMatch, lastBoxed, mathAnswer, normalizeAnswer } from '../../plugins/verifiers/math-answer/index.js'

const dataDir = path.resolve(fileURLToPath(import.meta.url), '../../..', '../shared/data')

/** A wrong answer close to the right one: n + 1 for numbers, else one digit changed, else a prefix. */
function alter(answer: string): string {
  const n = normalizeAnswer(answer)
  if (/^-?\d+(\.\d+)?$/.test(n)) return String(Number(n) + 1)
  const digit = /\d/.exec(answer)
  if (digit) return answer.slice(0, digit.index) + String((Number(digit[0]) + 1) % 10) + answer.slice(digit.index + 1)
  return `2${answer}`
}

async function passRate(problems: Problem[], completion: (p: Problem) => string): Promise<string[]> {
  const verdicts = await mathAnswer().score(
    problems.map((problem) => ({ problem, completion: completion(problem) })),
    { concurrency: 1 },
  )
  return problems.filter((_, i) => !verdicts[i]!.pass).map((p) => p.id)
}

function replaceLastBoxed(solution: string, answer: string): string {
  const at = Math.max(solution.lastIndexOf('\\boxed'), solution.lastIndexOf('\\fbox'))
  const inner = lastBoxed(solution.slice(at))!
  const open = solution.indexOf('{', at)
  return solution.slice(0, open + 1) + answer + solution.slice(open + 1 + inner.length)
}

async function loadError(load: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await load
  } catch (error) {
    return error as { code?: string; message: string }
  }
  throw new Error('expected load to throw')
}

describe('math500 task', () => {
  let data: TaskData
  beforeAll(async () => {
    data = await math500().load({ seed: 0, dataPath: path.join(dataDir, 'math') })
  })

  it('loads all 500 problems into test with the file hash', () => {
    expect(data.train).toHaveLength(0)
    expect(data.test).toHaveLength(500)
    expect(new Set(data.test.map((p) => p.id)).size).toBe(500)
    expect(new Set(data.test.map((p) => p.level))).toEqual(new Set([1, 2, 3, 4, 5]))
    expect(data.files).toEqual([
      { path: path.join(dataDir, 'math/math500_test.jsonl'), sha256: '35dc41080a3680858b27fa7e0533d2d547825316fc5dafe5d316f4ccc5a06132' },
    ])
    expect(data.test[0]!.prompt).toMatch(/^Problem:\n[\s\S]+\n\nSolution:$/)
  })

  it('grades every reference solution correct', async () => {
    expect(await passRate(data.test, (p) => p.expert!)).toEqual([])
  })

  it('grades every solution with an altered answer incorrect', async () => {
    const failures = await passRate(data.test, (p) => replaceLastBoxed(p.expert!, alter(p.answer!)))
    expect(failures).toHaveLength(500)
  })

  it('finds the file from the data root too, and filters, limits and splits on request', async () => {
    const some = await math500({ levels: [5], limit: 20 }).load({ seed: 0, dataPath: dataDir })
    expect(some.test).toHaveLength(20)
    expect(some.test.every((p) => p.level === 5)).toBe(true)
    const split = await math500({ trainFraction: 0.5 }).load({ seed: 0, dataPath: path.join(dataDir, 'math/math500_test.jsonl') })
    expect(split.train.length).toBeGreaterThan(200)
    expect(split.test.length).toBeGreaterThan(200)
    expect(split.train.length + split.test.length).toBe(500)
  })
})

describe('full MATH test set through math500 (answers from the last \\boxed{})', () => {
  it('loads 5,000 problems whose extracted answers agree with MATH500 where they overlap', async () => {
    const full = await math500({ file: 'math_test_full.jsonl.gz' }).load({ seed: 0, dataPath: path.join(dataDir, 'math') })
    expect(full.test).toHaveLength(5000)
    expect(full.files![0]!.sha256).toBe('4da3735d9aa314b60aa8686c949200228714be5000217aaf90e1ea89429456c6')
    expect(full.test.every((p) => p.answer && p.answer.length > 0 && p.level! >= 1 && p.level! <= 5)).toBe(true)
    expect(await passRate(full.test, (p) => p.expert!)).toEqual([])
    const m500 = await math500().load({ seed: 0, dataPath: path.join(dataDir, 'math') })
    const byPrompt = new Map(full.test.map((p) => [p.prompt, p.answer!]))
    const shared = m500.test.filter((p) => byPrompt.has(p.prompt))
    expect(shared).toHaveLength(500)
    expect(shared.filter((p) => !answersMatch(byPrompt.get(p.prompt)!, p.answer!)).map((p) => p.id)).toEqual([])
  })
})

describe('gsm8k task', () => {
  let data: TaskData
  beforeAll(async () => {
    data = await gsm8k().load({ seed: 0, dataPath: path.join(dataDir, 'gsm8k') })
  })

  it('loads all 1,319 test problems with their #### answers and the file hash', () => {
    expect(data.train).toHaveLength(0)
    expect(data.test).toHaveLength(1319)
    expect(data.files![0]!.sha256).toBe('3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14')
    expect(data.test.every((p) => /^-?\d+(\.\d+)?$/.test(p.answer!))).toBe(true)
    expect(data.test.some((p) => p.expert!.includes('<<'))).toBe(false)
  })

  it('grades every reference solution correct and every altered one incorrect', async () => {
    expect(await passRate(data.test, (p) => p.expert!)).toEqual([])
    const altered = await passRate(data.test, (p) => p.expert!.replace(/####\s*(\S+)\s*$/, (_, n: string) => `#### ${alter(n)}`))
    expect(altered).toHaveLength(1319)
  })

  it('reads the gzipped train file', async () => {
    const train = await gsm8k({ file: 'train.jsonl.gz', limit: 100 }).load({ seed: 0, dataPath: path.join(dataDir, 'gsm8k') })
    expect(train.test).toHaveLength(100)
    expect(train.files![0]!.sha256).toBe('047ae96fb3025b18b8cfa89c4f9e9c7cd5120906864d58c3f93c91c495da6449')
  })
})

describe('dataset task errors', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bonbench-math-data-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const good = JSON.stringify({ problem: 'What is 1+1?', solution: 'It is $\\boxed{2}$.', level: 'Level 1', type: 'Algebra', idx: 0 })

  it.each([
    ['math500', () => math500()],
    ['gsm8k', () => gsm8k()],
  ])('%s without --data throws BENCH_DATA_MISSING', async (_, make) => {
    const error = await loadError(make().load({ seed: 0 }))
    expect(error.code).toBe('BENCH_DATA_MISSING')
    expect(error.message).toMatch(/--data/)
    expect((await loadError(make().load({ seed: 0, dataPath: path.join(dir, 'nope') }))).code).toBe('BENCH_DATA_MISSING')
    expect((await loadError(make().load({ seed: 0, dataPath: dir }))).code).toBe('BENCH_DATA_MISSING')
  })

  it.each([
    ['bad-json.jsonl', `${good}\n\n{"problem": oops}\n`, 3, /not valid JSON/],
    ['no-answer.jsonl', `${good}\n${JSON.stringify({ problem: 'x', solution: 'no box' })}\n`, 2, /no 'answer' field/],
    ['array.jsonl.gz', gzipSync(`${good}\n[1, 2]\n`), 2, /not a JSON object/],
    ['duplicate.jsonl', `${good}\n${good}\n`, 2, /duplicate id/],
  ])('math500 names file and line for %s', async (name, content, line, reason) => {
    const file = path.join(dir, name)
    writeFileSync(file, content)
    const error = await loadError(math500().load({ seed: 0, dataPath: file }))
    expect(error.code).toBe('BENCH_DATA_INVALID')
    expect(error.message).toContain(`${file}:${line}:`)
    expect(error.message).toMatch(reason)
  })

  it('gsm8k names file and line for an answer without ####', async () => {
    const file = path.join(dir, 'gsm.jsonl')
    writeFileSync(file, `${JSON.stringify({ question: 'q', answer: 'a\n#### 1,200' })}\n${JSON.stringify({ question: 'q2', answer: 'just 5' })}\n`)
    const error = await loadError(gsm8k().load({ seed: 0, dataPath: file }))
    expect(error.code).toBe('BENCH_DATA_INVALID')
    expect(error.message).toContain(`${file}:2:`)
    const ok = await gsm8k({ limit: 1 }).load({ seed: 0, dataPath: path.join(dataDir, 'gsm8k/test.jsonl') })
    expect(ok.test).toHaveLength(1)
  })

  it('rejects bad options with the plugin name', () => {
    expect(() => math500({ template: 'no placeholder' })).toThrow(/bonbench:math500/)
    expect(() => gsm8k({ limit: 0 })).toThrow(/bonbench:gsm8k/)
  })
})
