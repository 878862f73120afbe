import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bench, tempDir } from './cli-helper.js'

describe('bench run with a plugin that breaks its contract', () => {
  const project = tempDir('bonbench-contract-cli-')
  afterAll(() => project.cleanup())

  it('stops with exit 4 (a run that stopped after it started) and a BENCH_PLUGIN_CONTRACT message naming plugin, call, expected and got; the journal keeps the finished cell', async () => {
    // A selector verifier that answers its first call properly and drops one verdict from then on.
    writeFileSync(
      join(project.dir, 'short.mjs'),
      `let calls = 0
export default () => ({
  name: 'acme/short', kind: 'verifier', meta: { version: '1.0.0' },
  async score(batch) {
    const verdicts = batch.map((item) => ({ score: item.completion.length, reason: 'scored' }))
    return ++calls === 1 ? verdicts : verdicts.slice(1)
  },
})
`,
    )
    writeFileSync(
      join(project.dir, 'bench.config.mjs'),
      `export default {
  plugins: ['./short.mjs'],
  matrix: { task: 'toy', model: 'tabular', verifier: 'acme/short', nGrid: [1, 2], seeds: [1, 2] },
  eval: { testPrompts: 2 },
}
`,
    )
    const result = await bench(['run', '--no-reports'], { cwd: project.dir })
    expect(result.exitCode, result.stderr).toBe(4)
    expect(result.stderr).toContain(
      "bench: verifier plugin 'acme/short' broke its contract in score() of 8 candidate(s): expected 8 verdicts (one per candidate, in order), got 7 verdicts.",
    )
    expect(result.stderr).toContain('base-n1-t1-s2: (the error above)')
    expect(result.stderr).toMatch(/bench run --resume \S+/)
    const runsDir = join(project.dir, '.bench', 'runs')
    const [runId] = readdirSync(runsDir)
    const records = readFileSync(join(runsDir, runId!, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; cellId?: string })
    expect(records.filter((r) => r.type === 'cell').map((r) => r.cellId)).toEqual(['base-n1-t1-s1'])
    expect(records.filter((r) => r.type === 'error').map((r) => r.cellId)).toEqual(['base-n1-t1-s2'])
  })
})
