import { z } from 'zod'

/**
 * The schema of `results.json` (version 3). `run.json` stays the manifest; `results.json` is the
 * analysed run: its provenance (copied from run.json), per-cell metrics with CIs, seed-pooled
 * groups, comparisons and chart series. Version 2 moved the reproducibility facts of `run`
 * (config, plugins, data files, git, node, backend, seeds, argv, platform) into `provenance`.
 * Version 3 added divergence: a cell's `kl` (KL(π‖π_base) per token) and `checkpoints` (evaluations
 * every `train.evalEvery` steps), a group's `frontier` (metrics against KL per checkpoint, pooled
 * over seeds) and the `frontier` chart kind — all optional, absent for runs that measured none.
 * Later additions to version 3, all optional (absent unless a run used them): a cell key's
 * `learningRate` (a learning-rate axis), `validation` on cells and checkpoints (a validation split,
 * `eval.validationPrompts`), `arm`, `options`, `learningRate` on provenance strategies (named arms),
 * and selection rules (`eval.selectionRules`): `selection` on cell metrics, prompts and groups and the
 * `selection-curve` chart kind, one series per (group, rule).
 * {@link upgradeResults} reads version-1 and version-2 files.
 * The committed JSON Schema `reports/results.schema.json` is generated from this file
 * (`npx tsx reports/write-results-schema.ts`; a test checks they agree) — edit here, then regenerate.
 * Bump `RESULTS_VERSION` on any change a consumer could notice.
 */
export const RESULTS_VERSION = 3

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
  learningRate: z
    .number()
    .positive()
    .optional()
    .describe('the fine-tuning learning rate, only in runs with a learning-rate axis (matrix.learningRates); absent for the base'),
})

/** A cell's coordinates without the seed: the unit that seeds are pooled over. */
const groupKey = cellKey.omit({ seed: true })

/** One extra selection rule's curve of a cell (eval.selectionRules; core/eval/cell-metrics.ts). */
const selectionCurve = z.discriminatedUnion('state', [
  z.strictObject({
    state: z.literal('computed'),
    rule: z.string().describe("the rule's id, e.g. 'rbon-kl(beta=0.1)'; the key of a prompt's `selection`"),
    label: z.string(),
    values: z.array(z.number()).describe("mean over prompts of the expected reward of the rule's pick from a random N-subset, aligned with the grid"),
    stdErr: z.array(z.number()).describe('Monte Carlo standard error of the mean (0 where every prompt is exact)'),
    exact: z.array(z.boolean()).describe("whether every prompt's value is exact (closed form or enumeration of all N-subsets)"),
    ci: z.array(interval),
  }),
  z.strictObject({ state: z.literal('absent'), rule: z.string(), label: z.string(), reason: z.string().describe('what the pools lack for this rule') }),
])

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
  selection: z.array(selectionCurve).optional().describe('the selection rules of eval.selectionRules beyond Bo-N and maj@N; absent when none were asked for'),
})

const promptMetrics = z.strictObject({
  promptId: z.string(),
  passAtN: z.array(z.number()),
  bestOfN: z.array(z.number()),
  majorityAtN: z.array(z.number()),
  pFail: z.number(),
  distinctAtN: z.array(z.number()).optional().describe('expected distinct final answers among N samples, aligned with the grid'),
  selection: z.record(z.string(), z.array(z.number())).optional().describe("each computed extra selection rule's values by rule id, aligned with the grid"),
})

const promptKl = z.strictObject({
  promptId: z.string(),
  perToken: z.number(),
  perSequence: z.number(),
  tokens: z.number(),
  samples: z.number().int(),
})

/** KL(π‖π_base) of a model (core/eval/kl-estimate.ts): measured by Monte Carlo, or absent with the reason. */
const klEstimate = z.discriminatedUnion('state', [
  z.strictObject({
    state: z.literal('measured'),
    perToken: z.number().describe("mean over prompts of Σ(log π − log π_base)/Σ|y| over the prompt's samples y ~ π at T = 1 (nats per token)"),
    ci: interval.describe('95% bootstrap CI over prompts'),
    perSequence: z.number().describe('mean over prompts of the mean of log π − log π_base per sample (nats)'),
    perSequenceCi: interval,
    meanTokens: z.number(),
    samples: z.number().int(),
    source: z.enum(['pool', 'draw']).describe("'pool': the cell's evaluation pools (T = 1); 'draw': a separate draw at T = 1"),
    prompts: z.array(promptKl),
  }),
  z.strictObject({ state: z.literal('absent'), reason: z.string() }),
])

