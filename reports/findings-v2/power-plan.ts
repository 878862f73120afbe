import { BenchError } from '../../core/errors.js'
import { diffText, pp } from '../findings/format.js'
import { mdeMultiplier, paperEffects } from '../findings/power.js'
import { table } from '../findings/render.js'
import type { PlannedCheck } from '../findings/types.js'
import type { Results } from '../results-schema.js'

/**
 * The power of a planned study, stated before it runs: from a pilot's per-prompt values, the
 * variance components of every comparison the findings will test, and the minimum detectable
 * effect (MDE) of each at candidate seed × prompt counts.
 *
 * Model of one arm's per-prompt metric: y[s][p] = μ + u_s + v_p + e_sp (seed effect u, prompt effect
 * v, residual e). For b − a paired over P prompts, S seeds each, the variance of the difference is
 * σ²_u,a/S + σ²_u,b/S + σ²_δ/P + (σ²_e,a + σ²_e,b)/(S·P), σ²_δ the variance over prompts of
 * v_b − v_a (the pairing removes what the arms share); {@link projectedSe} gives the SE the
 * findings' bootstrap will report. Components come from the pilot by the two-way ANOVA moments
 * (method of moments, negative estimates set to 0).
 */

/** Variance components of one planned comparison, from the pilot. */
export interface Components {
  seedA: number
  seedB: number
  /** Variance over prompts of the paired prompt effect difference. */
  promptDiff: number
  residA: number
  residB: number
  /** Seeds and prompts of the pilot behind them. */
  pilotSeeds: [number, number]
  pilotPrompts: number
}

function armComponents(y: readonly (readonly number[])[]): { seed: number; resid: number; colMeans: number[] } {
  const S = y.length
  const P = y[0]!.length
  const rowMeans = y.map((r) => r.reduce((a, b) => a + b, 0) / P)
  const colMeans = Array.from({ length: P }, (_, p) => y.reduce((a, r) => a + r[p]!, 0) / S)
  const g = rowMeans.reduce((a, b) => a + b, 0) / S
  if (S < 2 || P < 2) return { seed: 0, resid: 0, colMeans }
  let ss = 0
  for (let s = 0; s < S; s++) for (let p = 0; p < P; p++) ss += (y[s]![p]! - rowMeans[s]! - colMeans[p]! + g) ** 2
  const resid = ss / ((S - 1) * (P - 1))
  const varRow = rowMeans.reduce((a, m) => a + (m - g) ** 2, 0) / (S - 1)
  return { seed: Math.max(0, varRow - resid / P), resid, colMeans }
}

/** Per-prompt weights that turn a stratified hard − easy contrast into a plain mean over prompts. */
function contrastWeights(strata: readonly boolean[]): number[] {
  const P = strata.length
  const H = strata.filter(Boolean).length
  return strata.map((hard) => (hard ? P / H : -P / (P - H)))
}

/** The variance components of a planned check's b − a. Pure. */
export function varianceComponents(check: Pick<PlannedCheck, 'a' | 'b' | 'strata'>): Components {
  const w = check.strata ? contrastWeights(check.strata) : undefined
  const tx = (m: readonly (readonly number[])[]) => (w ? m.map((r) => r.map((v, p) => v * w[p]!)) : m)
  const a = armComponents(tx(check.a.values))
  const b = armComponents(tx(check.b.values))
  const P = a.colMeans.length
  const delta = b.colMeans.map((v, p) => v - a.colMeans[p]!)
  const dm = delta.reduce((x, y) => x + y, 0) / P
  const varDelta = P > 1 ? delta.reduce((x, d) => x + (d - dm) ** 2, 0) / (P - 1) : 0
  const Sa = check.a.values.length
  const Sb = check.b.values.length
  return {
    seedA: a.seed,
    seedB: b.seed,
    promptDiff: Math.max(0, varDelta - a.resid / Sa - b.resid / Sb),
    residA: a.resid,
    residB: b.resid,
    pilotSeeds: [Sa, Sb],
    pilotPrompts: P,
  }
}

