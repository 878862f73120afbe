import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { benchInProcess as bench } from './cli-help.js'
import { sharedData, tempDir } from './cli-helper.js'

// Every command in this process (benchInProcess): what they check is what bench score prints.

// `bench score` through the real CLI: the Qwen2.5-Math dump (100 MATH problems × 8 samples), a
// gzipped per-sample dump with uneven pools, and bad lines.

interface QwenRow {
  idx: number
  score: unknown
  pred_score: unknown
  pred: unknown
}

/** The shared README says some fields may be Python-literal strings; the copy here holds JSON lists. Accept both. */
function literal(value: unknown): unknown {
  if (typeof value !== 'string') return value
  const json = value
    .replace(/\bTrue\b/g, 'true')
    .replace(/\bFalse\b/g, 'false')
    .replace(/\bNone\b/g, 'null')
    .replace(/'/g, '"')
  return JSON.parse(json)
}

function qwenProblems() {
  const text = gunzipSync(readFileSync(join(sharedData, 'samples/qwen25math_math_cot_100.jsonl.gz'))).toString('utf8')
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const row = JSON.parse(l) as QwenRow
      const correct = literal(row.score) as boolean[]
      const scores = (literal(row.pred_score) as number[][]).map((s) => (Array.isArray(s) ? s[0]! : (s as number)))
      const preds = literal(row.pred) as string[]
      return { id: row.idx, samples: correct.map((c, i) => ({ reward: c ? 1 : 0, score: scores[i]!, answer: String(preds[i]) })) }
    })
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length

let dir: string
let cleanup: () => void
let problems: ReturnType<typeof qwenProblems>
beforeAll(() => {
  ;({ dir, cleanup } = tempDir('bonbench-score-'))
  problems = qwenProblems()
  writeFileSync(join(dir, 'qwen.jsonl'), `${problems.map((p) => JSON.stringify(p)).join('\n')}\n`)
})
afterAll(() => cleanup())

describe('bench score on the Qwen2.5-Math dump', () => {
  it('prints pass@k, Bo-k and maj@k matching the dump and Qwen’s own rm@8 / maj@8 rules', async () => {
    expect(problems).toHaveLength(100)
    expect(problems.every((p) => p.samples.length === 8)).toBe(true)
    const r = await bench(['score', 'qwen.jsonl', '--json'], { cwd: dir })
    expect(r.exitCode, String(r.stderr)).toBe(0)
    const out = JSON.parse(String(r.stdout))
    expect(out).toMatchObject({ n: 8, problems: 100, k: [1, 2, 4, 8], threshold: 1 })

    // pass@1 = mean correctness; pass@8 = share of problems with any correct sample.
    expect(out.passAtK['1']).toBeCloseTo(mean(problems.flatMap((p) => p.samples.map((s) => s.reward))), 12)
    expect(out.passAtK['1']).toBeCloseTo(0.91, 12)
    expect(out.passAtK['8']).toBeCloseTo(problems.filter((p) => p.samples.some((s) => s.reward === 1)).length / 100, 12)
    expect(out.passAtK['8']).toBeCloseTo(0.96, 12)

    // Qwen's script: rm@8 = correctness of the argmax of pred_score (first on ties);
    // maj@8 = correctness of the most frequent pred (first seen on ties).
    let qwenRm = 0
    let qwenMaj = 0
    let tieAvgRm = 0
    let tieAvgMaj = 0
    let rmTies = 0
    let majTies = 0
    for (const { samples } of problems) {
      const top = Math.max(...samples.map((s) => s.score))
      qwenRm += samples.find((s) => s.score === top)!.reward
      const atTop = samples.filter((s) => s.score === top)
      tieAvgRm += mean(atTop.map((s) => s.reward))
      if (atTop.length > 1 && new Set(atTop.map((s) => s.reward)).size > 1) rmTies++
      const counts = new Map<string, number[]>()
      for (const s of samples) counts.set(s.answer, [...(counts.get(s.answer) ?? []), s.reward])
      const most = Math.max(...[...counts.values()].map((v) => v.length))
      const winners = [...counts.entries()].filter(([, v]) => v.length === most)
      qwenMaj += winners[0]![1][0]!
      tieAvgMaj += mean(winners.map(([, v]) => mean(v)))
      if (winners.length > 1) majTies++
    }
    expect(qwenRm / 100).toBeCloseTo(0.94, 12)
    expect(qwenMaj / 100).toBeCloseTo(0.93, 12)
    // bench splits ties evenly; Qwen takes the first: they differ by at most the tied problems.
    expect(out.bestOfN['8']).toBeCloseTo(tieAvgRm / 100, 12)
    expect(out.majorityAtK['8']).toBeCloseTo(tieAvgMaj / 100, 12)
    expect(Math.abs(out.bestOfN['8'] - qwenRm / 100)).toBeLessThanOrEqual(rmTies / 100 + 1e-12)
    expect(Math.abs(out.majorityAtK['8'] - qwenMaj / 100)).toBeLessThanOrEqual(majTies / 100 + 1e-12)
    expect(out.majorityExact).toEqual({ '1': true, '2': true, '4': true, '8': true })
    for (const metric of ['passAtK', 'bestOfN', 'majorityAtK'] as const) {
      for (const k of ['1', '2', '4', '8']) {
        const [lo, hi] = out.ci[metric][k] as [number, number]
        expect(lo).toBeLessThanOrEqual(out[metric][k])
        expect(hi).toBeGreaterThanOrEqual(out[metric][k])
      }
    }
  })

  it('prints a readable table with CIs', async () => {
    const r = await bench(['score', 'qwen.jsonl'], { cwd: dir })
    expect(r.exitCode, String(r.stderr)).toBe(0)
    const text = String(r.stdout)
    expect(text).toContain('100 problems · n = 8 samples each')
    expect(text).toMatch(/^k\s+pass@k\s+Bo-k\s+maj@k\s+distinct@k$/m)
    expect(text).toMatch(/^1\s+0\.9100 \[0\.\d{4}, 0\.\d{4}\]/m)
    expect(text).toMatch(/^8\s+0\.9600 \[0\.\d{4}, 0\.\d{4}\]\s+0\.9400 /m)
  })
})

