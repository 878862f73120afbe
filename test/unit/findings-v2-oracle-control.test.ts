import { describe, expect, it } from 'vitest'
import { findingsMeta } from '../../reports/findings.js'
import { evaluateFindingsV2 } from '../../reports/findings-v2/evaluate.js'
import { oracleControl } from '../../reports/findings-v2/oracle-control.js'
import { renderFindingsV2 } from '../../reports/findings-v2/render.js'
import { placeAtBestCheckpoint } from '../../reports/findings-v2/select.js'
import { indexArmsV2 } from '../../reports/findings-v2/trajectories.js'
import type { Results } from '../../reports/results-schema.js'
import type { PlantedFrontierArm } from '../helpers/planted-frontier.js'
import { plantedFrontierResults } from '../helpers/planted-frontier.js'

// Study v2's oracle control: the main run's bon-rl-v (trained and selected with the learned
// verifier) against the control run's bon-rl-v-oracle (the same plugin, trained and selected with
// R), each at its best checkpoint on validation, each against its own run's base.

const gainOf = (g: number) => (k: number, n: number) => (n > 1 ? (g * k) / 0.2 : 0)

function run(arms: PlantedFrontierArm[], selector: string, seed: number): Results {
  const results = plantedFrontierResults({ arms, seed })
  return { ...results, run: { ...results.run, runId: `run-${selector}` }, provenance: { ...results.provenance, judges: { reward: 'math-answer', selector } } }
}

/** A main run whose bon-rl-v gains `learned` Bo-N and a control run whose oracle arm gains `oracle`. */
function pair(learned: number, oracle: number) {
  const main = run(
    [
      { strategy: 'sft', speed: 0.1 },
      { strategy: 'bon-rl-v', nTrain: 4, speed: 0.15, pass: gainOf(learned), bon: gainOf(learned) },
    ],
    'reward-model',
    1,
  )
  const control = run([{ strategy: 'bon-rl-v', arm: 'bon-rl-v-oracle', nTrain: 4, speed: 0.15, pass: gainOf(oracle), bon: gainOf(oracle) }], 'math-answer', 2)
  return { main, control }
}

const options = { temperature: 1, seed: 0, resamples: 400, level: 0.95 }

describe('oracleControl', () => {
  it('pairs the oracle arm with the main run’s arm of the same plugin and N′, and measures each at its best checkpoint against its own base', () => {
    const { main, control } = pair(0.1, 0)
    const report = oracleControl(main, control, options)
    expect(report.unmatched).toEqual([])
    expect(report.pairs).toHaveLength(1)
    const [learned, oracle] = report.pairs[0]!.sides
    expect([learned!.role, learned!.selector, oracle!.role, oracle!.selector]).toEqual(['learned', 'reward-model', 'oracle', 'math-answer'])
    // The placement is the main document's: the same learning rate and steps as placeAtBestCheckpoint.
    const armMain = indexArmsV2(main).find((a) => a.name === 'bon-rl-v')!
    expect(learned!.placed.lr).toBe(placeAtBestCheckpoint(armMain, 'x', '')!.lr)
    expect(learned!.placed.points).toEqual(placeAtBestCheckpoint(armMain, 'x', '')!.points)
    // Gains against a brute-force recomputation: trained − base, seed-pooled means over the test prompts.
    for (const side of [learned!, oracle!]) {
      for (const row of side.rows) expect(row.gain.diff).toBeCloseTo(row.trained - row.base, 12)
    }
    const bo4 = (s: typeof learned) => s!.rows.find((r) => r.target.metric === 'bestOfN' && r.target.n === 4)!.gain
    expect(bo4(learned).diff).toBeGreaterThan(0.05)
    expect(bo4(learned).ci[0]).toBeGreaterThan(0)
    expect(bo4(oracle).ci[0]).toBeLessThan(0)
    expect(bo4(oracle).ci[1]).toBeGreaterThan(0)
  })

  it('reads the four outcomes from the two Bo-N′ gains', () => {
    const reading = (learned: number, oracle: number) => {
      const { main, control } = pair(learned, oracle)
      const report = evaluateFindingsV2(main)
      const md = renderFindingsV2(report, findingsMeta(main, { source: 'main.json' }), main, {
        control: oracleControl(main, control, options),
        source: 'control.json',
      })
      expect(md).toContain('## The oracle control')
      expect(md).toContain('`control.json`')
      return md
    }
    expect(reading(0.1, 0.1)).toContain('Both gain: the training objective')
    expect(reading(0.1, 0)).toContain('Only the learned-verifier arm gains')
    expect(reading(0, 0.1)).toContain('Only the oracle arm gains')
    expect(reading(0, 0)).toContain('Neither gain is clear')
  })

  it('names a control arm without a counterpart, and refuses a control run with no trained arm', () => {
    const { control } = pair(0.1, 0.1)
    const mainWithout = run([{ strategy: 'sft', speed: 0.1 }], 'reward-model', 1)
    expect(oracleControl(mainWithout, control, options).unmatched).toEqual(['bon-rl-v-oracle (N′=4): the main run has no bon-rl-v arm at N′=4, T=1'])
    const baseOnly = run([], 'math-answer', 3)
    expect(() => oracleControl(mainWithout, baseOnly, options)).toThrow(/hold no trained arm with checkpoint evaluations/)
  })
})