/**
 * Projected standard error of b − a with S seeds per arm and P prompts, as the findings' paired
 * two-level bootstrap will estimate it (resampling each arm's seeds and, jointly, the prompts):
 *   SE² = Σ_arm (S−1)/S · (σ²_seed + σ²_resid/P)/S + (P−1)/P · (σ²_δ + (σ²_resid,a + σ²_resid,b)/S)/P.
 * The residual enters through both levels (the two-way bootstrap counts it twice), so this is a
 * little above the model variance; it is the SE the MDE of docs/results.md is computed from. Pure.
 */
export function projectedSe(c: Components, seeds: number, prompts: number): number {
  const S = seeds
  const P = prompts
  const seedPart = ((S - 1) / S) * ((c.seedA + c.residA / P) / S + (c.seedB + c.residB / P) / S)
  const promptPart = ((P - 1) / P) * ((c.promptDiff + (c.residA + c.residB) / S) / P)
  return Math.sqrt(seedPart + promptPart)
}

/** The paper effect a planned comparison is held against, if any. */
function paperOf(check: PlannedCheck): number | undefined {
  return check.paperEffect
}

/** Options of {@link powerPlan}. */
export interface PowerPlanOptions {
  seeds: number[]
  prompts: number[]
  alpha: number
  power: number
  /** Size of the Holm family (default: the number of planned comparisons). */
  tests?: number
}

/** One comparison's plan. */
export interface PlannedPower {
  check: PlannedCheck
  components: Components
  /** MDE per candidate, `mde[i][j]` for seeds[i] × prompts[j]. */
  mde: number[][]
}

/** The power plan of a pilot. */
export interface PowerPlan {
  rows: PlannedPower[]
  options: Required<PowerPlanOptions>
  z: number
}

/** Projects every planned comparison of a pilot to each candidate design. Pure. */
export function powerPlan(checks: readonly PlannedCheck[], options: PowerPlanOptions): PowerPlan {
  if (checks.length === 0)
    throw new BenchError(
      'BENCH_RUN_INVALID',
      'the pilot supports no tested comparison (it needs a base and at least one trained arm); run a pilot with the planned arms',
    )
  const tests = options.tests ?? checks.length
  const z = mdeMultiplier({ alpha: options.alpha, power: options.power, tests })
  const rows = checks.map((check) => {
    const components = varianceComponents(check)
    return { check, components, mde: options.seeds.map((S) => options.prompts.map((P) => z * projectedSe(components, S, P))) }
  })
  return { rows, options: { ...options, tests }, z }
}

/**
 * The Markdown of a power plan: the design knobs, the paper's effects, one row per planned
 * comparison with its variance components and its MDE at every candidate, then where the paper's
 * effects are out of reach. Pure.
 */
