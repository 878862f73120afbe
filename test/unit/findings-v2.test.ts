import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { registerFindings } from '../../cli/commands/findings.js'
import { pairedTwoLevelBootstrap } from '../../core/metrics/two-level-bootstrap.js'
import { findingsMeta } from '../../reports/findings.js'
import { plannedChecks } from '../../reports/findings.js'
import { combineModes, evaluateFindingsV2 } from '../../reports/findings-v2/evaluate.js'
import type { FindingsReportV2 } from '../../reports/findings-v2/evaluate.js'
import { powerPlan, projectedSe, varianceComponents } from '../../reports/findings-v2/power-plan.js'
import { largestText, renderFindingsV2 } from '../../reports/findings-v2/render.js'
import { placeAtBestCheckpoint, placeAtKl, placedMean } from '../../reports/findings-v2/select.js'
import type { ArmV2, PromptRow, Stage } from '../../reports/findings-v2/trajectories.js'
import { firstCrossing, indexArmsV2, rowsAt } from '../../reports/findings-v2/trajectories.js'
import { diffText } from '../../reports/findings/format.js'
import type { CheckResult } from '../../reports/findings/types.js'
import type { Results } from '../../reports/results-schema.js'
import { resultsSchema } from '../../reports/results-schema.js'
import type { PlantedFrontierArm } from '../helpers/planted-frontier.js'
import { plantedFrontierResults } from '../helpers/planted-frontier.js'
import { plantedResults } from '../helpers/planted-results.js'
import { deepFreeze } from '../helpers/deep-freeze.js'

const row = (id: string, pass: number, bon = pass): PromptRow => ({
  promptId: id,
  passAtN: [pass, pass],
  bestOfN: [pass, bon],
  majorityAtN: [pass, pass],
  pFail: 1 - pass,
})
const stage = (step: number, kl: number, test: number, validation?: number): Stage => ({
  step,
  kl,
  klHalfWidth: 0,
  grid: [1, 4],
  test: [row('p0', test), row('p1', test)],
  distinctAtN: [1, 1],
  ...(validation !== undefined ? { validation: [row('v0', validation)] } : {}),
  ...(step === 0 ? { base: true } : {}),
})

describe('paths in KL', () => {
  it('interpolates linearly in KL between the stages around κ, and never extrapolates', () => {
    const stages = [stage(0, 0, 0.3), stage(50, 0.1, 0.5), stage(100, 0.3, 0.6)]
    const c = firstCrossing(stages, 0.2)!
    expect(c.from.step).toBe(50)
    expect(c.to.step).toBe(100)
    expect(c.w).toBeCloseTo(0.5, 12)
    expect(rowsAt(c).test[0]!.passAtN[0]).toBeCloseTo(0.55, 12)
    expect(firstCrossing(stages, 0.1)!.w).toBe(0)
    expect(firstCrossing(stages, 0.31)).toBeUndefined()
  })

  it('takes the first crossing of a path whose KL falls back', () => {
    const stages = [stage(0, 0, 0.3), stage(50, 0.2, 0.5), stage(100, 0.05, 0.6), stage(150, 0.2, 0.9)]
    const c = firstCrossing(stages, 0.1)!
    expect([c.from.step, c.to.step]).toEqual([0, 50])
  })
})

/** A hand-made arm: two learning rates, one seed each, whose test and validation disagree. */
function handArm(withValidation: boolean, baseValidation = withValidation): ArmV2 {
  const path = (lr: number, test: number, validation: number) => ({
    seed: 0,
    cell: { cellId: `x-${lr}`, key: { task: 't', model: 'm', strategy: 'rl', nTrain: 1, temperature: 1, seed: 0 }, metrics: { grid: [1, 4] } } as never,
    stages: [
      stage(0, 0, 0.3, baseValidation ? 0.3 : undefined),
      stage(50, 0.1, test, withValidation ? validation : undefined),
      stage(100, 0.2, test + 0.01, withValidation ? validation - 0.1 : undefined),
    ],
  })
  return {
    name: 'rl',
    strategy: 'rl',
    nTrain: 1,
    temperature: 1,
    label: 'rl',
    variants: [
      { lr: 1e-4, groupId: 'a', seeds: [path(1e-4, 0.6, 0.4)] },
      { lr: 3e-4, groupId: 'b', seeds: [path(3e-4, 0.4, 0.6)] },
    ],
  }
}

