import { describe, expect, it } from 'vitest'
import { evaluateFindings, findingsMeta, renderFindings } from '../../reports/findings.js'
import type { FindingsReport, Verdict } from '../../reports/findings.js'
import { crossing } from '../../reports/findings/p1-standard-training.js'
import { stratifiedContrastBootstrap } from '../../reports/findings/contrast-bootstrap.js'
import { hardEasySplit } from '../../reports/findings/p4-diversity-effort.js'
import { rises } from '../../reports/findings/p6-co-scaling.js'
import { mdeMultiplier, minimumDetectableEffect, normalQuantile } from '../../reports/findings/power.js'
import { decideChecks } from '../../reports/findings/verdict.js'
import type { CheckResult } from '../../reports/findings/types.js'
import { buildResults } from '../../reports/results-json.js'
import { resultsSchema } from '../../reports/results-schema.js'
import type { PlantedArm, PlantedSpec } from '../helpers/planted-results.js'
import { plantedResults } from '../helpers/planted-results.js'
import { syntheticRunData } from '../helpers/synthetic-run.js'

const scale = (n: number) => Math.log2(n) / 5

/** Every prediction of the paper planted, with the sizes in the comments. */
const paperWorld: PlantedArm[] = [
  // sft: +3 pp at N = 1 falling to −12 pp at N = 32 (the curves cross); fewer distinct answers.
  { strategy: 'sft', pass: (n) => 0.03 - 0.15 * scale(n), bon: (n) => 0.03 - 0.15 * scale(n), distinct: -0.8 },
  { strategy: 'rl', pass: (n) => 0.02 - 0.1 * scale(n), bon: (n) => 0.02 - 0.1 * scale(n), distinct: -0.5 },
  // bon-rl-s: pass@N higher on every prompt (+12 pp hard, +4 pp easy: +8 pp on average), Bo-N barely.
  { strategy: 'bon-rl-s', nTrain: 8, pass: (_, hard) => (hard ? 0.12 : 0.04), bon: () => 0.02, distinct: 0.3 },
  // bon-rl-v: Bo-N higher on every prompt, pass@N a little.
  { strategy: 'bon-rl-v', nTrain: 8, pass: (_, hard) => (hard ? 0.05 : 0.01), bon: (_, hard) => (hard ? 0.12 : 0.04), distinct: 0.3 },
]

const nullWorld: PlantedArm[] = ['sft', 'rl']
  .map((strategy) => ({ strategy }))
  .concat([
    { strategy: 'bon-rl-s', nTrain: 8 },
    { strategy: 'bon-rl-v', nTrain: 8 },
  ] as PlantedArm[])

function verdicts(report: FindingsReport): Record<string, Verdict> {
  return Object.fromEntries(report.findings.map((f) => [f.id, f.verdict]))
}

function evaluate(spec: PlantedSpec): FindingsReport {
  // Parsing through the zod schema proves the planted file is a valid results.json.
  return evaluateFindings(resultsSchema.parse(JSON.parse(JSON.stringify(plantedResults(spec)))))
}

describe('power analysis', () => {
  it('has the standard normal quantiles', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8)
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621234, 8)
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12)
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 8)
    expect(normalQuantile(1 - 1e-6)).toBeCloseTo(4.753424309, 7)
    expect(() => normalQuantile(1)).toThrow(/strictly between 0 and 1/)
  })

  it('computes the MDE of a hand-worked case', () => {
    // SE 1 pp, α = 0.05, power 0.8, one test: (1.959964 + 0.841621) × 0.01 = 0.0280159.
    expect(minimumDetectableEffect(0.01)).toBeCloseTo(0.0280159, 6)
    // Ten tests, Holm's strictest step α/10: z(1 − 0.0025) = 2.807034; (2.807034 + 0.841621) × 0.02 = 0.0729731.
    expect(minimumDetectableEffect(0.02, { tests: 10 })).toBeCloseTo(0.0729731, 6)
    expect(mdeMultiplier({ power: 0.9 })).toBeCloseTo(1.959964 + 1.281552, 5)
    expect(() => minimumDetectableEffect(-1)).toThrow(/standard error/)
  })

  it('puts each check’s MDE at z(1 − α/2m) + z(0.8) times its own bootstrap SE', () => {
    const report = evaluate({ arms: paperWorld, seeds: [0, 1], prompts: 24 })
    const all = report.findings.flatMap((f) => f.evidence)
    expect(all).toHaveLength(report.design.tests)
    expect(report.design.zHolm).toBeCloseTo(normalQuantile(1 - 0.05 / (2 * all.length)) + normalQuantile(0.8), 9)
    for (const c of all) {
      expect(c.se).toBeGreaterThan(0)
      expect(c.mde).toBeCloseTo(report.design.zHolm * c.se, 12)
      expect(c.mdeUnadjusted).toBeLessThan(c.mde)
      expect(c.powered).toBe(c.paperEffect !== undefined && c.mde <= Math.abs(c.paperEffect))
    }
  })
})

