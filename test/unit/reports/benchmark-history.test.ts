import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { BenchmarkFile, BenchmarkRecord } from '../../../core/benchmark-format.js'
import { HISTORY_SIGMAS, MIN_HISTORY, historyPoints, judgeTrend, loadBenchmarkHistory, sparkline } from '../../../reports/benchmark-history.js'
import { compareBenchmarks } from '../../../reports/compare-benchmarks.js'
import { compareToJunit, compareToMarkdown } from '../../../reports/compare-format.js'
import { compareRuns, withBenchmarks } from '../../../reports/compare.js'
import { syntheticRunData } from '../../helpers/synthetic-run.js'
import { tempDir } from '../../e2e/cli-helper.js'

const RATIO = { case: 'fork servers vs process per candidate', metric: 'speedup', unit: 'ratio', higherIsBetter: true } as const

function night(day: number, value: number, opts: { cpuModel?: string; rme?: number; goal?: number; suite?: string } = {}): BenchmarkFile {
  const record: BenchmarkRecord = {
    ...RATIO,
    value,
    ...(opts.rme !== undefined ? { rme: opts.rme } : {}),
    ...(opts.goal ? { params: { goal: opts.goal } } : {}),
  }
  return {
    format: 'bonbench-benchmark',
    version: 1,
    suite: opts.suite ?? 'python-sandbox',
    createdAt: `2026-11-${String(day).padStart(2, '0')}T03:00:00.000Z`,
    git: { commit: `c${day}` },
    machine: { cpus: 2, cpuModel: opts.cpuModel ?? 'AMD EPYC', node: 'v20', os: 'linux', arch: 'x64' },
    records: [record],
  }
}

/** The band judgeTrend must use, computed the long way: sort, median, absolute deviations, median. */
function expectedBand(values: number[], thresholdPct: number, rme = 0): { median: number; bandPct: number } {
  const sorted = [...values].sort((a, b) => a - b)
  const med = (xs: number[]) => (xs.length % 2 ? xs[(xs.length - 1) / 2]! : (xs[xs.length / 2 - 1]! + xs[xs.length / 2]!) / 2)
  const median = med(sorted)
  const mad = med(values.map((v) => Math.abs(v - median)).sort((a, b) => a - b))
  return { median, bandPct: Math.max(thresholdPct, ((HISTORY_SIGMAS * 1.4826 * mad) / Math.abs(median)) * 100, rme) }
}

const asPoints = (values: number[]) => values.map((value, i) => ({ createdAt: `2026-11-${String(i + 1).padStart(2, '0')}`, value }))