describe('choosing the learning rate and the checkpoint', () => {
  it('chooses the learning rate at κ on validation, not on test', () => {
    const p = placeAtKl(handArm(true), 0.1, 'kl', '')!
    expect(p.selectedOn).toBe('validation')
    expect(p.lr).toBe(3e-4) // better on validation (0.6 against 0.4), worse on test
  })

  it('without validation chooses on test and says so', () => {
    const p = placeAtKl(handArm(false), 0.1, 'kl', '')!
    expect(p.selectedOn).toBe('test')
    expect(p.lr).toBe(1e-4)
  })

  it('stops each seed at its best validation checkpoint, and makes no choice without validation', () => {
    const p = placeAtBestCheckpoint(handArm(true), 'best', '')!
    expect(p.lr).toBe(3e-4)
    expect(p.points.map((x) => x.step)).toEqual(['50']) // validation 0.6 at step 50, 0.5 at step 100
    expect(placeAtBestCheckpoint(handArm(false), 'best', '')).toBeUndefined()
  })

  it('needs no validation of the base: it chooses on validation wherever both checkpoints around κ have it', () => {
    expect(placeAtKl(handArm(true, false), 0.15, 'kl', '')!.selectedOn).toBe('validation')
    expect(placeAtKl(handArm(true, false), 0.05, 'kl', '')!.selectedOn).toBe('test') // between the base and step 50
    expect(placeAtBestCheckpoint(handArm(true, false), 'best', '')!.lr).toBe(3e-4)
  })

  it('leaves out a path that starts above κ (nothing is extrapolated back to the base)', () => {
    const arm = handArm(true)
    for (const v of arm.variants) for (const s of v.seeds) s.stages = s.stages.filter((st) => !st.base)
    expect(placeAtKl(arm, 0.05, 'kl', '')).toBeUndefined()
    expect(placeAtKl(arm, 0.15, 'kl', '')).toBeDefined()
  })

  it('combines the two views of a prediction', () => {
    expect(
      combineModes([
        { mode: 'matched-kl', verdict: 'holds' },
        { mode: 'best-checkpoint', verdict: 'holds' },
      ]).verdict,
    ).toBe('holds')
    expect(
      combineModes([
        { mode: 'matched-kl', verdict: 'holds' },
        { mode: 'best-checkpoint', verdict: 'does not hold' },
      ]).verdict,
    ).toBe('inconclusive')
    expect(
      combineModes([
        { mode: 'matched-kl', verdict: 'does not hold' },
        { mode: 'best-checkpoint', verdict: 'inconclusive' },
      ]).verdict,
    ).toBe('does not hold')
    expect(
      combineModes([
        { mode: 'matched-kl', verdict: 'holds' },
        { mode: 'best-checkpoint', verdict: 'not testable here' },
      ]).verdict,
    ).toBe('holds')
  })
})

const sat = (k: number) => 0.05 * (1 - Math.exp(-k / 0.1))
const common = { pass: (k: number) => sat(k), bon: (k: number) => sat(k) }
/**
 * sft, rl, rl-on-r and bon-rl-v (N′ = 4) moving at different speeds; bon-rl-v gains `gain` × κ/0.2 Bo-N (N ≥ 2) on top of the
 * common curve (linear in KL, so interpolating between checkpoints is exact for it).
 */
function world(gain: number, bonSpeed = 0.15): PlantedFrontierArm[] {
  return [
    { strategy: 'sft', speed: 0.1, ...common },
    { strategy: 'rl', speed: 0.07, ...common },
    { strategy: 'rl', arm: 'rl-on-r', speed: 0.1, ...common },
    // pass@N carries the same gain so that Bo-N (capped at pass@N) keeps all of it.
    {
      strategy: 'bon-rl-v',
      nTrain: 4,
      speed: bonSpeed,
      pass: (k, n) => sat(k) + (n > 1 ? (gain * k) / 0.2 : 0),
      bon: (k, n) => sat(k) + (n > 1 ? (gain * k) / 0.2 : 0),
    },
  ]
}

