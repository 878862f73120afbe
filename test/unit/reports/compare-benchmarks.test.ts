import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { BenchmarkFile, BenchmarkRecord } from '../../../core/benchmark-format.js'
import { compareBenchmarks } from '../../../reports/compare-benchmarks.js'
import { compareToJunit, compareToMarkdown, formatComparison } from '../../../reports/compare-format.js'
import { compareRuns, withBenchmarks } from '../../../reports/compare.js'
import { repoRoot } from '../../e2e/cli-helper.js'
import { syntheticRunData } from '../../helpers/synthetic-run.js'

// Same code, same machine, another night: the shared machine's noise, as an outside review measured
// it on benchmarks/metrics.bench.ts (p99 latency −160%, a mean −30%), and one record unchanged.
const P99 = { case: 'pass@k n=1024', metric: 'latency-p99', unit: 'ms', higherIsBetter: false } as const
const MEAN = { case: 'pass@k n=1024', metric: 'latency-mean', unit: 'ms', higherIsBetter: false } as const
const OPS = { case: 'bo-n n=1024', metric: 'throughput', unit: 'ops/s', higherIsBetter: true } as const

function night(day: number, values: { p99: number; mean: number; ops: number }): BenchmarkFile {
  const records: BenchmarkRecord[] = [
    { ...P99, value: values.p99 },
    { ...MEAN, value: values.mean, rme: 2 },
    { ...OPS, value: values.ops, rme: 1 },
  ]
  return {
    format: 'bonbench-benchmark',
    version: 1,
    suite: 'metrics',
    createdAt: `2026-11-${String(day).padStart(2, '0')}T03:00:00.000Z`,
    git: { commit: `c${day}` },
    machine: { cpus: 2, cpuModel: 'AMD EPYC', node: 'v20', os: 'linux', arch: 'x64' },
    records,
  }
}

const base = [night(24, { p99: 1.0, mean: 1.0, ops: 1000 })]
const noisy = [night(25, { p99: 2.6, mean: 1.3, ops: 1000 })]
const run = syntheticRunData({ prompts: 10, poolSize: 4, grid: [1, 2], temperatures: [1], seeds: [0], bootstrap: 20, trainSteps: 2 })

describe('compareBenchmarks: a record judged against the base night alone is reported, not judged', () => {
  it('fails nothing on one noisy night against one other, and says why', () => {
    const b = compareBenchmarks(base, noisy, 10, undefined, { strict: false })
    const status = Object.fromEntries(b.diffs.map((d) => [d.metric, d.status]))
    expect(status).toEqual({ 'latency-p99': 'regression', 'latency-mean': 'regression', throughput: 'ok' })
    expect(b.regressions).toEqual([])
    expect(b.notJudged.map((d) => d.metric)).toEqual(['latency-p99', 'latency-mean'])
    expect(b.strict).toBe(false)
    for (const d of b.diffs) expect(d).toMatchObject({ judgedBy: 'base', nights: 1, notJudged: 'not judged: 1 of 3 nights of history' })

    const c = withBenchmarks(compareRuns(run, run), b)
    expect(c.regressed).toBe(false)
    const md = compareToMarkdown(c)
    expect(md.split('\n')[2]).toMatch(
      /^✅ \*\*No significant regression\*\* \(2 benchmark record\(s\) worse than the base run, not judged: too little history\)/,
    )
    expect(md).not.toContain('### Benchmark regressions')
    expect(md).toContain('### Benchmarks worse than the base run, not judged')
    expect(md).toContain('| −160.0% | ±10.0% | regression (not judged: 1 of 3 nights of history) |')
    const json = JSON.parse(formatComparison(c, 'json'))
    expect(json.regressed).toBe(false)
    expect(json.benchmarks.regressions).toEqual([])
    expect(json.benchmarks.diffs[0].notJudged).toBe('not judged: 1 of 3 nights of history')
    const xml = compareToJunit(c)
    expect(xml).not.toContain('<failure ')
    expect(xml).toContain('<skipped message="worse by 160.0%; not judged: 1 of 3 nights of history"/>')
    expect(xml).toContain('failures="0"')
  })

  it('counts the nights of a short history: one earlier night and the base run are 2 of 3', () => {
    const b = compareBenchmarks(base, noisy, 10, [night(23, { p99: 1.1, mean: 1.0, ops: 990 })], { strict: false })
    expect(b.regressions).toEqual([])
    expect(b.diffs[0]).toMatchObject({ judgedBy: 'base', nights: 2, notJudged: 'not judged: 2 of 3 nights of history' })
    expect(compareToMarkdown(withBenchmarks(compareRuns(run, run), b))).toContain('regression (not judged: 2 of 3 nights of history)')
  })

  it('counts them with strict (bench compare --bench-strict), as before', () => {
    const b = compareBenchmarks(base, noisy, 10, undefined, { strict: true })
    expect(b.regressions.map((d) => d.metric)).toEqual(['latency-p99', 'latency-mean'])
    expect(b.notJudged).toEqual([])
    expect(b.diffs.every((d) => d.notJudged === undefined)).toBe(true)
    expect(withBenchmarks(compareRuns(run, run), b).regressed).toBe(true)
  })

  it('lets the band decide once 3 earlier nights exist: noise inside it passes, a real slowdown fails', () => {
    // Two earlier nights and the base run: 3 nights, with a p99 that moves by a factor of 2.5.
    const history = [night(22, { p99: 2.5, mean: 1.02, ops: 1010 }), night(23, { p99: 1.6, mean: 0.98, ops: 995 })]
    const judged = compareBenchmarks(base, noisy, 10, history, { strict: false })
    const p99 = judged.diffs.find((d) => d.metric === 'latency-p99')!
    expect(p99).toMatchObject({ judgedBy: 'history', nights: 3, status: 'ok' })
    expect(p99.notJudged).toBeUndefined()
    // The mean is steady over the nights: 30% slower is beyond its band, and counts.
    expect(judged.regressions.map((d) => [d.metric, d.judgedBy])).toEqual([['latency-mean', 'history']])
    expect(judged.notJudged).toEqual([])
  })
})

describe('the nightly workflow (docs/nightly.md) grows the benchmark history whatever the verdict', () => {
  const doc = readFileSync(`${repoRoot}/docs/nightly.md`, 'utf8')
  const yaml = /```yaml\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf('### GitHub Actions workflow')))![1]!
  const steps = yaml.split(/\n(?= {6}- )/).slice(1)
  const step = (name: string) => {
    const found = steps.filter((s) => s.includes(name))
    expect(found, name).toHaveLength(1)
    return found[0]!
  }

  it("adds tonight's benchmarks to the history and stores it on every night, in its own artifact", () => {
    expect(step("name: Add tonight's benchmarks to the history")).toContain('if: always()')
    const store = step('name: nightly-bench-history')
    expect(store).toContain('if: always()')
    expect(store).toContain('path: bench-history/')
    expect(step('name: Fetch the benchmark history')).toContain('--name nightly-bench-history')
    expect(step('name: Compare with the last good run')).toContain('--bench-history bench-history')
  })

  it('advances the last good run only on success, and it no longer carries the history', () => {
    const lastGood = step('name: nightly-last-good')
    expect(lastGood).toContain('if: success()')
    expect(lastGood).not.toContain('bench-history')
  })
})