describe('judgeTrend: tonight against the band of earlier nights', () => {
  const earlier = [7.5, 8.7, 6.1, 8.0, 7.1] // a noisy shared machine
  const { median, bandPct } = expectedBand(earlier, 10)

  it('uses the median and 3 robust SDs of the history, and flags only what leaves the band', () => {
    expect(median).toBe(7.5)
    expect(bandPct).toBeGreaterThan(10) // the history's noise, not the threshold, decides here
    const within = judgeTrend({ ...RATIO, value: median * (1 - (bandPct - 1) / 100) }, asPoints(earlier), 10)
    expect(within.status).toBe('ok')
    expect(within.median).toBe(median)
    expect(within.bandPct).toBeCloseTo(bandPct, 12)
    const beyond = judgeTrend({ ...RATIO, value: median * (1 - (bandPct + 1) / 100) }, asPoints(earlier), 10)
    expect(beyond.status).toBe('regression')
    expect(beyond.changePct).toBeCloseTo(-(bandPct + 1), 9)
    expect(judgeTrend({ ...RATIO, value: median * (1 + (bandPct + 1) / 100) }, asPoints(earlier), 10).status).toBe('improvement')
  })

  it('turns the direction around for a lower-is-better record, and widens the band to its own rme', () => {
    const slowdown = { case: 'floor vs sandbox', metric: 'slowdown', unit: 'ratio', higherIsBetter: false }
    const steady = [6.8, 7.0, 7.0, 7.2] // MAD 0.1: 3 SDs = 6.4% < the 10% threshold
    expect(expectedBand(steady, 10).bandPct).toBe(10)
    expect(judgeTrend({ ...slowdown, value: 7.9 }, asPoints(steady), 10).status).toBe('regression') // 12.9% slower
    expect(judgeTrend({ ...slowdown, value: 6.2 }, asPoints(steady), 10).status).toBe('improvement')
    expect(judgeTrend({ ...slowdown, value: 7.9, rme: 20 }, asPoints(steady), 10)).toMatchObject({ status: 'ok', bandPct: 20 })
  })

  it(`needs ${MIN_HISTORY} earlier values; orders them by time; reads a goal or an aim`, () => {
    const short = judgeTrend({ ...RATIO, value: 1, params: { goal: 10 } }, asPoints([9, 9]), 10)
    expect(short.status).toBe('short')
    expect(short.median).toBeUndefined()
    expect(short.goal).toEqual({ value: 10, met: false })
    const shuffled = [
      { createdAt: '2026-11-03', value: 3 },
      { createdAt: '2026-11-01', value: 1 },
      { createdAt: '2026-11-02', value: 2 },
    ]
    expect(judgeTrend({ ...RATIO, value: 2 }, shuffled, 10).points.map((p) => p.value)).toEqual([1, 2, 3])
    const aim = judgeTrend({ case: 'floor', metric: 'slowdown', unit: 'ratio', higherIsBetter: false, value: 2.5, params: { aim: 3 } }, [], 10)
    expect(aim.goal).toEqual({ value: 3, met: true })
  })

  it('draws a sparkline between the minimum and the maximum', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█')
    expect(sparkline([5, 5, 5])).toBe('▄▄▄')
    expect(sparkline([0, 10, 5])).toBe('▁█▅')
  })
})

describe('historyPoints', () => {
  it("keeps one value per file (a file given twice counts once) and only machines like tonight's", () => {
    const files = [night(1, 7), night(2, 8), night(2, 8), night(3, 9, { cpuModel: 'Other CPU' }), night(4, 2, { suite: 'sandbox' })]
    const points = historyPoints(files, (f) => f.suite === 'python-sandbox' && f.machine.cpuModel === 'AMD EPYC')
    expect([...points.keys()]).toEqual(['python-sandbox › fork servers vs process per candidate › speedup'])
    expect(points.get('python-sandbox › fork servers vs process per candidate › speedup')!.map((p) => [p.commit, p.value])).toEqual([
      ['c1', 7],
      ['c2', 8],
    ])
  })
})