describe('the decision rule', () => {
  // Intervals well short of the paper's effect: a powered null counts against the prediction.
  const check = (outcome: CheckResult['outcome'], paperEffect?: number, powered = false) =>
    ({ outcome, paperEffect, powered, ci: [-0.01, 0.01], expected: 'positive' }) as CheckResult
  it('holds, fails, or stays inconclusive as documented', () => {
    expect(decideChecks([])).toBe('not testable here')
    expect(decideChecks([check('supports'), check('supports')])).toBe('holds')
    expect(decideChecks([check('supports'), check('contradicts')])).toBe('does not hold')
    expect(decideChecks([check('null', 0.07, true), check('null')])).toBe('does not hold')
    expect(decideChecks([check('null', 0.07, false), check('null')])).toBe('inconclusive')
    expect(decideChecks([check('null'), check('null')])).toBe('inconclusive')
    expect(decideChecks([check('supports'), check('null', 0.07, true)])).toBe('inconclusive')
  })

  it('finds where the curves cross, splits prompts by difficulty and reads a rising best T', () => {
    expect(crossing([1, 2, 4, 8], [0.02, 0.01, -0.01, -0.03])).toBe('crosses below the base between N=2 and N=4 (N* ≈ 2.8)')
    expect(crossing([1, 2, 4], [-0.01, -0.02, -0.03])).toBe('below the base at every N of the grid')
    expect(crossing([1, 2, 4], [-0.01, 0.02, 0.03])).toMatch(/^not below the base at the largest N/)
    expect(hardEasySplit([0.1, 0.9, 0.5, 0.2])!.hard).toEqual([true, false, false, true])
    // Most prompts never solved: the tie at the median goes to the hard side.
    expect(hardEasySplit([0, 0, 0, 0.5, 0.9])!.hard).toEqual([true, true, true, false, false])
    expect(hardEasySplit([0.3, 0.3, 0.3])).toBeUndefined()
    expect(rises([0.7, 0.7, 1, 1])).toBe(true)
    expect(rises([1, 1, 1])).toBe(false)
    expect(rises([0.7, 1, 0.7])).toBe(false)
  })

  it('bootstraps the hard − easy contrast within the split', () => {
    const hard = [true, true, false, false, false]
    const a = [
      [0.1, 0.3, 0.6, 0.7, 0.8],
      [0.2, 0.2, 0.5, 0.9, 0.7],
    ]
    // b gains 10 pp on hard prompts and 2 pp on easy ones, on every prompt and seed: contrast 8 pp.
    const b = a.map((row) => row.map((v, p) => v + (hard[p] ? 0.1 : 0.02)))
    const same = stratifiedContrastBootstrap(a, b, hard, { seed: 3, resamples: 500 })
    expect(same.diff).toBeCloseTo(0.08, 12)
    // Seeds are resampled per arm, so seed noise in a shows; a constant gain on one seed has none.
    const one = stratifiedContrastBootstrap([a[0]!], [b[0]!], hard, { seed: 3, resamples: 500 })
    expect(one.lower).toBeCloseTo(0.08, 12)
    expect(one.upper).toBeCloseTo(0.08, 12)
    expect(one.pValue).toBeLessThan(0.01)
    expect(() => stratifiedContrastBootstrap(a, b, [true, true, true, true, true])).toThrow(/hard and one easy/)
  })
})

