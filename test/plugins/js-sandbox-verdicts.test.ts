import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { humanevalJs } from '../../plugins/tasks/humaneval-js/index.js'
import { jsSandbox } from '../../plugins/verifiers/js-sandbox/index.js'
import { humanevalXFile } from './code-fixtures.js'
import { variantsOf } from './js-sandbox-variants.js'

// The verdicts js-sandbox gave before its speed-up (issue 17), recorded once per candidate as
// `pass reason sha256(detail)[0:12]` (by main at e114af9, before this change): references and wrong
// variants of every HumanEval-X problem.
// A change to how candidates run must reproduce every one, detail text included. For a syntax
// verdict the recording kept the first line of the detail only: the rest was the host's own stack
// (the host's file paths, so it differed between installs), which a syntax detail no longer carries.
const recorded = JSON.parse(readFileSync(new URL('../fixtures/js-sandbox-verdicts.json', import.meta.url), 'utf8')) as Record<string, string>

describe('js-sandbox verdicts on HumanEval-X are those recorded before the speed-up', () => {
  it('references and wrong variants (constant, another problem’s reference, off-by-one mutants, throws, syntax, loops): identical pass, reason and detail', async () => {
    const data = await humanevalJs().load({ seed: 0, dataPath: humanevalXFile })
    // The 'loops' variants (`for (;;) {}`) can end only by the time limit: they spin to it under a
    // short one of their own (the problem's `data.timeoutMs`), LOOP_MS instead of 500 ms. Their
    // detail names the limit in force; it is compared with the recorded one (at 500 ms) below.
    const LOOP_MS = 100
    const loops = (key: string) => key.endsWith(' loops')
    const items = variantsOf([...data.train, ...data.test]).map((item) =>
      loops(item.key) ? { ...item, problem: { ...item.problem, data: { ...(item.problem.data as object), timeoutMs: LOOP_MS } } } : item,
    )
    const verifier = jsSandbox({ timeoutMs: 500, wallTimeMs: 3000, calibrate: false })
    const verdicts = await verifier.score(items, { concurrency: 2 })
    verifier.dispose()
    const hostFrames = verdicts.filter((v) => /^\s+at .*[/\\]/m.test(v.detail ?? ''))
    expect(hostFrames).toEqual([])
    const loopDetail = `ran longer than the time limit of ${LOOP_MS} ms`
    const got = Object.fromEntries(
      verdicts.map((v, i) => [
        items[i]!.key,
        `${v.pass ? 1 : 0} ${v.reason} ${createHash('sha256')
          .update(loops(items[i]!.key) && v.detail === loopDetail ? 'ran longer than the time limit of 500 ms' : (v.detail ?? ''))
          .digest('hex')
          .slice(0, 12)}`,
      ]),
    )
    expect(Object.keys(got)).toHaveLength(959)
    // Tests that draw random inputs (Math.random) fail with different values each run: for their
    // candidates only pass and reason must match.
    const random = new Set(items.filter((item) => /Math\.random/.test(String((item.problem.data as { test?: unknown }).test))).map((item) => item.key))
    expect(random.size).toBeGreaterThan(0)
    const comparable = (verdicts: Record<string, string>) =>
      Object.fromEntries(Object.entries(verdicts).map(([key, v]) => [key, random.has(key) ? v.split(' ').slice(0, 2).join(' ') : v]))
    expect(comparable(got)).toEqual(comparable(recorded))
    // The set spans every verdict a candidate of these problems can get but 'memory' (the hostile suite has those).
    expect(new Set(Object.values(got).map((s) => s.split(' ')[1]))).toEqual(new Set(['passed', 'assertion', 'runtime', 'syntax', 'timeout']))
  })
})
