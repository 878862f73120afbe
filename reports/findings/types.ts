/**
 * The data of `docs/results.md`: one finding per prediction P1–P6 of DESIGN §2.4, each with the
 * comparisons it rests on. Built by `evaluateFindings` from a results.json alone; rendered by
 * `renderFindings`. Everything here is plain data (numbers in [0, 1] for rates; differences in
 * the same units), so tests can check verdicts without reading Markdown.
 */

/** The paper's predictions, DESIGN §2.4. */
export type PredictionId = 'P1' | 'P2' | 'P3' | 'P4' | 'P5' | 'P6'

/** What the run says about a prediction. */
export type Verdict = 'holds' | 'does not hold' | 'inconclusive' | 'not testable here'

/** Per-prompt quantities a check can compare. `hardEasyGain` is the P4 effort contrast. */
export type CheckMetric = 'pass1' | 'passAtN' | 'bestOfN' | 'distinctAtN' | 'hardEasyGain'

/**
 * One arm of the study: the seed-pooled cells of one (strategy, N′, temperature). `strategy` is
 * the short name (`bon-rl-s`, without a `bonbench:` prefix); `base` is the untrained model.
 */
export interface Arm {
  groupId: string
  strategy: string
  nTrain: number
  temperature: number
  /** Seeds pooled, in ascending order. */
  seeds: number[]
  /** The arm's label in the doc, e.g. `bon-rl-s (N′=8)`. */
  label: string
}

/** How a tested comparison came out, after Holm. */
export type CheckOutcome = 'supports' | 'contradicts' | 'null'

/**
 * A planned comparison b − a on the prompts both arms share: `a` and `b` are `values[seed][prompt]`
 * matrices (already transformed, e.g. weighted for the P4 contrast). Planned by a prediction,
 * run by the findings runner together with every other planned check (one Holm family).
 */
export interface PlannedCheck {
  /** Unique within a report; also seeds the check's bootstrap stream. */
  id: string
  prediction: PredictionId
  /** e.g. `bon-rl-s − base, pass@8, T=1`. */
  label: string
  metric: CheckMetric
  /** The N the metric is taken at (1 for pass1 and the P4 contrast's base pass@1 split). */
  n: number
  temperature: number
  a: { arm: Arm; values: number[][] }
  b: { arm: Arm; values: number[][] }
  /** The direction the paper predicts for b − a. */
  expected: 'positive' | 'negative'
  /** The paper's effect size for this kind of comparison (same units as the diff), where it reports one. */
  paperEffect?: number
  /** Where the paper effect comes from (shown beside it). */
  paperEffectSource?: string
  prompts: number
  /**
   * For the P4 contrast: the hard/easy split of the prompts. The values are then raw per-prompt
   * metrics and the difference is the hard − easy contrast of b minus that of a, bootstrapped
   * within the split (reports/findings/contrast-bootstrap.ts).
   */
  strata?: boolean[]
}

/** A finished check: the planned comparison with its paired two-level bootstrap and Holm outcome. */
export interface CheckResult extends Omit<PlannedCheck, 'a' | 'b' | 'strata'> {
  a: Arm
  b: Arm
  /** Mean of b − a over seeds and shared prompts. */
  diff: number
  /** Percentile CI of the difference at the report's level (not Holm-adjusted). */
  ci: [number, number]
  /** Bootstrap standard error of the difference. */
  se: number
  p: number
  /** Holm-adjusted over every check of the report. */
  pHolm: number
  outcome: CheckOutcome
  /** Minimum detectable effect at the Holm-strictest level α/m and the report's power. */
  mde: number
  /** The same at the unadjusted α (for reading one comparison alone). */
  mdeUnadjusted: number
  /** True when a paper effect exists and the design could detect it (mde ≤ |paperEffect|). */
  powered: boolean
}

/** A descriptive number (not part of the Holm family): curves, fits, ranks. */
export interface Fact {
  label: string
  value: number | string
  ci?: [number, number]
  /** How to print it: `rate` (a %), `diff` (percentage points), `count`, `temperature`, `plain`. */
  unit: 'rate' | 'diff' | 'count' | 'temperature' | 'plain'
}

/** The verdict on one prediction with everything behind it. */
export interface Finding {
  id: PredictionId
  title: string
  /** The paper's claim, in words. */
  claim: string
  /** Exactly how it is checked here (arms, metric, N, direction, decision rule). */
  method: string
  verdict: Verdict
  /** Why: the numbers that decided the verdict, in a sentence or three. */
  summary: string
  /** The tested comparisons (one Holm family across the report). */
  evidence: CheckResult[]
  facts: Fact[]
  /** The largest MDE among the evidence (the effect size every comparison could detect), or null. */
  mde: number | null
  notes: string[]
}

/** The knobs and sizes of the design, shown in the power analysis. */
export interface FindingsDesign {
  alpha: number
  level: number
  power: number
  resamples: number
  /** Number of tested comparisons: the Holm family. */
  tests: number
  primaryTemperature: number
  temperatures: number[]
  grid: number[]
  seeds: number[]
  prompts: number
  strategies: string[]
  /** Multiplier of the SE in the MDE at the Holm-strictest level: z(1 − α/(2m)) + z(power). */
  zHolm: number
  /** The same at the unadjusted α. */
  zUnadjusted: number
  seed: number
  /** How the base model's per-prompt success rate spreads at the primary temperature (the regime). */
  baseSpread?: BaseSpread
}

/** Shares of test prompts by the base model's success rate over its pooled samples (all seeds). */
export interface BaseSpread {
  temperature: number
  /** Mean per-prompt success rate (pass@1). */
  pass1: number
  /** Samples per prompt pooled over seeds. */
  samplesPerPrompt: number
  never: number
  rarely: number
  sometimes: number
  often: number
  always: number
}

/** What `evaluateFindings` returns. */
export interface FindingsReport {
  findings: Finding[]
  design: FindingsDesign
}