describe('evaluateFindings on planted effects', () => {
  it('says every prediction holds when the paper’s world is planted', () => {
    const report = evaluate({ arms: paperWorld })
    expect(verdicts(report)).toEqual({ P1: 'holds', P2: 'holds', P3: 'holds', P4: 'holds', P5: 'holds', P6: 'holds' })
    expect(report.design.primaryTemperature).toBe(1)
    const p2 = report.findings.find((f) => f.id === 'P2')!
    const sVsBase = p2.evidence.find((c) => c.b.strategy === 'bon-rl-s' && c.a.strategy === 'base')!
    expect(sVsBase.metric).toBe('passAtN')
    expect(sVsBase.n).toBe(8)
    expect(sVsBase.diff).toBeCloseTo(0.08, 2)
    expect(sVsBase.ci[0]).toBeGreaterThan(0.06)
    expect(sVsBase.ci[1]).toBeLessThan(0.1)
    expect(p2.evidence.find((c) => c.b.strategy === 'bon-rl-v' && c.a.strategy === 'base')!.metric).toBe('bestOfN')
    const p1 = report.findings.find((f) => f.id === 'P1')!
    const sft = p1.evidence.find((c) => c.b.strategy === 'sft' && c.metric === 'passAtN')!
    expect(sft.n).toBe(32)
    expect(sft.diff).toBeCloseTo(-0.12, 2)
    // sft is above the base at N = 1 (+3 pp) and below from N* = 2^(5·0.2) = 2 on.
    expect(p1.facts.find((f) => f.label === 'sft vs base, pass@N curve')!.value).toMatch(/^crosses below the base between N=(1 and N=2|2 and N=4) /)
    const p4 = report.findings.find((f) => f.id === 'P4')!
    expect(p4.evidence.find((c) => c.id.startsWith('P4:effort:') && c.a.strategy === 'base' && c.b.strategy === 'bon-rl-s')!.diff).toBeCloseTo(0.08, 2)
    const p6 = report.findings.find((f) => f.id === 'P6')!
    expect(p6.summary).toMatch(/Best T by N \(1, 2, 4, 8, 16, 32\): 0\.7, 0\.7, 0\.7, 0\.7, 1, 1 — rises/)
  })

  it('finds no planted effect where there is none: inconclusive, or does not hold where the design could see the paper’s effect', () => {
    const report = evaluate({ arms: nullWorld })
    const v = verdicts(report)
    for (const id of ['P1', 'P2', 'P3', 'P4', 'P5'] as const) expect(['inconclusive', 'does not hold']).toContain(v[id])
    // 1 pp noise on 40 prompts × 2 seeds: the MDE is far below the paper's 4–7 pp, so a null is informative.
    expect(v.P2).toBe('does not hold')
    expect(v.P5).toBe('does not hold')
    expect(v.P1).toBe('inconclusive')
    for (const c of report.findings.flatMap((f) => f.evidence)) expect(c.outcome).toBe('null')
    // Very noisy, few prompts: the same null cannot rule the paper's effect out.
    const noisy = verdicts(evaluate({ arms: nullWorld, noise: 0.3, prompts: 10 }))
    expect(noisy.P2).toBe('inconclusive')
  })

  it('says a prediction does not hold when the data go against it', () => {
    const report = evaluate({ arms: [{ strategy: 'sft', pass: (n) => 0.06 * scale(n), bon: (n) => 0.06 * scale(n) }] })
    const p1 = report.findings.find((f) => f.id === 'P1')!
    expect(p1.verdict).toBe('does not hold')
    expect(p1.evidence.every((c) => c.outcome === 'contradicts')).toBe(true)
    expect(p1.notes.join(' ')).toMatch(/Not in the run: rl/)
  })

  it('marks what the run cannot test as not testable here, with a reason', () => {
    const baseOnly = evaluate({ arms: [] })
    expect(verdicts(baseOnly)).toEqual({
      P1: 'not testable here',
      P2: 'not testable here',
      P3: 'not testable here',
      P4: 'not testable here',
      P5: 'not testable here',
      P6: 'holds',
    })
    expect(baseOnly.findings[0]!.summary).toMatch(/neither sft nor rl/)
    // One temperature: the best-T part cannot be tested, so P6 is not (its summary gives the fit's own verdict).
    const oneT = evaluate({ arms: [], temperatures: [1] })
    expect(verdicts(oneT).P6).toBe('not testable here')
    expect(oneT.findings[5]!.summary).toMatch(/Best T: not testable here — the run has one temperature/)
    const onlyS = evaluate({ arms: [paperWorld[2]!] })
    const v = verdicts(onlyS)
    expect(v.P1).toBe('not testable here')
    expect(v.P2).toBe('holds')
    expect(v.P3).toBe('not testable here')
    expect(onlyS.findings.find((f) => f.id === 'P3')!.summary).toMatch(/no bon-rl-v/)
    // Diversity needs a standard-training reference; effort alone cannot carry P4 (its summary says which part was untestable).
    expect(v.P4).toBe('not testable here')
    expect(onlyS.findings.find((f) => f.id === 'P4')!.summary).toMatch(/^Diversity: not testable here\./)
    expect(v.P5).toBe('holds')
  })

  it('falls back to cell-level distinct@N (seed-only intervals) when results.json has no per-prompt field', () => {
    const report = evaluate({ arms: paperWorld, withoutPromptDistinct: true, seeds: [0] })
    const p4 = report.findings.find((f) => f.id === 'P4')!
    expect(p4.notes.join(' ')).toMatch(/no per-prompt distinct@N/)
    // One seed: no uncertainty to speak of, so diversity is not tested and P4 is not decided on it.
    expect(p4.evidence.some((c) => c.metric === 'distinctAtN')).toBe(false)
    expect(p4.notes.join(' ')).toMatch(/needs per-prompt distinct@N or at least two seeds/)
  })

  it('rejects a temperature the run does not have', () => {
    expect(() => evaluateFindings(plantedResults({ arms: [] }), { temperature: 0.5 })).toThrow(/temperature 0.5 is not in the run/)
  })
})

