import { describe, expect, it } from 'vitest'
import { evaluateFindings, plannedChecks } from '../../reports/findings.js'
import type { FindingsReport, Verdict } from '../../reports/findings.js'
import { bestTemperatures, rises } from '../../reports/findings/p6-co-scaling.js'
import { fitCoScaling } from '../../core/metrics/co-scaling.js'
import { combineVerdicts, decideChecks, excludesPaperEffect } from '../../reports/findings/verdict.js'
import type { CheckResult } from '../../reports/findings/types.js'
import type { Results } from '../../reports/results-schema.js'
import { resultsSchema } from '../../reports/results-schema.js'
import type { PlantedArm, PlantedSpec } from '../helpers/planted-results.js'
import { plantedResults } from '../helpers/planted-results.js'

const scale = (n: number) => Math.log2(n) / 5

/** sft and rl lose at large N; bon-rl-s gains pass@N, more on hard prompts. */
const world: PlantedArm[] = [
  { strategy: 'sft', pass: (n) => 0.03 - 0.15 * scale(n), bon: (n) => 0.03 - 0.15 * scale(n), distinct: -0.8 },
  { strategy: 'rl', pass: (n) => 0.02 - 0.1 * scale(n), bon: (n) => 0.02 - 0.1 * scale(n), distinct: -0.5 },
  { strategy: 'bon-rl-s', nTrain: 8, pass: (_, hard) => (hard ? 0.12 : 0.04), bon: () => 0.02, distinct: 0.3 },
]

function planted(spec: PlantedSpec): Results {
  return resultsSchema.parse(JSON.parse(JSON.stringify(plantedResults(spec))))
}

function finding(report: FindingsReport, id: string) {
  return report.findings.find((f) => f.id === id)!
}

describe('the resample cap never makes significance impossible', () => {
  it('finds the planted effects at an α that 20,000 resamples could not reach', () => {
    const results = planted({ arms: world })
    const tests = plannedChecks(results).length
    // 20,000 resamples: the smallest Holm p is m/20,001, above this α.
    const alpha = tests / 30_000
    expect(tests / 20_001).toBeGreaterThan(alpha)
    const report = evaluateFindings(results, { alpha })
    expect(report.design.tests).toBe(tests)
    expect(1 / (report.design.resamples + 1)).toBeLessThanOrEqual(alpha / tests)
    // sft and rl lose 12 and 8 pp at N = 32 on every prompt: that is significant at any α the resamples can reach.
    expect(finding(report, 'P1').verdict).toBe('holds')
    expect(finding(report, 'P1').evidence.every((c) => c.outcome === 'supports')).toBe(true)
  })
})

describe('a null counts against a prediction only when its interval excludes the paper’s effect', () => {
  const check = (ci: [number, number], expected: 'positive' | 'negative' = 'positive', powered = true) =>
    ({ outcome: 'null', paperEffect: 0.07, powered, ci, expected }) as CheckResult

  it('reads the interval in the predicted direction', () => {
    expect(excludesPaperEffect(check([-0.01, 0.05]))).toBe(true)
    expect(excludesPaperEffect(check([0.027, 0.076]))).toBe(false)
    expect(excludesPaperEffect(check([-0.05, 0.01], 'negative'))).toBe(true)
    expect(excludesPaperEffect(check([-0.08, 0.01], 'negative'))).toBe(false)
    expect(excludesPaperEffect({ ci: [-0.01, 0.01], expected: 'positive' })).toBe(false)
  })

  it('leaves a powered null whose interval holds the paper’s effect inconclusive', () => {
    // docs/results.md, P2 at the best checkpoint: +5.1 pp [+2.7, +7.6] against the paper's +7.0 pp.
    expect(decideChecks([check([0.027, 0.076]), check([-0.02, 0.03])])).toBe('inconclusive')
    expect(decideChecks([check([-0.01, 0.05]), check([-0.02, 0.03])])).toBe('does not hold')
    expect(decideChecks([check([-0.01, 0.05]), check([-0.02, 0.03], 'positive', false)])).toBe('inconclusive')
    expect(decideChecks([check([-0.08, 0.01], 'negative')])).toBe('inconclusive')
  })

  it('does so on a run: a paper-sized effect that Holm misses is not declared absent', () => {
    // bon-rl-s gains 5.5 pp of pass@N on every prompt under heavy noise: the design could detect the
    // paper's 7 pp (MDE ≤ 7 pp), yet Holm does not reject and the interval still reaches 7 pp.
    const results = planted({ arms: [{ strategy: 'bon-rl-s', nTrain: 8, pass: () => 0.055 }], noise: 0.12, prompts: 60, seeds: [0, 1, 2] })
    const report = evaluateFindings(results)
    const p2 = finding(report, 'P2')
    const vsBase = p2.evidence.find((c) => c.a.strategy === 'base')!
    expect(vsBase.outcome).toBe('null')
    expect(vsBase.powered).toBe(true)
    expect(vsBase.ci[1]).toBeGreaterThan(0.07)
    expect(p2.verdict).toBe('inconclusive')
  })
})