export function renderPowerPlan(plan: PowerPlan, pilot: Results, source: string): string {
  const o = plan.options
  const sd = (v: number) => pp(Math.sqrt(v)).replace('+', '')
  const designs = o.seeds.flatMap((S) => o.prompts.map((P) => ({ S, P })))
  const seedsInPilot = [...new Set(plan.rows.flatMap((r) => r.components.pilotSeeds))]
  const lines = [
    `# Power plan from the pilot \`${source}\` (run \`${pilot.run.runId}\`)`,
    '',
    `- ${plan.rows.length} planned comparisons (the ones \`bench findings\` would test on a run with the pilot’s arms); Holm family m = ${o.tests}, α = ${o.alpha}, power ${o.power}: MDE = ${plan.z.toFixed(3)} × SE.`,
    `- SE projected from the pilot’s variance components (seed, paired prompt difference, residual; method of moments on values[seed][prompt]) as the findings’ paired two-level bootstrap will estimate it: SE² = Σ_arm (S−1)/S·(σ²_seed + σ²_resid/P)/S + (P−1)/P·(σ²_prompt-diff + (σ²_resid,a + σ²_resid,b)/S)/P.`,
    '- With one seed the bootstrap sees no seed-to-seed variation, so plan at least 2 (3 or more: the seed part is scaled by (S−1)/S).',
    ...(seedsInPilot.includes(1)
      ? [
          '- **The pilot has one seed for some arm: its between-seed variance cannot be estimated and is taken as 0, so those MDEs are optimistic.** Run the pilot with at least 2 seeds.',
        ]
      : []),
    `- The paper’s effects (DESIGN §2.4, Gemma 2B), the size each comparison must detect: ${paperEffects.bestOfN.source} (${pp(paperEffects.bestOfN.diff)}) for Bo-N of a BoN-aware arm against the base; ${paperEffects.passAtN.source} (${pp(paperEffects.passAtN.diff)}) for pass@N against the base; ${paperEffects.passAtNVsRl.source} (${pp(paperEffects.passAtNVsRl.diff)}) against standard RL. They are the headline gains the paper reports for BoN-aware training; a study that cannot detect them cannot confirm or refute the paper at its own effect sizes.`,
    '',
  ]
  const header = ['Comparison (b − a)', 'Paper', 'sd seed a / b', 'sd prompt diff', 'sd resid a / b', ...designs.map((d) => `MDE ${d.S}×${d.P}`)]
  const body = plan.rows.map((r) => {
    const c = r.components
    const paper = paperOf(r.check)
    return [
      r.check.label,
      paper === undefined ? '—' : diffText(r.check, paper),
      `${sd(c.seedA)} / ${sd(c.seedB)}`,
      sd(c.promptDiff),
      `${sd(c.residA)} / ${sd(c.residB)}`,
      ...designs.map((d) => {
        const m = r.mde[o.seeds.indexOf(d.S)]![o.prompts.indexOf(d.P)]!
        const text = diffText(r.check, m).replace('+', '')
        return paper === undefined ? text : `${text} ${m <= Math.abs(paper) ? '✓' : '✗'}`
      }),
    ]
  })
  lines.push(
    'Seeds × prompts per arm in the column heads; ✓: the MDE reaches the paper’s effect, ✗: it does not. sd in pp (distinct answers: in answers × 100).',
    '',
    ...table(header, body),
    '',
  )
  const withPaper = plan.rows.filter((r) => r.check.paperEffect !== undefined)
  lines.push('## Where the budget reaches the paper’s effects', '')
  if (withPaper.length === 0) lines.push('- No planned comparison has a paper effect (the pilot lacks the base or a BoN-aware arm).')
  const byCost = [...designs].sort((x, y) => x.S * x.P - y.S * y.P || x.S - y.S)
  for (const r of withPaper) {
    const reach = byCost.find((d) => r.mde[o.seeds.indexOf(d.S)]![o.prompts.indexOf(d.P)]! <= Math.abs(r.check.paperEffect!))
    if (reach)
      lines.push(`- ${r.check.label}: ${reach.S} seeds × ${reach.P} prompts is the cheapest candidate that detects ${diffText(r.check, r.check.paperEffect!)}.`)
    else {
      const best = Math.min(...r.mde.flat())
      lines.push(
        `- ${r.check.label}: **no candidate reaches ${diffText(r.check, r.check.paperEffect!)}** (smallest MDE ${diffText(r.check, best).replace('+', '')}); the budget cannot detect the paper’s effect here${r.components.seedA + r.components.seedB > r.components.promptDiff / Math.max(...o.prompts) ? ' — the seed variance dominates, so more seeds help more than more prompts' : ''}.`,
      )
    }
  }
  const max = designs.map((d) =>
    Math.max(...plan.rows.filter((r) => r.check.metric !== 'distinctAtN').map((r) => r.mde[o.seeds.indexOf(d.S)]![o.prompts.indexOf(d.P)]!)),
  )
  lines.push(
    '',
    ...table(
      ['Design (seeds × prompts)', 'Largest MDE of the rate comparisons'],
      designs.map((d, i) => [`${d.S} × ${d.P}`, Number.isFinite(max[i]!) ? pp(max[i]!).replace('+', '') : '—']),
    ),
    '',
  )
  return lines.join('\n') + '\n'
}