/** A model on the validation split (eval.validationPrompts: carved from train, disjoint from test), as on test. */
const splitEval = z.strictObject({
  metrics: cellMetrics,
  prompts: z.array(promptMetrics),
})

const checkpointEval = z.strictObject({
  step: z.number().int().min(0).describe('optimizer steps taken'),
  metrics: cellMetrics,
  prompts: z.array(promptMetrics),
  kl: klEstimate,
  compute: z.strictObject({ samplesDrawn: z.number(), tokensGenerated: z.number(), wallMs: z.number() }),
  validation: splitEval.optional().describe('the same checkpoint on the validation split, when the run has one'),
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
  kl: klEstimate.optional().describe('KL(π‖π_base) per token of the final model, when the run measured it'),
  checkpoints: z.array(checkpointEval).optional().describe('evaluations at intermediate checkpoints (train.evalEvery), by step'),
  validation: splitEval.optional().describe('the final model on the validation split (eval.validationPrompts), when the run has one'),
  usage: z
    .strictObject({
      requests: z.number().int().min(0),
      cachedRequests: z.number().int().min(0).describe('of requests, those answered from the request cache (not paid again)'),
      promptTokens: z.number().int().min(0),
      completionTokens: z.number().int().min(0),
    })
    .optional()
    .describe("tokens and requests the cell's sampling spent, for models that count them (API models: openai-compatible)"),
})

