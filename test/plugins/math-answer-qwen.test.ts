import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { mathAnswer } from '../../plugins/verifiers/math-answer/index.js'

const dataDir = path.resolve(fileURLToPath(import.meta.url), '../../..', '../shared/data')

/** One record of Qwen2.5-Math's `math_cot_100.jsonl` (only the fields read here). */
interface QwenRecord {
  idx: number
  question: string
  gt: string
  answer: string
  response: string[]
  score: boolean[]
}

const records: QwenRecord[] = gunzipSync(readFileSync(path.join(dataDir, 'samples/qwen25math_math_cot_100.jsonl.gz')))
  .toString('utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as QwenRecord)

/**
 * Every sample where math-answer and the Qwen2.5-Math grader disagree, keyed `idx#sample`, with
 * why. Graded against `gt`, the reference Qwen's own labels were computed against.
 */
const disagreementsVsGt: Record<string, string> = {
  '72#7': 'boxed 10000 against gt 10{,}000: Qwen keeps the {,} thousands separator and marks it wrong; math-answer reads both as 10000',
}

/**
 * Graded against `answer` (the raw MATH answer) instead. Qwen's gt for idx 3 is the mangled
 * '4:30p..', so Qwen marked every "4:30 \text{ p.m.}" wrong; math-answer matches it to \text{4:30 p.m.}.
 */
const disagreementsVsAnswer: Record<string, string> = {
  ...disagreementsVsGt,
  ...Object.fromEntries(
    Array.from({ length: 8 }, (_, j) => [`3#${j}`, "boxed '4:30 \\text{ p.m.}' equals the MATH answer; Qwen graded it against its mangled gt '4:30p..'"]),
  ),
}

async function grade(reference: 'gt' | 'answer'): Promise<{ agreed: number; total: number; disagreements: string[] }> {
  const verifier = mathAnswer()
  const items = records.flatMap((r) =>
    r.response.map((completion) => ({ problem: { id: String(r.idx), prompt: r.question, answer: r[reference] }, completion })),
  )
  const verdicts = await verifier.score(items, { concurrency: 1 })
  const labels = records.flatMap((r) => r.score)
  const disagreements: string[] = []
  verdicts.forEach((v, i) => {
    if (v.pass !== labels[i]) disagreements.push(`${items[i]!.problem.id}#${i % 8}`)
  })
  return { agreed: verdicts.length - disagreements.length, total: verdicts.length, disagreements }
}

describe('math-answer against the Qwen2.5-Math grader (100 MATH problems × 8 responses)', () => {
  it('reads 800 labelled responses', () => {
    expect(records).toHaveLength(100)
    expect(records.every((r) => r.response.length === 8 && r.score.length === 8 && r.score.every((s) => typeof s === 'boolean'))).toBe(true)
  })

  it('agrees on ≥ 98% graded against gt, and disagrees exactly where listed', async () => {
    const { agreed, total, disagreements } = await grade('gt')
    expect(total).toBe(800)
    expect(agreed / total).toBeGreaterThanOrEqual(0.98)
    expect(disagreements.sort()).toEqual(Object.keys(disagreementsVsGt).sort())
  })

  it('agrees on ≥ 98% graded against the raw MATH answer, and disagrees exactly where listed', async () => {
    const { agreed, total, disagreements } = await grade('answer')
    expect(agreed / total).toBeGreaterThanOrEqual(0.98)
    expect(disagreements.sort()).toEqual(Object.keys(disagreementsVsAnswer).sort())
  })
})