describe('what oracleControl takes as the oracle control', () => {
  const usage = (main: Results, control: Results, what: RegExp) => {
    const run = () => oracleControl(main, control, { ...options, source: 'ctl.json' })
    expect(run).toThrow(expect.objectContaining({ code: 'BENCH_USAGE' }))
    expect(run).toThrow(/^--control ctl\.json: /)
    expect(run).toThrow(what)
  }

  it('refuses the main run itself, whose selector is the learned verifier: it would be called the oracle', () => {
    const { main } = pair(0.1, 0)
    usage(main, main, /it is the main run itself/)
  })

  it('refuses a control run that does not select with its reward verifier, or a main run that does', () => {
    const { main, control } = pair(0.1, 0)
    const learned = { ...control, provenance: { ...control.provenance, judges: { reward: 'math-answer', selector: 'reward-model' } } }
    usage(main, learned, /its selector is reward-model, not its reward verifier math-answer: it is not an oracle run/)
    const oracleMain = { ...main, provenance: { ...main.provenance, judges: { reward: 'math-answer', selector: 'math-answer' } } }
    usage(oracleMain, control, /the main run \(run run-reward-model\) selects with its reward verifier math-answer too/)
  })

  it('refuses a control run without a BoN-aware arm (an N′ = 1 arm is no control of one), and lists such arms beside one', () => {
    const { main } = pair(0.1, 0)
    const standard = run(
      [
        { strategy: 'sft', speed: 0.1 },
        { strategy: 'rl', speed: 0.1 },
      ],
      'math-answer',
      2,
    )
    usage(main, standard, /no BoN-aware arm with N′ ≥ 2 at T=1 \(it holds sft, rl\)/)
    const mixed = run(
      [
        { strategy: 'sft', speed: 0.1 },
        { strategy: 'bon-rl-v', arm: 'bon-rl-v-oracle', nTrain: 4, speed: 0.15 },
      ],
      'math-answer',
      2,
    )
    const report = oracleControl(main, mixed, options)
    expect(report.pairs.map((p) => [p.strategy, p.nTrain])).toEqual([['bon-rl-v', 4]])
    expect(report.unmatched).toEqual(['sft: not a BoN-aware arm with N′ ≥ 2 (the control compares those)'])
  })

  it('refuses a control run on other test prompts, and measures both sides on the prompts the runs share', () => {
    const { main, control } = pair(0.1, 0)
    const rename = (id: string) => `other-${id}`
    const elsewhere = structuredClone(control)
    for (const c of elsewhere.cells) {
      for (const p of c.prompts) p.promptId = rename(p.promptId)
      for (const cp of c.checkpoints ?? []) for (const p of cp.prompts) p.promptId = rename(p.promptId)
    }
    usage(main, elsewhere, /shares no test prompt with the main run’s/)
    // Half the control's prompts renamed: both sides are measured on the other half only.
    const half = structuredClone(control)
    const keep = new Set(half.cells[0]!.prompts.slice(0, 30).map((p) => p.promptId))
    for (const c of half.cells) {
      for (const p of c.prompts) if (!keep.has(p.promptId)) p.promptId = rename(p.promptId)
      for (const cp of c.checkpoints ?? []) for (const p of cp.prompts) if (!keep.has(p.promptId)) p.promptId = rename(p.promptId)
    }
    const report = oracleControl(main, half, options)
    expect(report.prompts).toBe(30)
    const learned = report.pairs[0]!.sides[0]!
    const base = indexArmsV2(main).find((a) => a.name === 'bon-rl-v')!
    const placed = placeAtBestCheckpoint(base, 'x', '')!
    const bo4 = learned.rows.find((r) => r.target.metric === 'bestOfN' && r.target.n === 4)!
    // The trained side's mean over the 30 shared prompts, recomputed from the placed cells.
    const mean =
      placed.virtual.cells.reduce(
        (s, c) => s + c.prompts.filter((p) => keep.has(p.promptId)).reduce((t, p) => t + p.bestOfN[c.metrics.grid.indexOf(4)]!, 0) / 30,
        0,
      ) / placed.virtual.cells.length
    expect(bo4.trained).toBeCloseTo(mean, 12)
  })
})