/** One checkpoint of a group, pooled over its seeds: where the arm stands in (KL, metric) space. */
const frontierPoint = z.strictObject({
  step: z.number().int().min(0).describe('optimizer steps taken (0 for the base model; the last is the final model)'),
  kl: estimate.nullable().describe('KL(π‖π_base) per token, two-level bootstrap CI; null when not measured'),
  klAbsent: z.string().optional().describe('why kl is null'),
  pass1: estimate,
  passAtN: z.array(estimate).describe('aligned with the group grid'),
  bestOfN: z.array(estimate),
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
  selection: z
    .array(
      z.union([
        z.strictObject({ rule: z.string(), label: z.string(), values: z.array(estimate).describe('aligned with the group grid') }),
        z.strictObject({ rule: z.string(), label: z.string(), absent: z.string().describe('why the rule has no values in this group') }),
      ]),
    )
    .optional()
    .describe('the extra selection rules (eval.selectionRules) pooled over seeds; absent when none were asked for'),
  frontier: z
    .array(frontierPoint)
    .optional()
    .describe('the group at each checkpoint step every seed evaluated, then its final model; absent when the run measured no KL'),
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
  kind: z.enum(['bon-curve', 'pass-curve', 'training', 'difficulty', 'co-scaling', 'frontier', 'selection-curve']),
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

const gitState = z.strictObject({ commit: z.string(), dirty: z.boolean().describe('uncommitted changes in the tree') })

/** Everything needed to reproduce the run (core/run/provenance.ts builds it; run.json holds the same). */
const provenance = z.strictObject({
  harness: z.strictObject({
    name: z.string(),
    version: z.string().describe("package.json version; 'unknown' for runs recorded before it was"),
    git: gitState.optional().describe('when bonbench runs from a git checkout'),
  }),
  node: z.string(),
  platform: z.strictObject({ os: z.string(), arch: z.string(), cpus: z.number(), cpuModel: z.string() }),
  cwd: z.string().describe('working directory of the run'),
  git: gitState.optional().describe('git state of the working directory, when it is a checkout'),
  argv: z.array(z.string()).describe('the command line after `bench`'),
  config: z.record(z.string(), z.unknown()).describe('the resolved config (inline plugin objects as { inline: name })'),
  plugins: z.array(z.strictObject({ name: z.string(), kind: z.string(), version: z.string(), options: z.record(z.string(), z.unknown()), source: z.string() })),
  strategies: z.array(
    z.strictObject({
      name: z.string().describe('as named in the matrix'),
      plugin: z.string(),
      selection: z
        .enum(['reward', 'verifier', 'none'])
        .optional()
        .describe("judge of the strategy's BoN picks: R (reward), r (verifier) or no picks; absent when the plugin does not declare it"),
      arm: z.literal(true).optional().describe('a named arm (matrix.arms): `plugin` trained with `options`'),
      options: z.record(z.string(), z.unknown()).optional().describe("the arm's strategy options as resolved (defaults applied)"),
      learningRate: z.number().positive().optional().describe("the arm's own learning rate, when it sets one"),
    }),
  ),
  judges: z.strictObject({ reward: z.string().describe('the environment reward R'), selector: z.string().describe('the verifier r BoN ranks by') }),
  backend: z.strictObject({ requested: z.string(), resolved: z.string().optional().describe('the backend the model ran on'), device: z.string().optional() }),
  seeds: z.strictObject({ matrix: z.array(z.number().int()), task: z.number().int() }),
  dataFiles: z
    .array(z.strictObject({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }))
    .describe('sha256 of the bytes of every data file the task read'),
  checkpoint: z.string().optional().describe('the saved model evaluated as the base (bench eval --checkpoint)'),
  testPrompts: z
    .record(z.string(), z.string().regex(/^[0-9a-f]{16}$/))
    .optional()
    .describe("each test prompt's id → the first 16 hex digits of the sha256 of its prompt text (bench compare pairs prompts by id only where these agree)"),
})

/** zod schema of `results.json`. */
export const resultsSchema = z.strictObject({
  schema: z.literal('bonbench/results'),
  version: z.literal(RESULTS_VERSION),
  generatedAt: z.string(),
  run: z.strictObject({
    runId: z.string(),
    createdAt: z.string(),
    plannedCells: z.number().int().min(0),
  }),
  provenance,
  settings: z.strictObject({
    level: z.number().describe('confidence level of every CI'),
    alpha: z.number().describe('family-wise error rate of the Holm-corrected comparisons'),
    bootstrap: z
      .number()
      .int()
      .positive()
      .describe(
        "resamples of the groups' and comparisons' CIs (bench report --resamples sets it); cells[].metrics.ci keep the resamples of the run (eval.bootstrap) they were journaled with",
      ),
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
/** The provenance block: everything needed to reproduce the run. */
export type ResultsProvenance = z.infer<typeof provenance>
/** A point estimate with its CI. */
export type Estimate = z.infer<typeof estimate>
/** One point of a group's divergence frontier. */
export type FrontierPoint = z.infer<typeof frontierPoint>
/** A cell key without its seed. */
export type GroupKey = z.infer<typeof groupKey>

/** The JSON Schema (draft 2020-12) of `results.json`, generated from {@link resultsSchema}. */
export function resultsJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(resultsSchema, { target: 'draft-2020-12' }) as Record<string, unknown>
  return { ...generated, $id: `urn:bonbench:results:v${RESULTS_VERSION}`, title: `bonbench results.json, version ${RESULTS_VERSION}` }
}

/**
 * A parsed results.json of an older version as the current one. Version 2 → 3 only adds optional
 * fields (divergence), so the version number is all that changes. Version 1 → 2: the
 * reproducibility facts of `run` move into `provenance`; what version 1 never recorded is 'unknown'
 * or left out. Other values pass through unchanged, for the schema to judge.
 */
export function upgradeResults(data: unknown): unknown {
  const d = upgradeV1(data) as { version?: unknown } | null
  return d?.version === 2 ? { ...d, version: 3 } : d
}

function upgradeV1(data: unknown): unknown {
  const d = data as { version?: unknown; run?: Record<string, unknown> } | null
  if (d?.version !== 1 || !d.run || typeof d.run !== 'object') return data
  const { runId, createdAt, plannedCells, node, backend, platform, git, seeds, argv, plugins, dataFiles, config } = d.run
  const cfg = (config ?? {}) as Record<string, unknown>
  return {
    ...d,
    version: 2,
    run: { runId, createdAt, plannedCells },
    provenance: {
      harness: { name: 'bonbench', version: 'unknown' },
      node,
      platform,
      cwd: typeof cfg.baseDir === 'string' ? cfg.baseDir : '',
      ...(git ? { git } : {}),
      argv,
      config,
      plugins,
      strategies: (Array.isArray(cfg.strategies) ? (cfg.strategies as unknown[]) : []).map((name) => ({ name, plugin: name })),
      judges: { reward: 'unknown', selector: typeof cfg.verifier === 'string' ? cfg.verifier : 'unknown' },
      backend: { requested: typeof backend === 'string' ? backend : 'auto' },
      seeds: { matrix: seeds, task: typeof cfg.taskSeed === 'number' ? cfg.taskSeed : 0 },
      dataFiles,
    },
  }
}