/**
 * world(0.1)'s planted results and their findings, made once on first use (about 0.07 and 0.13 s
 * each time) and shared by the tests that read them; frozen, so none can change what the next reads.
 */
let plantedWorld: Results | undefined
const worldResults = (): Results => (plantedWorld ??= deepFreeze(plantedFrontierResults({ arms: world(0.1) })))
let plantedReport: FindingsReportV2 | undefined
const worldReport = (): FindingsReportV2 => (plantedReport ??= deepFreeze(evaluateFindingsV2(worldResults())))

function p2Diff(report: FindingsReportV2, mode: 'matched-kl' | 'best-checkpoint', ref: string): number {
  const p2 = report.findings.find((f) => f.id === 'P2')!.perMode[mode]!
  return p2.evidence.find((c) => c.a.strategy === ref)!.diff
}

describe('findings v2 on planted frontiers', () => {
  it('a planted +10-point Bo-N gain at matched KL holds; the matched difference is the planted one', () => {
    const report = worldReport()
    const p2 = report.findings.find((f) => f.id === 'P2')!
    expect(p2.verdict).toBe('holds')
    expect(p2.perMode['matched-kl']!.verdict).toBe('holds')
    expect(p2.perMode['best-checkpoint']!.verdict).toBe('holds')
    const matched = report.modes.find((m) => m.mode === 'matched-kl')!.placements[0]!
    // κ is the largest KL every arm reaches: rl's, at its larger learning rate (0.07 × 3, seed factor 0.95).
    expect(matched.kappa).toBeCloseTo(0.07 * 3 * 0.95, 10)
    // bon-rl-v minus rl and rl-on-r at κ: the planted gain, 0.1 × κ/0.2 ≈ 0.1 (noise ± about 0.3 pp).
    for (const ref of ['rl', 'rl-on-r']) expect(p2Diff(report, 'matched-kl', ref)).toBeCloseTo(0.1, 1)
    expect(Math.abs(p2Diff(report, 'matched-kl', 'rl') - 0.1)).toBeLessThan(0.01)
  })

  it('a null arm that only moves faster is not "holds": at matched KL its difference vanishes', () => {
    const report = evaluateFindingsV2(plantedFrontierResults({ arms: world(0, 0.3) }))
    const p2 = report.findings.find((f) => f.id === 'P2')!
    expect(['inconclusive', 'does not hold']).toContain(p2.verdict)
    expect(Math.abs(p2Diff(report, 'matched-kl', 'rl'))).toBeLessThan(0.01)
    expect(p2.perMode['matched-kl']!.evidence.filter((c) => c.a.strategy !== 'base').every((c) => c.outcome === 'null')).toBe(true)
  })

  it('reads a version-3 results.json without learning rates or validation: matched KL only, the best checkpoint skipped with the reason', () => {
    const results = resultsSchema.parse(
      JSON.parse(JSON.stringify(plantedFrontierResults({ arms: world(0.1), lrs: [3e-4], withLr: false, withValidation: false }))),
    )
    const report = evaluateFindingsV2(results)
    const best = report.modes.find((m) => m.mode === 'best-checkpoint')!
    expect(best.skipped).toMatch(/no validation/)
    expect(report.findings.find((f) => f.id === 'P2')!.verdict).toBe('holds')
    expect(report.findings.find((f) => f.id === 'P2')!.reason).toMatch(/matched-KL comparison alone/)
    const arms = indexArmsV2(results)
    expect(arms.every((a) => a.variants.length === 1)).toBe(true)
    // The named arm keeps its name and knows its plugin.
    expect(arms.find((a) => a.name === 'rl-on-r')?.strategy).toBe('rl')
  })

  it('caps at inconclusive when a learning rate was chosen on test', () => {
    const report = evaluateFindingsV2(plantedFrontierResults({ arms: world(0.1, 0.3).map((a) => ({ ...a, speed: a.speed * 4 })), withValidation: false }))
    const matched = report.modes.find((m) => m.mode === 'matched-kl')!
    expect(matched.selectedOnTest).toBe(true)
    const p2 = report.findings.find((f) => f.id === 'P2')!.perMode['matched-kl']!
    expect(p2.verdict).toBe('inconclusive')
    expect(p2.notes.join(' ')).toMatch(/chosen on the test metrics/)
  })

  it('renders the same bytes twice, with a verdict row per prediction and the placements', () => {
    const results = worldResults()
    const meta = findingsMeta(results, { source: 'planted.json', out: 'docs/results.md' })
    const a = renderFindingsV2(evaluateFindingsV2(results), meta, results)
    const b = renderFindingsV2(evaluateFindingsV2(results), meta, results)
    expect(a).toBe(b)
    expect(a).toMatch(/^\| P2 \| BoN-aware training wins on its own metric \| \*\*holds\*\* \| holds \| holds \|/m)
    for (const id of ['P1', 'P3', 'P4', 'P5', 'P6'])
      expect(a).toMatch(new RegExp(`^\\| ${id} \\| .* \\| \\*\\*(holds|does not hold|inconclusive|not testable here)\\*\\* \\|`, 'm'))
    expect(a).toContain('## Where each arm is compared')
    expect(a).toContain('## Frontiers at common KL')
    expect(a).toContain('not reached (max')
    expect(a).toContain('## What differs from the paper, and what would change the verdicts')
  })
})

