import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { benchInProcess as bench } from './cli-help.js'
import { sharedData, tempDir } from './cli-helper.js'

// Every command in this process (benchInProcess): what they check is what bench weights prints and writes.

const { dir, cleanup } = tempDir('bonbench-weights-')
afterAll(cleanup)

const readLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)

describe('bench weights', () => {
  it('writes the weighted JSONL of bon-rlb for the raw Qwen2.5-Math output: one line per sequence, group statistics on each', async () => {
    const out = path.join(dir, 'qwen-weighted.jsonl')
    const qwen = path.join(sharedData, 'samples/qwen25math_math_cot_100.jsonl.gz')
    const result = await bench(['weights', 'bon-rlb', '--samples', qwen, '--out', out, '--n-train', '4', '--options', '{"k": 8}'], { cwd: dir })
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/bonbench:bon-rlb \(selection: reward\) at N′ = 4, λ = 4\.917, K = 8/)
    expect(result.stdout).toMatch(/wrote 800 sequences \(\d+ with a non-zero weight\) from 100 groups of 100 prompts/)
    const lines = readLines(out)
    expect(lines).toHaveLength(800)
    expect(Object.keys(lines[0]!).sort()).toEqual(['completion', 'group', 'group_stats', 'prompt', 'prompt_id', 'reward', 'role', 'sample', 'score', 'weight'])
    expect(lines[0]!.group_stats).toMatchObject({ k: 8, n_train: 4, mean_reward: 1, n_correct: 8 })
    // A group whose 8 samples are all correct: p̂ is clipped to 1/(K+1) = 1/9, and each of the B = 2
    // picks gets g⁺/B = N p^(N−1) / (1 − p^N) / 2 (plugins/strategies/bon-rlb.ts); the rest 0.
    const groups = new Map<unknown, typeof lines>()
    for (const l of lines) groups.set(l.prompt_id, [...(groups.get(l.prompt_id) ?? []), l])
    const allCorrect = [...groups.values()].filter((g) => g.every((l) => l.reward === 1))
    expect(allCorrect.length).toBeGreaterThan(50)
    const p = 1 / 9
    const gPlus = (4 * p ** 3) / (1 - p ** 4) / 2
    for (const group of allCorrect) {
      const weights = group.map((l) => l.weight as number).filter((w) => w !== 0)
      expect(weights).toHaveLength(2)
      weights.forEach((w) => expect(w).toBeCloseTo(gPlus, 15))
    }
    expect(lines.some((l) => l.weight !== 0)).toBe(true)
  })

  it('the same call twice writes the same bytes', async () => {
    const dump = path.join(dir, 'scored.jsonl')
    const rows = Array.from({ length: 8 }, (_, i) => ({ id: 'a', prompt: 'P', text: `t${i}`, reward: i % 3 === 0, score: (i * 7) % 5 }))
    writeFileSync(dump, rows.map((row) => JSON.stringify(row)).join('\n'))
    const run = async (file: string, seed: string) => {
      const result = await bench(['weights', 'bon-rl', '--samples', dump, '--out', file, '--n-train', '2', '--seeds', seed], { cwd: dir })
      expect(result.exitCode, result.stderr).toBe(0)
      return readFileSync(file, 'utf8')
    }
    const first = await run(path.join(dir, 'a.jsonl'), '0')
    expect(await run(path.join(dir, 'b.jsonl'), '0')).toBe(first)
    expect(readLines(path.join(dir, 'a.jsonl'))).toHaveLength(8)
  })

  it('refuses, with exit 2, a strategy that needs reference samples, a dump without texts, bad --options', async () => {
    const qwen = path.join(sharedData, 'samples/qwen25math_math_cot_100.jsonl.gz')
    const vbon = await bench(['weights', 'vbon', '--samples', qwen, '--out', path.join(dir, 'x.jsonl')], { cwd: dir })
    expect(vbon.exitCode).toBe(2)
    expect(vbon.stderr).toContain('reference policy')
    const noText = path.join(dir, 'no-text.jsonl')
    writeFileSync(noText, JSON.stringify({ id: 'a', prompt: 'P', samples: [{ reward: 1 }, { reward: 0 }, { reward: 1 }, { reward: 0 }] }))
    const textless = await bench(['weights', 'rl', '--samples', noText, '--out', path.join(dir, 'y.jsonl')], { cwd: dir })
    expect(textless.exitCode).toBe(2)
    expect(textless.stderr).toContain("sample 0 of 'a' has no text")
    const badOptions = await bench(['weights', 'bon-rl', '--samples', qwen, '--out', path.join(dir, 'z.jsonl'), '--options', '{k: 8}'], { cwd: dir })
    expect(badOptions.exitCode).toBe(2)
    expect(badOptions.stderr).toContain('--options: not valid JSON')
  })
})
