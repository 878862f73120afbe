import { describe, expect, it } from 'vitest'
import type { BenchmarkFile } from '../../../core/benchmark-format.js'
import { compareBenchmarks } from '../../../reports/compare-benchmarks.js'
import { compareToJunit, compareToMarkdown } from '../../../reports/compare-format.js'
import { compareRuns, withBenchmarks } from '../../../reports/compare.js'
import type { BenchError } from '../../../core/errors.js'
import { runDataOf } from '../../../core/run/run-record.js'
import type { SyntheticRunSpec } from '../../helpers/synthetic-run.js'
import { promptDifficulties, syntheticRunData } from '../../helpers/synthetic-run.js'

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))

const spec: SyntheticRunSpec = {
  prompts: 40,
  poolSize: 8,
  grid: [1, 2, 4, 8],
  temperatures: [0.7, 1],
  seeds: [0, 1],
  bootstrap: 10,
  withText: false,
  trainSteps: 0,
}
const drop = 1.5
const target = (k: { strategy: string; temperature: number }) => k.strategy === 'bon-rl' && k.temperature === 1

describe('bench compare: planted differences', () => {
  const base = syntheticRunData({ ...spec, seed: 11, runId: 'last-good' })
  const regressed = syntheticRunData({ ...spec, seed: 12, runId: 'tonight', cellShift: (k) => (target(k) ? -drop : 0) })
  const result = compareRuns(base, regressed, { threshold: 1 })

  it('flags the regressed cell, and only it, with the size of the drop', () => {
    expect(result.regressed).toBe(true)
    // Only the primary metrics (pass@1, Bo-N′, pass@max N) are tested; at least two of the three catch it.
    expect(result.regressions.length).toBeGreaterThanOrEqual(2)
    expect(result.regressions.every((r) => r.primary)).toBe(true)
    expect(new Set(result.regressions.map((r) => r.groupId))).toEqual(new Set(['math/tiny-transformer/bon-rl/n4/t1']))
    // the true drop of pass@1, from the generator's own model: mean over prompts of σ(d + s − drop) − σ(d + s)
    const truth = promptDifficulties(7, 40).reduce((s, d) => s + sigmoid(d + 0.6 - drop) - sigmoid(d + 0.6), 0) / 40
    const pass1 = result.regressions.find((r) => r.metric === 'pass1')!
    expect(pass1.diff).toBeCloseTo(pass1.next - pass1.base, 12)
    expect(Math.abs(pass1.diff - truth)).toBeLessThan(0.05)
    expect(pass1.ci[0]).toBeLessThan(truth)
    expect(pass1.ci[1]).toBeGreaterThan(truth)
    expect(pass1.ci[1]).toBeLessThan(0)
    expect(pass1.pHolm).toBeLessThanOrEqual(0.05)
  })

  it('does not call a drop smaller than the threshold a regression, though it stays significant', () => {
    const strict = compareRuns(base, regressed, { threshold: 50 })
    expect(strict.regressed).toBe(false)
    expect(strict.cells.some((c) => c.significant && c.diff < 0)).toBe(true)
  })

  it('calls a planted gain an improvement, never a regression', () => {
    const better = syntheticRunData({ ...spec, seed: 13, cellShift: (k) => (target(k) ? drop : 0) })
    const c = compareRuns(base, better, { threshold: 1 })
    expect(c.regressed).toBe(false)
    expect(c.improvements.length).toBeGreaterThan(0)
    expect(new Set(c.improvements.map((r) => r.groupId))).toEqual(new Set(['math/tiny-transformer/bon-rl/n4/t1']))
  })

  it('aligns cells without their seeds and lists cells only one run has', () => {
    const other = syntheticRunData({
      ...spec,
      seed: 14,
      seeds: [5, 6, 7],
      strategies: [
        { name: 'bon-rl', nTrain: 4, shift: 0.6 },
        { name: 'rl', shift: 0.2 },
      ],
    })
    const c = compareRuns(base, other)
    expect(c.cells.filter((x) => x.groupId.includes('/bon-rl/')).every((x) => x.seeds.base === 2 && x.seeds.next === 3)).toBe(true)
    expect(c.onlyInBase).toEqual(['math/tiny-transformer/sft/n1/t0.7', 'math/tiny-transformer/sft/n1/t1'])
    expect(c.onlyInNext).toEqual(['math/tiny-transformer/rl/n1/t0.7', 'math/tiny-transformer/rl/n1/t1'])
    // The new run lacks the base run's sft cells: incomplete, which fails the verdict, not a note
    // at the bottom. Its other seeds (three, not the base's two) are another draw, not a loss.
    expect(c.missing).toEqual(['math/tiny-transformer/sft/n1/t0.7 (no cell)', 'math/tiny-transformer/sft/n1/t1 (no cell)'])
    expect(c.warnings).toContain('math/tiny-transformer/bon-rl/n4/t1: the runs drew other seeds (base 0, 1; new 5, 6, 7)')
    expect(compareToMarkdown(c)).toMatch(/^❌ \*\*Incomplete: the new run lacks 2 cell group\(s\) of the base run/m)
  })

  it('an unfinished new run (a seed or a cell gone) is incomplete, never a pass nor "not reproducible"; no cell in common is a usage error', () => {
    const same = syntheticRunData({ ...spec, seed: 11, runId: 'same' })
    const keep = (drop: (cell: { key: { strategy: string; seed: number } }) => boolean) => ({ ...same, cells: same.cells.filter((cell) => !drop(cell)) })
    const lostSeed = compareRuns(
      base,
      keep((cell) => cell.key.strategy === 'sft' && cell.key.seed === 1),
    )
    expect(lostSeed.notReproducible).toBe(false)
    expect(lostSeed.missing).toEqual(['math/tiny-transformer/sft/n1/t0.7 (seed 1)', 'math/tiny-transformer/sft/n1/t1 (seed 1)'])
    const lostCell = compareRuns(
      base,
      keep((cell) => cell.key.strategy === 'sft'),
    )
    expect(lostCell.regressed).toBe(false)
    expect(lostCell.missing).toEqual(['math/tiny-transformer/sft/n1/t0.7 (no cell)', 'math/tiny-transformer/sft/n1/t1 (no cell)'])
    expect(compareRuns(base, same).missing).toEqual([])
    const unrelated = syntheticRunData({ ...spec, seed: 11, runId: 'unrelated', temperatures: [1.4] })
    expect(() => compareRuns(base, unrelated)).toThrow(/the runs share no cell to compare \(the base run has 6 cell group\(s\), the new run 3/)
  })

  it('a run with no finished cell is named, with its journal and the fix for that side: restore a base run, finish a new one', () => {
    const same = syntheticRunData({ ...spec, seed: 11, runId: 'same' })
    const noCells = (run: typeof same) => ({ ...run, cells: [] })
    // A journal with records but no cell record (killed before its first cell finished).
    expect(() => compareRuns(noCells(base), same)).toThrow(
      /^the base run \/synthetic\/last-good has no finished cell \(\/synthetic\/last-good\/journal\.jsonl holds no finished cell record\): restore the base run's journal\.jsonl/,
    )
    // A missing or empty journal reads as no record at all.
    const bare = runDataOf('/synthetic/bare', base.manifest, [])
    const error = (() => {
      try {
        compareRuns(bare, same)
      } catch (e) {
        return e as BenchError
      }
    })()
    expect(error?.code).toBe('BENCH_RUN_INVALID')
    expect(error?.message).toContain('/synthetic/bare/journal.jsonl is missing or empty')
    // The resume hint belongs to the new run only.
    expect(error?.message).not.toContain('--resume')
    expect(() => compareRuns(base, noCells(same))).toThrow(
      'the new run /synthetic/same has no finished cell (/synthetic/same/journal.jsonl holds no finished cell record): check that it finished (bench run --resume /synthetic/same).',
    )
    expect(() => compareRuns(bare, noCells(same))).toThrow(/^the base run .*; and the new run /)
  })

  it('a new run that evaluated fewer N is incomplete: pass@max N of the base run is not silently replaced by a smaller N', () => {
    const shorter = syntheticRunData({ ...spec, grid: [1, 2, 4], seed: 11, runId: 'shorter' })
    const c = compareRuns(base, shorter)
    expect(c.missing).toHaveLength(6)
    expect(c.missing).toContain('math/tiny-transformer/sft/n1/t1 (N=8)')
    expect(c.cells.some((x) => x.n === 8)).toBe(false)
    expect(compareToMarkdown(c)).toMatch(/^❌ \*\*Incomplete: the new run lacks 6 cell group\(s\) of the base run \(.*\(N=8\)/m)
    // A longer grid in the new run loses nothing; both losses of one group are named together.
    expect(compareRuns(shorter, base).missing).toEqual([])
    const lostBoth = compareRuns(base, { ...shorter, cells: shorter.cells.filter((cell) => !(cell.key.strategy === 'sft' && cell.key.seed === 1)) })
    expect(lostBoth.missing).toContain('math/tiny-transformer/sft/n1/t1 (seed 1; N=8)')
  })

  it('prints a Markdown summary naming the cell and the drop, and JUnit XML with one failure per regression', () => {
    const md = compareToMarkdown(result)
    expect(md).toContain('❌')
    expect(md).toContain('### Regressions')
    const section = md.split('### Regressions')[1]!.split(/###|<details>/)[0]!
    const rows = section.split('\n').filter((l) => l.startsWith("| bon-rl N'=4 T=1 |"))
    expect(rows.length).toBe(result.regressions.length)
    const xml = compareToJunit(result)
    expect(xml.startsWith('<?xml version="1.0"')).toBe(true)
    expect(result.missing).toEqual([])
    expect(xml.match(/<failure /g)!.length).toBe(result.regressions.length)
    // One testcase per cell and metric, and one for completeness (passed: the new run lacks nothing).
    expect(xml).toContain(`tests="${result.cells.length + 1}" failures="${result.regressions.length}"`)
    expect(xml).toContain('<testcase classname="completeness" name="the new run evaluates everything the base run did"></testcase>')
    expect(compareToMarkdown(compareRuns(base, base))).toContain('✅ **No significant regression**')
  })
})

describe('bench compare: false alarms', () => {
  it('flags at most α of 200 pairs of runs that differ only by seed, yet catches a planted drop with the same settings', () => {
    const alpha = 0.05
    const nullSpec: SyntheticRunSpec = {
      prompts: 30,
      poolSize: 8,
      grid: [1, 4],
      strategies: [{ name: 'bon-rl', nTrain: 4, shift: 0.5 }],
      temperatures: [1],
      seeds: [0, 1],
      seedEffect: 0.1,
      withText: false,
      bootstrap: 2,
      trainSteps: 0,
    }
    let regressionAlarms = 0
    let anySignificant = 0
    let tests = 0
    for (let i = 0; i < 200; i++) {
      const a = syntheticRunData({ ...nullSpec, seed: 5000 + 2 * i })
      const b = syntheticRunData({ ...nullSpec, seed: 5001 + 2 * i })
      const c = compareRuns(a, b, { threshold: 0, alpha, resamples: 200, seed: i })
      tests = c.cells.length
      if (c.regressed) regressionAlarms++
      if (c.cells.some((x) => x.significant)) anySignificant++
    }
    expect(tests).toBe(6) // 2 cells × (pass@1, pass@4, Bo-4): Holm corrects across all of them
    expect(regressionAlarms / 200).toBeLessThanOrEqual(alpha)
    expect(anySignificant / 200).toBeLessThanOrEqual(alpha)

    const a = syntheticRunData({ ...nullSpec, seed: 9000 })
    const b = syntheticRunData({ ...nullSpec, seed: 9001, cellShift: (k) => (k.strategy === 'bon-rl' ? -1.5 : 0) })
    const planted = compareRuns(a, b, { threshold: 0, alpha, resamples: 200 })
    expect(planted.regressions.map((r) => r.groupId)).toContain('math/tiny-transformer/bon-rl/n4/t1')
    expect(planted.regressions.every((r) => r.groupId.includes('/bon-rl/'))).toBe(true)
  })
})

function benchFile(suite: string, records: BenchmarkFile['records'], cpuModel = 'Test CPU'): BenchmarkFile {
  return {
    format: 'bonbench-benchmark',
    version: 1,
    suite,
    createdAt: '2026-11-25T00:00:00Z',
    machine: { cpus: 2, cpuModel, node: 'v20', os: 'linux', arch: 'x64' },
    records,
  }
}

describe('bench compare: benchmarks', () => {
  const base = [
    benchFile('metrics', [
      { case: 'pass@k n=1024', metric: 'latency-mean', value: 1.0, unit: 'ms', higherIsBetter: false, rme: 2 },
      { case: 'bo-n n=1024', metric: 'throughput', value: 1000, unit: 'ops/s', higherIsBetter: true, rme: 1 },
      { case: 'noisy', metric: 'latency-mean', value: 1.0, unit: 'ms', higherIsBetter: false, rme: 30 },
      { case: 'gone', metric: 'latency-mean', value: 1.0, unit: 'ms', higherIsBetter: false },
    ]),
    benchFile('sandbox', [{ case: 'verify', metric: 'throughput', value: 100, unit: 'ops/s', higherIsBetter: true }]),
  ]
  const next = [
    benchFile('metrics', [
      { case: 'pass@k n=1024', metric: 'latency-mean', value: 1.3, unit: 'ms', higherIsBetter: false, rme: 2 },
      { case: 'bo-n n=1024', metric: 'throughput', value: 950, unit: 'ops/s', higherIsBetter: true, rme: 1 },
      { case: 'noisy', metric: 'latency-mean', value: 1.4, unit: 'ms', higherIsBetter: false, rme: 30 },
    ]),
    benchFile('sandbox', [{ case: 'verify', metric: 'throughput', value: 50, unit: 'ops/s', higherIsBetter: true }], 'Other CPU'),
  ]

  it('flags a slowdown beyond the threshold and the noise, and nothing else', () => {
    const c = compareBenchmarks(base, next, 10)
    const status = Object.fromEntries(c.diffs.map((d) => [`${d.suite}/${d.case}`, d.status]))
    expect(status).toEqual({ 'metrics/pass@k n=1024': 'regression', 'metrics/bo-n n=1024': 'ok', 'metrics/noisy': 'ok', 'sandbox/verify': 'not-comparable' })
    expect(c.regressions.map((d) => d.case)).toEqual(['pass@k n=1024'])
    expect(c.regressions[0]!.changePct).toBeCloseTo(-30, 9)
    expect(c.machineMismatch).toEqual(['sandbox'])
    expect(c.onlyInBase).toEqual(['metrics › gone › latency-mean'])
  })

  it('makes the whole comparison regress when a benchmark does', () => {
    const run = syntheticRunData({ ...spec, temperatures: [1], prompts: 10 })
    const c = withBenchmarks(compareRuns(run, run), compareBenchmarks(base, next, 10))
    expect(c.regressions).toEqual([])
    expect(c.regressed).toBe(true)
    expect(compareToJunit(c).match(/<failure /g)!.length).toBe(1)
    expect(compareToMarkdown(c)).toContain('### Benchmark regressions')
  })
})