describe('the power plan', () => {
  it('projects, at the pilot’s own size, about the paired two-level bootstrap SE', () => {
    const pilot = plantedResults({
      arms: [
        { strategy: 'rl', pass: () => 0.02 },
        { strategy: 'bon-rl-s', nTrain: 4, pass: () => 0.05 },
      ],
      seeds: [0, 1, 2, 3],
      prompts: 80,
      noise: 0.05,
    })
    const checks = plannedChecks(pilot)
    expect(checks.length).toBeGreaterThan(0)
    for (const check of checks.filter((c) => !c.strata).slice(0, 4)) {
      const c = varianceComponents(check)
      const boot = pairedTwoLevelBootstrap(check.b.values, check.a.values, { resamples: 2000, seed: 1 })
      const projected = projectedSe(c, check.a.values.length, check.prompts)
      expect(projected / boot.stdErr).toBeGreaterThan(0.85)
      expect(projected / boot.stdErr).toBeLessThan(1.15)
    }
    const plan = powerPlan(checks, { seeds: [2, 8], prompts: [40, 400], alpha: 0.05, power: 0.8 })
    for (const r of plan.rows) {
      expect(r.mde[1]![1]!).toBeLessThan(r.mde[0]![0]!)
    }
    expect(plan.options.tests).toBe(checks.length)
  })
})

describe('the committed example of a v2 document', () => {
  it('regenerates docs/study-v2/example-results.md byte for byte from planted frontiers (UPDATE_EXAMPLE=1 rewrites it)', async () => {
    const { readFile, writeFile } = await import('node:fs/promises')
    const file = 'docs/study-v2/example-results.md'
    const results = worldResults()
    const meta = findingsMeta(results, { source: 'test/helpers/planted-frontier.ts (world(0.1) of test/unit/findings-v2.test.ts)' })
    const markdown = renderFindingsV2(worldReport(), meta, results)
    const banner =
      '<!-- A synthetic example of the study-v2 findings document: planted effects (bon-rl-v gains +10 pp Bo-N at matched KL), not measurements. -->\n'
    if (process.env.UPDATE_EXAMPLE === '1') await writeFile(file, banner + markdown)
    expect(await readFile(file, 'utf8')).toBe(banner + markdown)
  })
})

type Cell = Results['cells'][number]

/** Every per-prompt distinct@N removed (results written before the field): test, validation and every checkpoint. */
function withoutPromptDistinct(results: Results): Results {
  const copy = structuredClone(results)
  const strip = (rows: ReadonlyArray<{ distinctAtN?: number[] }> | undefined) => rows?.forEach((r) => delete r.distinctAtN)
  const validation = (x: unknown) => (x as { validation?: { prompts: PromptRow[] } }).validation?.prompts
  for (const c of copy.cells) {
    strip(c.prompts)
    strip(validation(c))
    for (const cp of c.checkpoints ?? []) {
      strip(cp.prompts)
      strip(validation(cp))
    }
  }
  return copy
}