describe('bench score on other dumps', () => {
  it('reads a gzipped per-sample dump with uneven pools and a chosen k grid and threshold', async () => {
    const lines = [
      ...[0.2, 0.9, 0.6].map((reward, i) => ({ id: 'a', reward, score: i })),
      ...[0, 1, 1, 0.7, 0].map((reward, i) => ({ id: 'b', reward, score: 5 - i, answer: reward > 0.5 ? 'yes' : 'no' })),
    ]
    writeFileSync(join(dir, 'uneven.jsonl.gz'), gzipSync(lines.map((l) => JSON.stringify(l)).join('\n')))
    const r = await bench(['score', 'uneven.jsonl.gz', '--k', '3,1', '--threshold', '0.6', '--json'], { cwd: dir })
    expect(r.exitCode, String(r.stderr)).toBe(0)
    const out = JSON.parse(String(r.stdout))
    expect(out).toMatchObject({ n: 3, nMax: 5, problems: 2, k: [1, 3] })
    // a: 2 of 3 reach 0.6 → pass@1 2/3, pass@3 1; b: 3 of 5 → pass@1 3/5, pass@3 1 − C(2,3)/C(5,3) = 1.
    expect(out.passAtK['1']).toBeCloseTo((2 / 3 + 3 / 5) / 2, 12)
    expect(out.passAtK['3']).toBeCloseTo(1, 12)
    // Bo-1 is the mean reward; maj@k for a (no answers) is absent data, so it counts as abstaining.
    expect(out.bestOfN['1']).toBeCloseTo((mean([0.2, 0.9, 0.6]) + mean([0, 1, 1, 0.7, 0])) / 2, 12)
    expect(out.notes).toEqual([expect.stringContaining('3 of 8 samples carry no answer')])
  })

  it('fails on a bad line naming the file and line (exit 2), and skips it with a warning under --skip-bad-lines', async () => {
    writeFileSync(
      join(dir, 'bad.jsonl'),
      '{"id": 1, "reward": 1, "score": 1}\n{"id": 1, "reward": 0, "score": 0}\n{"id": 2, "reward": oops}\n{"id": 2, "reward": 1, "score": 2}\n',
    )
    const failed = await bench(['score', 'bad.jsonl'], { cwd: dir })
    expect(failed.exitCode).toBe(2)
    expect(String(failed.stderr)).toMatch(/^bench: bad\.jsonl:3: bad line: not valid JSON .*--skip-bad-lines/m)
    expect(String(failed.stdout)).toBe('')
    const skipped = await bench(['score', 'bad.jsonl', '--skip-bad-lines', '--json'], { cwd: dir })
    expect(skipped.exitCode, String(skipped.stderr)).toBe(0)
    expect(String(skipped.stderr)).toMatch(/warning: bad\.jsonl:3: skipped bad line/)
    const out = JSON.parse(String(skipped.stdout))
    expect(out).toMatchObject({ problems: 2, n: 1, nMax: 2, skippedLines: [{ line: 3 }] })
    expect(out.passAtK['1']).toBeCloseTo((0.5 + 1) / 2, 12)
  })

  it('rejects a k larger than the smallest pool, and a missing file, with exit 2', async () => {
    const tooBig = await bench(['score', 'qwen.jsonl', '--k', '1,16'], { cwd: dir })
    expect(tooBig.exitCode).toBe(2)
    expect(String(tooBig.stderr)).toMatch(/k = 16 does not fit.*n = 8/)
    const missing = await bench(['score', 'nowhere.jsonl'], { cwd: dir })
    expect(missing.exitCode).toBe(2)
    expect(String(missing.stderr)).toMatch(/cannot read sample dump nowhere\.jsonl/)
  })
})