describe('renderFindings', () => {
  it('regenerates byte for byte and states every verdict, CI and MDE', () => {
    const results = plantedResults({ arms: paperWorld, prompts: 20 })
    const meta = findingsMeta(results, { source: 'docs/study/results.json', out: 'docs/results.md' })
    const first = renderFindings(evaluateFindings(results), meta)
    const second = renderFindings(evaluateFindings(JSON.parse(JSON.stringify(results))), meta)
    expect(second).toBe(first)
    expect(first).toContain('npx bench findings docs/study/results.json --out docs/results.md')
    for (const id of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6']) expect(first).toMatch(new RegExp(`^## ${id} — `, 'm'))
    expect(first).toMatch(/\| P2 \| BoN-aware training wins on its own metric \| \*\*holds\*\* \|/)
    expect(first).toMatch(/bon-rl-s \(N′=8\) − base, pass@8, T=1 \| > 0 \| \+8\.\d pp \[\+\d\.\d, \+\d\.\d\] \|/)
    expect(first).toContain('## Power analysis')
    expect(first).toContain('MATH pass@32 60.0% → 67.0% (+7.0 pp)')
    // A different bootstrap seed changes intervals, so the bytes really come from the seeded bootstraps.
    expect(renderFindings(evaluateFindings(results, { seed: 1 }), meta)).not.toBe(first)
  })

  it("lists a prepared component's numbers and intervals, not its hashes or timings", () => {
    const results = plantedResults({ arms: nullWorld, prompts: 20 })
    results.prepare = { 'bonbench:reward-model': { auc: 0.95336, aucCi: [0.93461, 0.97042], hash: 'abc', prepareMs: 20000 } }
    const text = renderFindings(evaluateFindings(results), findingsMeta(results, { source: 'r.json' }))
    expect(text).toContain('- Shared components: bonbench:reward-model.auc = 0.9534; bonbench:reward-model.aucCi = [0.9346, 0.9704]\n')
  })
})

describe('evaluateFindings on a results.json built by the reports pipeline', () => {
  it('reads buildResults output (seed-pooled groups, per-prompt metrics) and judges what the run holds', () => {
    const run = syntheticRunData({ prompts: 16, poolSize: 16, grid: [1, 2, 4, 8, 16], seeds: [0, 1], bootstrap: 50, withText: false })
    const results = resultsSchema.parse(JSON.parse(JSON.stringify(buildResults(run, { bootstrap: 100, now: new Date(0) }))))
    const report = evaluateFindings(results)
    expect(report.findings.map((f) => f.id)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5', 'P6'])
    // The synthetic run has bon-rl (N′=4) and sft, at T = 0.7 and 1.
    const p2 = report.findings.find((f) => f.id === 'P2')!
    expect(p2.evidence.map((c) => `${c.b.strategy}−${c.a.strategy}:${c.metric}@${c.n}`)).toEqual(['bon-rl−base:bestOfN@4', 'bon-rl−sft:bestOfN@4'])
    expect(report.findings.find((f) => f.id === 'P3')!.verdict).toBe('not testable here')
    expect(report.findings.find((f) => f.id === 'P1')!.evidence.every((c) => c.b.strategy === 'sft' && c.n === 16)).toBe(true)
    expect(report.design.prompts).toBe(16)
    expect(report.design.temperatures).toEqual([0.7, 1])
    // The base model's regime: shares of prompts by their success rate pooled over both seeds.
    const spread = report.design.baseSpread!
    const baseCells = results.cells.filter((c) => c.key.strategy === 'base' && c.key.temperature === 1)
    const rates = baseCells[0]!.prompts.map(
      (p) => baseCells.reduce((sum, c) => sum + 1 - c.prompts.find((q) => q.promptId === p.promptId)!.pFail, 0) / baseCells.length,
    )
    expect(spread.pass1).toBeCloseTo(rates.reduce((a, b) => a + b, 0) / rates.length, 12)
    expect(spread.never).toBe(rates.filter((r) => r === 0).length / rates.length)
    expect(spread.always).toBe(rates.filter((r) => r === 1).length / rates.length)
    expect(spread.never + spread.rarely + spread.sometimes + spread.often + spread.always).toBeCloseTo(1, 12)
    expect(spread.samplesPerPrompt).toBe(32)
    expect(renderFindings(report, findingsMeta(results, { source: 'r.json' }))).toMatch(
      /The base model's regime at T=1: pass@1 [\d.]+%; of the test prompts it solves [\d.]+% never/,
    )
  })
})