/** The trained final models collapse to one answer (distinct@N = 1), as their checkpoints did not. */
function collapsedFinals(results: Results): Results {
  const copy = structuredClone(results)
  for (const c of copy.cells as Cell[]) {
    if (c.key.strategy === 'base') continue
    for (const p of c.prompts) p.distinctAtN = p.distinctAtN!.map(() => 1)
    c.metrics.distinctAtN = c.metrics.distinctAtN.map(() => 1)
  }
  return copy
}

describe('review fixes of the v2 findings', () => {
  it('falls back to the distinct@N of the point each arm is placed at, not to the final model’s, without per-prompt values', () => {
    const full = collapsedFinals(worldResults())
    const diversity = (r: Results) =>
      evaluateFindingsV2(r)
        .findings.find((f) => f.id === 'P4')!
        .perMode['matched-kl']!.evidence.filter((c) => c.metric === 'distinctAtN')
    const withPrompts = diversity(full)
    const withoutPrompts = diversity(withoutPromptDistinct(full))
    expect(withPrompts.length).toBeGreaterThan(0)
    // Cell-level distinct@N is the mean of the per-prompt values, and interpolating commutes with the mean.
    expect(withoutPrompts.map((c) => c.label)).toEqual(withPrompts.map((c) => c.label))
    withoutPrompts.forEach((c, i) => expect(c.diff).toBeCloseTo(withPrompts[i]!.diff, 9))
  })

  it('ranks every arm in P3 (the arms placed at κ, not only the base), each at its placed seed-pooled mean', () => {
    const report = evaluateFindingsV2(plantedFrontierResults({ arms: [...world(0.1), { strategy: 'bon-rl-s', nTrain: 4, speed: 0.12, ...common }] }))
    const p3 = report.findings.find((f) => f.id === 'P3')!.perMode['matched-kl']!
    const bo4 = p3.facts.filter((f) => f.label.startsWith('Bo-4: '))
    expect(bo4.map((f) => f.label.replace(/ @KL \S+/, '').replace(/ \(rank.*/, '')).sort()).toEqual(
      ['base', 'bon-rl-s (N′=4)', 'bon-rl-v (N′=4)', 'rl', 'rl-on-r', 'sft'].map((l) => `Bo-4: ${l}`).sort(),
    )
    expect(bo4.every((f) => /\(rank \d of 6\)$/.test(f.label))).toBe(true)
    const placed = report.modes.find((m) => m.mode === 'matched-kl')!.placements[0]!.placed
    for (const p of placed) {
      const fact = bo4.find((f) => f.label.startsWith(`Bo-4: ${p.virtual.label} (rank`))!
      expect(fact.value as number).toBeCloseTo(placedMean(p, { metric: 'bestOfN', n: 4 }), 12)
      expect(fact.ci![0]).toBeLessThan(fact.value as number)
      expect(fact.ci![1]).toBeGreaterThan(fact.value as number)
    }
    const values = bo4.map((f) => f.value as number)
    expect(values).toEqual([...values].sort((x, y) => y - x))
  })

  it('names the largest differences against a verdict, not the first ones, and never mixes answers with pp', () => {
    // bon-rl-v loses Bo-N against every reference, most against rl-on-r (listed last in P2's evidence).
    const gain = (g: number) => (k: number, n: number) => sat(k) + (n > 1 ? (g * k) / 0.2 : 0)
    const arms: PlantedFrontierArm[] = [
      { strategy: 'sft', speed: 0.1, pass: gain(0.03), bon: gain(0.03) },
      { strategy: 'rl', speed: 0.07, pass: gain(0.05), bon: gain(0.05) },
      { strategy: 'rl', arm: 'rl-on-r', speed: 0.1, pass: gain(0.12), bon: gain(0.12) },
      { strategy: 'bon-rl-v', nTrain: 4, speed: 0.15, ...common },
    ]
    const results = plantedFrontierResults({ arms })
    const report = evaluateFindingsV2(results)
    const p2 = report.findings.find((f) => f.id === 'P2')!
    expect(p2.verdict).toBe('does not hold')
    const against = Object.values(p2.perMode).flatMap((f) => f!.evidence.filter((c) => c.outcome === 'contradicts'))
    const largest = [...against].sort((x, y) => Math.abs(y.diff) - Math.abs(x.diff)).slice(0, 2)
    const md = renderFindingsV2(report, findingsMeta(results, { source: 'planted.json' }), results)
    const line = md.split('\n').find((l) => l.startsWith('- P2 (does not hold): '))!
    expect(line).toContain(`(largest: ${largest.map((c) => `${c.label} ${diffText(c, c.diff)}`).join('; ')})`)
    // Units apart: the pp differences first, the counts (distinct@N) after their own heading.
    const pick = (metric: CheckResult['metric'], diff: number, label: string) => ({ ...against[0]!, metric, diff, label })
    expect(
      largestText([pick('distinctAtN', -0.07, 'd1'), pick('hardEasyGain', -0.118, 'e1'), pick('bestOfN', -0.047, 'b1'), pick('bestOfN', -0.109, 'b2')]),
    ).toBe('largest: e1 -11.8 pp; b2 -10.9 pp; largest in answers: d1 -0.07 answers')
  })

  it('prints a power-plan command that bench findings parses as the plan of a pilot', async () => {
    const results = worldResults()
    const md = renderFindingsV2(worldReport(), findingsMeta(results, { source: 'planted.json' }), results)
    const power = md.slice(md.indexOf('## Power'))
    const commands = [...power.matchAll(/`bench (findings [^`]*)`/g)].map((m) => m[1]!)
    expect(commands.length).toBeGreaterThan(0)
    for (const command of commands) {
      const program = new Command().exitOverride()
      registerFindings(program)
      let parsed: { target: string; flags: Record<string, unknown> } | undefined
      const findings = program.commands
        .find((c) => c.name() === 'findings')!
        .exitOverride()
        .configureOutput({ writeErr: () => {} })
      findings.action((target: string, flags: Record<string, unknown>) => void (parsed = { target, flags }))
      // A <placeholder> is one argument.
      const args = command.match(/<[^>]*>|\S+/g)!.map((a) => (a.startsWith('<') ? 'pilot.json' : a))
      await program.parseAsync(args, { from: 'user' })
      expect(parsed).toEqual({ target: 'pilot.json', flags: expect.objectContaining({ plan: true }) })
    }
  })

  it('says at which temperature the arms are compared, and marks candidate scores taken on test', () => {
    // bon-rl-v reaches κ before its first checkpoint (between the base and step 25), and the base has no validation: its one learning rate is scored on test.
    const planted = plantedFrontierResults({ arms: [...world(0.1, 40)], lrs: [1e-4] })
    const atT = (t: number) => (t === 1 ? 0.7 : 1)
    const results = structuredClone(planted)
    // Swap the temperatures: the arms train and are compared at T = 0.7.
    for (const x of [...results.cells, ...results.groups]) x.key.temperature = atT(x.key.temperature)
    for (const c of results.cells) if (c.key.strategy === 'base') delete (c as { validation?: unknown }).validation
    const report = evaluateFindingsV2(results)
    const placed = report.modes.find((m) => m.mode === 'matched-kl')!.placements[0]!.placed.find((p) => p.arm.name === 'bon-rl-v')!
    expect([placed.selectedOn, placed.scoredOn]).toEqual(['only one', 'test'])
    const md = renderFindingsV2(report, findingsMeta(results, { source: 'planted.json' }), results)
    expect(md).toMatch(/^\| bon-rl-v \(N′=4\) \| Bo-4 \| 1e-4 \| only one \| 1e-4: [\d.]+% \(on test\) \|/m)
    expect(md).toMatch(/^\| sft \| pass@1 \| 1e-4 \| only one \| 1e-4: [\d.]+% \|/m)
    expect(md).toContain('the arms are compared at T=0.7)')
  })
})
