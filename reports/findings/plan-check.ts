import { armMatrix, sharedPromptIds } from './arms.js'
import type { ArmData, PromptMetricName } from './arms.js'
import { temperature } from './format.js'
import { side } from './run-checks.js'
import { metricName } from './strategy-targets.js'
import type { PlannedCheck, PredictionId } from './types.js'

/** What {@link planComparison} needs beyond the two arms. */
export interface ComparisonSpec {
  prediction: PredictionId
  metric: PromptMetricName
  n: number
  expected: PlannedCheck['expected']
  paper?: { diff: number; source: string }
}

/**
 * Plans b − a of one per-prompt metric at one N on the prompts both arms share; the id and label
 * name the arms, metric, N and temperature. Returns undefined when they share no prompt or one
 * lacks the N. Pure.
 */
export function planComparison(a: ArmData, b: ArmData, spec: ComparisonSpec): PlannedCheck | undefined {
  const prompts = sharedPromptIds(a, b)
  const needsN = spec.metric !== 'pass1'
  if (prompts.length === 0 || (needsN && !(a.grid.includes(spec.n) && b.grid.includes(spec.n)))) return undefined
  const n = needsN ? spec.n : 1
  const name = metricName(spec.metric, n)
  return {
    id: `${spec.prediction}:${b.groupId}-vs-${a.groupId}:${spec.metric}@${n}`,
    prediction: spec.prediction,
    label: `${b.label} − ${a.label}, ${name}, T=${temperature(b.temperature)}`,
    metric: spec.metric,
    n,
    temperature: b.temperature,
    a: side(a, armMatrix(a, spec.metric, n, prompts)),
    b: side(b, armMatrix(b, spec.metric, n, prompts)),
    expected: spec.expected,
    ...(spec.paper ? { paperEffect: spec.paper.diff, paperEffectSource: spec.paper.source } : {}),
    prompts: prompts.length,
  }
}
