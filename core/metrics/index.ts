/**
 * The exact estimators of DESIGN §2.3 and the statistics around them. Every function is pure and
 * deterministic (seeded where random); all are computed from one pool of n samples per prompt.
 */
export { logChoose, logFactorial, chooseRatio } from './binomial.js'
export { passAtK, passAtKAll, passAtKCurve, countCorrect } from './pass-at-k.js'
export { bestOfN, bestOfNAll, blockMeanRewards } from './best-of-n.js'
export type { ScoredSample } from './best-of-n.js'
export { groupAnswers } from './answer-groups.js'
export type { AnsweredSample, AnswerGroups } from './answer-groups.js'
export { majorityAtK } from './majority-at-k.js'
export type { MajorityOptions, MajorityResult } from './majority-at-k.js'
export { majorityExact, majorityExactCost } from './majority-exact.js'
export { majorityMonteCarlo } from './majority-monte-carlo.js'
export type { MonteCarloEstimate } from './majority-monte-carlo.js'
export { distinctAtK } from './distinct-at-k.js'
export { bootstrapCI, pairedBootstrap, quantileSorted } from './bootstrap.js'
export type { BootstrapOptions, BootstrapInterval, PairedComparison } from './bootstrap.js'
export { twoLevelBootstrapCI, pairedTwoLevelBootstrap } from './two-level-bootstrap.js'
export type { TwoLevelOptions } from './two-level-bootstrap.js'
export { holm } from './holm.js'
export type { HolmResult } from './holm.js'
export { fitCoScaling, coScalingPredict, bestTemperaturePerN } from './co-scaling.js'
export type { CoScalingFit, CoScalingPoint } from './co-scaling.js'
export { summarizePools, defaultKGrid } from './pool-summary.js'
export type { PoolProblem, PoolSummary, PoolSummaryOptions, MetricCurve } from './pool-summary.js'
export { readSampleDump, parseDumpLine } from './sample-dump.js'
export type { SampleDump, DumpProblem, DumpSample, RecordedSample, RewardRule, BadLine } from './sample-dump.js'
export { selectionAtK, selectionUnavailable } from './selection-at-k.js'
export type { SelectionSample, SelectionCurve, SelectionAtKOptions } from './selection-at-k.js'
export {
  SELECTION_RULE_NAMES,
  DEFAULT_SELECTION_RULES,
  resolveSelectionRules,
  extraSelectionRules,
  selectionRuleId,
  selectionRuleLabel,
  needsLogProb,
} from './selection-rules.js'
export type { SelectionRule, SelectionRuleName, SelectionRuleRef } from './selection-rules.js'
export { subsetExpectation } from './subset-expectation.js'
export type { SubsetEstimate, SubsetExpectationOptions } from './subset-expectation.js'