describe('compareBenchmarks with a history', () => {
  const history = [night(20, 7.5), night(21, 8.7), night(22, 6.1), night(23, 8.0, { cpuModel: 'Other CPU' })]
  const base = [night(24, 7.1)]

  it('lets the history judge a record with enough earlier values: a drop the base run alone calls a regression is inside the noise', () => {
    const tonight = [night(25, 6.3, { goal: 10 })]
    const alone = compareBenchmarks(base, tonight, 10)
    expect(alone.regressions).toHaveLength(1) // −11% against one night
    const judged = compareBenchmarks(base, tonight, 10, history)
    const d = judged.diffs[0]!
    // The other CPU's night is left out: 7.5, 8.7, 6.1 and the base run's 7.1.
    expect(d.history!.points.map((p) => p.value)).toEqual([7.5, 8.7, 6.1, 7.1])
    const { median, bandPct } = expectedBand([7.5, 8.7, 6.1, 7.1], 10)
    expect(d).toMatchObject({ judgedBy: 'history', status: 'ok', allowancePct: bandPct })
    expect(d.history!.median).toBe(median)
    expect(judged.regressions).toEqual([])
    expect(judged.historyFiles).toBe(4)
  })

  it('flags what leaves the band even when the base run was a bad night itself', () => {
    const calm = [night(20, 8.0), night(21, 8.1), night(22, 7.9)]
    const badBase = [night(24, 6.0)]
    const tonight = [night(25, 6.0)]
    expect(compareBenchmarks(badBase, tonight, 10).regressions).toEqual([]) // unchanged against the base
    const judged = compareBenchmarks(badBase, tonight, 10, calm)
    expect(judged.regressions.map((r) => r.judgedBy)).toEqual(['history'])
    expect(judged.diffs[0]!.history!.changePct).toBeCloseTo(((6.0 - 7.95) / 7.95) * 100, 9)
  })

  it("never counts tonight's own file in its history (a history folder that already holds it)", () => {
    const tonight = night(25, 6.3)
    const judged = compareBenchmarks(base, [tonight], 10, [...history, tonight])
    expect(judged.diffs[0]!.history!.points.map((p) => p.value)).toEqual([7.5, 8.7, 6.1, 7.1])
  })

  it('falls back to the base run when the history is too short', () => {
    const judged = compareBenchmarks(base, [night(25, 5)], 10, [night(20, 7.5)])
    expect(judged.diffs[0]).toMatchObject({ judgedBy: 'base', status: 'regression' })
    expect(judged.diffs[0]!.history!.status).toBe('short')
  })

  it('shows each ratio over time in the Markdown summary, its goal, and the history in JUnit', () => {
    const calm = [night(20, 8.0), night(21, 8.1), night(22, 7.9)]
    const run = syntheticRunData({ prompts: 10, poolSize: 4, grid: [1, 2], temperatures: [1], seeds: [0], bootstrap: 20, trainSteps: 2 })
    const c = withBenchmarks(compareRuns(run, run), compareBenchmarks([night(24, 8.0)], [night(25, 6.0, { goal: 10 })], 10, calm))
    const md = compareToMarkdown(c)
    expect(md).toContain('### Benchmarks over time')
    expect(md).toContain('From 3 earlier benchmark files')
    const overTime = md.slice(md.indexOf('### Benchmarks over time'))
    const row = overTime.split('\n').find((l) => l.startsWith('| python-sandbox | fork servers vs process per candidate'))!
    // 8.0, 8.1, 7.9, the base run's 8.0, then tonight's 6.0 at the bottom.
    expect(row).toContain(`| ${sparkline([8.0, 8.1, 7.9, 8.0, 6.0])} |`)
    expect(row).toContain('| 8.000 (4) | 6.000 ratio | ≥ 10 ✗ | regression |')
    expect(md).toContain('### Benchmark regressions')
    expect(md).toContain('vs median')
    expect(compareToJunit(c)).toContain('worse than the median of earlier nights by 25.0%')
  })
})

describe('loadBenchmarkHistory', () => {
  const tmp = tempDir('bonbench-bench-history-')
  afterAll(() => tmp.cleanup())

  it('reads the results files of every night folder, skips what is not one with a warning, and names a missing folder', async () => {
    for (const [day, value] of [
      [20, 7.5],
      [21, 8.7],
    ] as const) {
      await mkdir(path.join(tmp.dir, `night-${day}`), { recursive: true })
      await writeFile(path.join(tmp.dir, `night-${day}`, 'python-sandbox.json'), JSON.stringify(night(day, value)))
    }
    await writeFile(path.join(tmp.dir, 'night-21', 'notes.json'), '{"not": "a benchmark file"}')
    const { files, warnings } = await loadBenchmarkHistory(tmp.dir)
    expect(files.map((f) => f.records[0]!.value)).toEqual([7.5, 8.7])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^history: skipped .*notes\.json: .* is not a bonbench-benchmark v1 file/)
    await expect(loadBenchmarkHistory(path.join(tmp.dir, 'nowhere'))).rejects.toMatchObject({ code: 'BENCH_DATA_MISSING' })
  })
})
