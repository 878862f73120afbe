import { z } from 'zod'

/**
 * The schema of `results.json` (version 1). `run.json` stays the manifest; `results.json` is the
 * analysed run: per-cell metrics with CIs, seed-pooled groups, comparisons and chart series.
 * The committed JSON Schema `reports/results.schema.json` is generated from this file
 * (`npx tsx reports/write-results-schema.ts`; a test checks they agree) — edit here, then regenerate.
 * Bump `RESULTS_VERSION` on any change a consumer could notice.
 */
export const RESULTS_VERSION = 1

const interval = z.tuple([z.number(), z.number()]).describe('[low, high] confidence interval')

/** A point estimate with its confidence interval (level in `settings.level`). */
const estimate = z.strictObject({ value: z.number(), ci: interval })

const cellKey = z.strictObject({
  task: z.string(),
  model: z.string(),
  strategy: z.string().describe("'base' for the untrained base model"),
  nTrain: z.number().int(),
  temperature: z.number(),
  seed: z.number().int(),
})

/** A cell's coordinates without the seed: the unit that seeds are pooled over. */
const groupKey = cellKey.omit({ seed: true })

const cellMetrics = z.strictObject({
  grid: z.array(z.number().int().positive()),
  passAtN: z.array(z.number()),
  bestOfN: z.array(z.number()),
  majorityAtN: z.array(z.number()),
  majorityStdErr: z.array(z.number()),
  distinctAtN: z.array(z.number()),
  pass1: z.number(),
  meanReward: z.number(),
  ci: z.strictObject({ passAtN: z.array(interval), bestOfN: z.array(interval), majorityAtN: z.array(interval) }),
  threshold: z.number(),
})

const promptMetrics = z.strictObject({
  promptId: z.string(),
  passAtN: z.array(z.number()),
  bestOfN: z.array(z.number()),
  majorityAtN: z.array(z.number()),
  pFail: z.number(),
  distinctAtN: z.array(z.number()).optional().describe('expected distinct final answers among N samples, aligned with the grid'),
})

const cell = z.strictObject({
  cellId: z.string(),
  groupId: z.string(),
  key: cellKey,
  metrics: cellMetrics,
  prompts: z.array(promptMetrics),
  compute: z.strictObject({ samplesDrawn: z.number(), tokensGenerated: z.number(), tokensTrained: z.number(), wallMs: z.number() }),
  trainingSteps: z.number().int().min(0),
  checkpoint: z.string().optional(),
})

const group = z.strictObject({
  groupId: z.string(),
  label: z.string(),
  key: groupKey,
  seeds: z.array(z.number().int()),
  cellIds: z.array(z.string()),
  prompts: z.number().int().min(0).describe('prompts evaluated in every seed of the group'),
  grid: z.array(z.number().int().positive()),
  pass1: estimate,
  passAtN: z.array(estimate),
  bestOfN: z.array(estimate),
  majorityAtN: z.array(estimate),
})

const comparisonMetric = z.enum(['pass1', 'passAtN', 'bestOfN'])

const comparison = z.strictObject({
  kind: z.enum(['vs-base', 'between-strategies']),
  /** The reference group (base, or the first strategy of a pair). */
  a: z.string(),
  /** The group compared with it; `diff` is b − a. */
  b: z.string(),
  metric: comparisonMetric,
  n: z.number().int().positive(),
  diff: z.number(),
  ci: interval,
  p: z.number().min(0).max(1),
  pHolm: z.number().min(0).max(1),
  significant: z.boolean(),
})

const point = z.strictObject({ x: z.number(), y: z.number(), low: z.number().optional(), high: z.number().optional(), label: z.string().optional() })

const series = z.strictObject({
  label: z.string(),
  /** The group (or cell for training curves) the series is drawn from. */
  source: z.string(),
  style: z.enum(['line', 'scatter', 'fit']),
  points: z.array(point),
})

const chart = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  kind: z.enum(['bon-curve', 'pass-curve', 'training', 'difficulty', 'co-scaling']),
  title: z.string(),
  xLabel: z.string(),
  yLabel: z.string(),
  xScale: z.enum(['linear', 'log2']),
  series: z.array(series),
})

const coScalingFit = z.strictObject({
  group: z.string().describe('the group key without temperature, as a label'),
  temperature: z.number(),
  a: z.number().nullable(),
  b: z.number().nullable(),
})

/** zod schema of `results.json`. */
export const resultsSchema = z.strictObject({
  schema: z.literal('bonbench/results'),
  version: z.literal(RESULTS_VERSION),
  generatedAt: z.string(),
  run: z.strictObject({
    runId: z.string(),
    createdAt: z.string(),
    node: z.string(),
    backend: z.string().optional(),
    platform: z.strictObject({ os: z.string(), arch: z.string(), cpus: z.number(), cpuModel: z.string() }),
    git: z.strictObject({ commit: z.string(), dirty: z.boolean() }).optional(),
    seeds: z.array(z.number().int()),
    argv: z.array(z.string()),
    plugins: z.array(z.strictObject({ name: z.string(), kind: z.string(), version: z.string(), options: z.record(z.string(), z.unknown()), source: z.string() })),
    dataFiles: z.array(z.strictObject({ path: z.string(), sha256: z.string() })),
    config: z.record(z.string(), z.unknown()),
    plannedCells: z.number().int().min(0),
  }),
  settings: z.strictObject({
    level: z.number().describe('confidence level of every CI'),
    alpha: z.number().describe('family-wise error rate of the Holm-corrected comparisons'),
    bootstrap: z.number().int().positive(),
    threshold: z.number().describe('pass@N counts reward >= threshold'),
  }),
  cells: z.array(cell),
  groups: z.array(group),
  comparisons: z.array(comparison),
  coScaling: z.strictObject({
    fits: z.array(coScalingFit),
    /** For each group (without temperature) and N: the temperature with the highest measured pass@N. */
    bestTemperature: z.array(z.strictObject({ group: z.string(), n: z.number().int().positive(), temperature: z.number(), passAtN: z.number() })),
  }),
  charts: z.array(chart),
  prepare: z.record(z.string(), z.record(z.string(), z.unknown())),
  errors: z.array(z.strictObject({ cellId: z.string(), key: cellKey, message: z.string() })),
  warnings: z.array(z.string()),
})

/** The parsed shape of `results.json`. */
export type Results = z.infer<typeof resultsSchema>
/** One chart's data as stored in `results.json` (the HTML draws exactly these points). */
export type ResultsChart = z.infer<typeof chart>
/** One seed-pooled group of cells. */
export type ResultsGroup = z.infer<typeof group>
/** One Holm-corrected comparison. */
export type ResultsComparison = z.infer<typeof comparison>
/** A point estimate with its CI. */
export type Estimate = z.infer<typeof estimate>
/** A cell key without its seed. */
export type GroupKey = z.infer<typeof groupKey>

/** The JSON Schema (draft 2020-12) of `results.json`, generated from {@link resultsSchema}. */
export function resultsJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(resultsSchema, { target: 'draft-2020-12' }) as Record<string, unknown>
  return { ...generated, $id: `urn:bonbench:results:v${RESULTS_VERSION}`, title: `bonbench results.json, version ${RESULTS_VERSION}` }
}
