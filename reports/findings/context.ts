import type { Results } from '../results-schema.js'
import type { ArmData } from './arms.js'
import type { CheckResult, Finding, PlannedCheck } from './types.js'

/** What every prediction sees when it plans its checks. Built once per evaluation. */
export interface FindingsContext {
  results: Results
  arms: ArmData[]
  /** The temperature P1–P4 are judged at (P5 looks at the others). */
  primaryTemperature: number
  temperatures: number[]
  /** N values every arm at the primary temperature reports. */
  grid: number[]
  /** Seed of every bootstrap here (each check derives its own stream from it and its id). */
  seed: number
  level: number
  /** Resamples of the descriptive (untested) intervals. */
  resamples: number
}

/**
 * A prediction's plan: the comparisons it needs tested (they join the report's one Holm family)
 * and how it turns their outcomes into a finding. `decide` runs after every check of the report.
 */
export interface PredictionPlan {
  checks: PlannedCheck[]
  decide: (results: ReadonlyMap<string, CheckResult>) => Finding
}