describe('a part that cannot be tested', () => {
  it('leaves the prediction untestable, and any part that does not hold sinks it', () => {
    const cases: [Verdict[], Verdict][] = [
      [['holds', 'not testable here'], 'not testable here'],
      [['not testable here', 'inconclusive'], 'not testable here'],
      [['not testable here', 'does not hold'], 'does not hold'],
      [['holds', 'does not hold'], 'does not hold'],
      [['holds', 'inconclusive'], 'inconclusive'],
      [['holds', 'holds'], 'holds'],
      [[], 'not testable here'],
    ]
    for (const [parts, verdict] of cases) expect(combineVerdicts(parts)).toBe(verdict)
  })

  it('does not hide the tested part: P4 and P6 summaries give each part its own verdict', () => {
    const onlyS = evaluateFindings(planted({ arms: [world[2]!] }))
    const p4 = finding(onlyS, 'P4')
    expect(p4.verdict).toBe('not testable here')
    expect(p4.summary).toMatch(/^Diversity: not testable here\. Effort: holds\./)
    const oneT = evaluateFindings(planted({ arms: [], temperatures: [1] }))
    const p6 = finding(oneT, 'P6')
    expect(p6.summary).toMatch(/^Fit: holds .*Best T: not testable here — the run has one temperature/)
    expect(p6.verdict).toBe('not testable here')
  })
})

describe('P6 when no law can be fitted', () => {
  /** Every base cell at `temperature` (all when undefined) solves every prompt at every N. */
  function solveEverything(results: Results, temperature?: number): Results {
    for (const cell of results.cells) {
      if (cell.key.strategy !== 'base' || (temperature !== undefined && cell.key.temperature !== temperature)) continue
      cell.metrics.passAtN = cell.metrics.passAtN.map(() => 1)
      cell.metrics.pass1 = 1
      for (const p of cell.prompts) {
        p.passAtN = p.passAtN.map(() => 1)
        p.pFail = 0
      }
    }
    return results
  }

  it('is not declared to fail when every temperature solves every prompt', () => {
    const report = evaluateFindings(solveEverything(planted({ arms: [] })))
    const p6 = finding(report, 'P6')
    expect(p6.verdict).not.toBe('does not hold')
    expect(p6.verdict).toBe('not testable here')
    expect(p6.summary).toMatch(/Best T by N \(1, 2, 4, 8, 16, 32\): —, —, —, —, —, — — not testable here/)
  })

  it('counts a temperature that solves every prompt as the best, not as missing', () => {
    // T = 1 solves everything; T = 0.7 follows its law (below 1 at every N).
    const report = evaluateFindings(solveEverything(planted({ arms: [] }), 1))
    const p6 = finding(report, 'P6')
    for (const n of [1, 2, 4, 8, 16, 32]) expect(p6.facts.find((f) => f.label === `best T at N=${n} (fitted law; measured)`)!.value).toBe('1; 1')
    expect(p6.summary).toMatch(/Best T by N \(1, 2, 4, 8, 16, 32\): 1, 1, 1, 1, 1, 1 — does not rise/)
  })

  it('leaves a best T undefined where temperatures tie at the top, and such a sequence undecided', () => {
    const law = [0.5, 0.6, 0.7]
    const fits = [fitCoScaling([1, 2, 4].map((n, j) => ({ n, passAtN: law[j]! }))), fitCoScaling([1, 2, 4].map((n) => ({ n, passAtN: 1 })))]
    expect(bestTemperatures([0.7, 1], fits, [law, [1, 1, 1]], [1, 2, 4])).toEqual([1, 1, 1])
    const ones = fitCoScaling([1, 2, 4].map((n) => ({ n, passAtN: 1 })))
    expect(
      bestTemperatures(
        [0.7, 1],
        [ones, ones],
        [
          [1, 1, 1],
          [1, 1, 1],
        ],
        [1, 2, 4],
      ),
    ).toEqual([undefined, undefined, undefined])
    expect(rises([0.7, undefined, 1])).toBeUndefined()
    expect(rises([0.7, 1])).toBe(true)
    expect(rises([1, 0.7])).toBe(false)
  })
})

describe('an arm that shares no prompt with the base', () => {
  it('is left out of P1 and P4 with a note naming it, instead of stopping the findings', () => {
    const results = planted({ arms: world })
    for (const cell of results.cells) if (cell.key.strategy === 'sft') for (const p of cell.prompts) p.promptId = `other-${p.promptId}`
    const report = evaluateFindings(results)
    const p1 = finding(report, 'P1')
    expect(p1.evidence.map((c) => c.b.strategy)).toEqual(['rl', 'rl'])
    expect(p1.facts.some((f) => f.label.startsWith('sft'))).toBe(false)
    expect(p1.notes.join(' ')).toMatch(/sft shares no test prompt with the base at T=1/)
    const p4 = finding(report, 'P4')
    expect(p4.notes.join(' ')).toMatch(/bon-rl-s \(N′=8\) vs sft: they share no test prompt/)
  })

  it('does not stop P4 when a BoN-aware arm is the one on other prompts', () => {
    const results = planted({ arms: world })
    for (const cell of results.cells) if (cell.key.strategy === 'bon-rl-s') for (const p of cell.prompts) p.promptId = `other-${p.promptId}`
    const p4 = finding(evaluateFindings(results), 'P4')
    expect(p4.verdict).toBe('not testable here')
    expect(p4.notes.join(' ')).toMatch(/bon-rl-s \(N′=8\) shares no test prompt with the base at T=1/)
  })
})
