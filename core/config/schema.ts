import { z } from 'zod'
import { BACKEND_NAMES } from '../backend/backend-catalog.js'
import type { Plugin } from '../plugin-api/index.js'
import { selectionRuleRefSchema } from '../metrics/selection-rules.js'

const positiveInt = z.number().int({ error: 'must be an integer ≥ 1' }).positive({ error: 'must be an integer ≥ 1' })
const nonNegativeInt = z.number().int({ error: 'must be an integer ≥ 0' }).min(0, { error: 'must be an integer ≥ 0' })
/**
 * A sampling temperature: in (0, 10]. 0 is refused: greedy decoding draws one completion N times,
 * so a pool holds nothing for Best-of-N to choose from (a model's API still takes T = 0 as greedy).
 */
const temperature = z
  .number()
  .gt(0, { error: 'must be in (0, 10]: T = 0 is greedy decoding, where all N samples of a pool are the same completion (use a small T such as 0.1)' })
  .max(10, { error: 'must be in (0, 10]' })

/** A plugin object in a config: validated only as far as having a name and a kind (the loader checks the rest). */
const pluginObject = z.custom<Plugin>((value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  return 'name' in value && 'kind' in value
})

/**
 * How a config refers to a plugin: a built-in or loaded name (`'math'`, `'bonbench:math'`),
 * `[name, options]`, a plugin object, a path to a `.ts`/`.js`/`.mjs` file, or an npm package
 * `bonbench-plugin-<x>` (scoped too). Relative paths resolve against the config file's folder.
 */
export const pluginRefSchema = z.union([z.string().min(1), z.tuple([z.string().min(1), z.record(z.string(), z.unknown())]), pluginObject])

const armConfigShape = {
  /** The strategy plugin (a built-in short name, or a loaded plugin's name; not another arm). */
  strategy: z.string().min(1),
  /** Options for the strategy's factory (built-ins), validated like `['rl', { … }]` in `plugins`. */
  options: z.record(z.string(), z.unknown()).optional(),
  /** This arm's learning rate (over `train.learningRate`; `train.learningRates[arm]` and `matrix.learningRates` win over it). */
  learningRate: z.number().positive().optional(),
  /**
   * This arm's rates on the learning-rate axis instead of `matrix.learningRates` (which must be set):
   * a list (e.g. a secondary arm at one rate), or lists keyed by N′ (`{ "4": [3e-5, 1e-4], "8": [1e-4] }`;
   * an N′ not listed takes `matrix.learningRates`).
   */
  learningRates: z
    .union([z.array(z.number().positive()).min(1), z.record(z.string().regex(/^\d+$/, 'a key is an N′ value'), z.array(z.number().positive()).min(1))])
    .optional(),
  /** This arm's N′ values instead of `matrix.nTrain` (BoN-aware strategies only). */
  nTrain: z.array(positiveInt).min(1).optional(),
}

/** One named arm of the matrix (`matrix.arms`). */
export const armConfigSchema: z.ZodObject<typeof armConfigShape, z.core.$strict> = z.strictObject(armConfigShape)

// Each schema's fields live in a named shape and the schema is annotated with `typeof` it, so the
// field JSDoc survives into the emitted .d.ts and editors show it on UserConfig (types.ts).
const matrixConfigShape = {
  /** Task name (a built-in short name or a loaded plugin's name). */
  task: z.string().min(1).optional(),
  /** Model name. */
  model: z.string().min(1).optional(),
  /** Strategies to train from the base (the base model is always evaluated too). */
  strategies: z.array(z.string().min(1)).optional(),
  /** Test-time N grid (Bo-N, pass@N, maj@N are reported for each). */
  nGrid: z.array(positiveInt).min(1).optional(),
  /** Training N′ values (one cell per value for BoN-aware strategies). */
  nTrain: z.array(positiveInt).min(1).optional(),
  /** Sampling temperatures (training and evaluation of a cell use the same T). */
  temperatures: z.array(temperature).min(1).optional(),
  /**
   * Extra temperatures at which only the base model is evaluated (inference only, for the
   * co-scaling law of pass@N over N and T); no strategy trains there. Temperatures already in
   * `temperatures` are ignored here.
   */
  baseTemperatures: z.array(temperature).optional(),
  /** Seeds (training and sampling randomness; the task's problems stay fixed). */
  seeds: z.array(nonNegativeInt).min(1).optional(),
  /** Samples per test prompt in the evaluation pool (default 2 × max N). */
  poolSize: positiveInt.optional(),
  /** The selector verifier r that BoN ranks by (default: the task's `selector`, else its reward verifier, an oracle). */
  verifier: z.string().min(1).optional(),
  /**
   * Named arms: one strategy plugin trained several ways in one matrix. Each name is usable in
   * `strategies` like a strategy (cell ids and labels use it), e.g.
   * `{ 'rl-on-r': { strategy: 'rl', options: { reward: 'verifier' } } }`.
   */
  arms: z
    .record(z.string().regex(/^[a-zA-Z0-9._-]+$/, 'an arm name uses letters, digits, ".", "_" and "-" only (it goes into cell ids)'), armConfigSchema)
    .optional(),
  /**
   * A learning-rate axis: every trained arm × each rate (the base is not trained, so it has one
   * cell). Part of the cell key and id (`…-lr0.0001-…`) only when set, so runs without it keep their
   * ids and numbers. Overrides `train.learningRate(s)` and arms' own rates.
   */
  learningRates: z.array(z.number().positive()).min(1).optional(),
  /**
   * Cell order. 'seed-first' (default): for each seed and temperature, the base then every
   * strategy. 'strategy-first': the base cells, then one pass per N′ (in the order listed; the first
   * pass also holds the N′ = 1 strategies) with strategies in the order listed, then rates,
   * temperatures, seeds — so an interrupted run has finished whole arms, the first-listed first.
   */
  order: z.enum(['seed-first', 'strategy-first']).optional(),
}

/** The axes of a run (DESIGN §1): every strategy × N′ × temperature × seed. */
export const matrixConfigSchema: z.ZodObject<typeof matrixConfigShape, z.core.$strict> = z.strictObject(matrixConfigShape)

const trainConfigShape = {
  /** Optimizer steps per strategy cell. */
  steps: nonNegativeInt.optional(),
  /** Prompts per step. */
  batchPrompts: positiveInt.optional(),
  /** Learning rate of strategy training (default: the model's `trainingDefaults.learningRate`). */
  learningRate: z.number().positive().optional(),
  /**
   * Per-strategy learning rates over `learningRate`, keyed by a strategy of the matrix (e.g.
   * `{ 'bon-rlb': 3e-5 }`): the estimators' weights differ in size, so one rate rarely suits all.
   */
  learningRates: z.record(z.string().min(1), z.number().positive()).optional(),
  /** Pretraining (SFT on expert data) steps for the shared base model; 0 to skip. */
  pretrainSteps: nonNegativeInt.optional(),
  /** Sequences per pretraining step. */
  pretrainBatch: positiveInt.optional(),
  /** Learning rate of the shared pretraining (default: the model's own). */
  pretrainLearningRate: z.number().positive().optional(),
  /** λ_N rule: 'kl-match' (default), 'N-1', or a fixed number. */
  lambda: z.union([z.literal('kl-match'), z.literal('N-1'), z.number().min(0)]).optional(),
  /**
   * Evaluate each trained cell every this many optimizer steps (checkpoints k, 2k, … below
   * `steps`; the final model is the cell's own evaluation): the same pools and metrics as the final
   * evaluation plus KL(π‖π_base) per token, journaled per (cell, step). Absent (the default): no
   * checkpoint evaluations. Never changes training or the final numbers (core/run/checkpoint-evals.ts).
   */
  evalEvery: positiveInt.optional(),
  /**
   * How often training (each strategy cell, and the shared pretraining) writes a resume point —
   * weights, optimizer state and step, in `<run>/resume/<cell>` and `<cache>/models/<key>.partial`
   * — so that `--resume` continues from it instead of step 0: a number of steps, or seconds as
   * `'90s'`. One is also written when the run is stopped (Ctrl-C, SIGTERM). `false`: none at all.
   * Default `'60s'`. Never changes a result (core/train/resume-point.ts).
   */
  checkpointEvery: z.union([positiveInt, z.string().regex(/^\d+(\.\d+)?s$/, "a duration in seconds such as '60s'"), z.literal(false)]).optional(),
  /**
   * K = kPerN × N′ policy samples per prompt for the BoN-aware strategies (those with an N′ axis),
   * unless an arm's options give `k`. Absent: each strategy's own default K.
   */
  kPerN: positiveInt.optional(),
  /**
   * Reserve this many train problems (a seeded draw, disjoint from the validation split) for
   * fine-tuning only: the base model never pretrains on them, and every strategy fine-tunes on them
   * alone, so SFT on them can overfit (core/run/data-splits.ts). Absent: pretraining and fine-tuning
   * share the train split.
   */
  finetuneProblems: positiveInt.optional(),
}

/** Training settings shared by every strategy cell. */
export const trainConfigSchema: z.ZodObject<typeof trainConfigShape, z.core.$strict> = z.strictObject(trainConfigShape)

const evalConfigShape = {
  /** Use at most this many test prompts (all when absent). */
  testPrompts: positiveInt.optional(),
  /** pass@N counts reward ≥ threshold (non-binary rewards). */
  threshold: z.number().optional(),
  /** Bootstrap resamples for CIs. */
  bootstrap: positiveInt.optional(),
  /**
   * Measure KL(π‖π_base) per token for every cell's final model (core/eval/kl-estimate.ts).
   * Default: on exactly when `train.evalEvery` is set, so runs without it stay as they were.
   */
  kl: z.boolean().optional(),
  /**
   * A validation split of this many problems, carved deterministically from the task's train
   * problems (never pretrained or fine-tuned on; disjoint from the test split), evaluated like the
   * test split for every cell and at every checkpoint (core/run/data-splits.ts). Absent: none.
   */
  validationPrompts: positiveInt.optional(),
  /**
   * Selection rules evaluated beside Bo-N (`argmax`) and maj@N (`majority`, both always computed),
   * each a curve over the N grid from the same pools: `'weighted-majority'`, `['rbon-kl', { beta }]`,
   * `['rbon-wd', { beta, cost? }]`, `['srbon-kl', { beta }]` (docs/selection-rules.md). Absent: Bo-N and
   * maj@N only, exactly as before. `rbon-kl` makes the run keep each sample's log-probability in its pools.
   */
  selectionRules: z.array(selectionRuleRefSchema).optional(),
}

/** Evaluation settings. */
export const evalConfigSchema: z.ZodObject<typeof evalConfigShape, z.core.$strict> = z.strictObject(evalConfigShape)

const userConfigShape = {
  /** One flat list of plugin references; each plugin declares its kind. */
  plugins: z.array(pluginRefSchema).optional(),
  matrix: matrixConfigSchema.optional(),
  train: trainConfigSchema.optional(),
  eval: evalConfigSchema.optional(),
  /** `--data <path>` for dataset-backed tasks. */
  data: z.string().min(1).optional(),
  /** Seed of the task's problem generation and splits (fixed across matrix seeds). */
  taskSeed: nonNegativeInt.optional(),
  /** Root folder for run directories (default `.bench/runs`). */
  runsDir: z.string().min(1).optional(),
  /** Cache folder for base models and verifier weights (default `.bench/cache`). */
  cacheDir: z.string().min(1).optional(),
  /** Concurrency budget (default: the core count). */
  concurrency: positiveInt.optional(),
  /** TensorFlow.js backend for models that use it: auto, wasm, cpu, tensorflow, tensorflow-gpu or webgpu. */
  backend: z.enum(BACKEND_NAMES, { error: `must be one of ${BACKEND_NAMES.join(', ')}` }).optional(),
}

/**
 * zod schema of UserConfig, the source of its type (`z.input`, see types.ts); strict, so an
 * unknown key is an error that lists the valid ones.
 */
export const userConfigSchema: z.ZodObject<typeof userConfigShape, z.core.$strict> = z.strictObject(userConfigShape)

/** Formats zod issues as lines `path: message`, listing valid keys for unknown ones. */
export function formatConfigIssues(error: z.ZodError, shape: z.ZodObject = userConfigSchema): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.') || '(root)'
      if (issue.code === 'unrecognized_keys') {
        const valid = Object.keys(shapeAt(shape, issue.path) ?? {})
        return `${path}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}; valid keys are ${valid.join(', ')}`
      }
      return `${path}: ${issue.message}`
    })
    .join('\n  ')
}

function shapeAt(schema: z.ZodObject, path: PropertyKey[]): Record<string, unknown> | undefined {
  let current: unknown = schema
  for (const key of path) {
    const unwrapped = unwrap(current)
    if (!(unwrapped instanceof z.ZodObject)) return undefined
    current = unwrapped.shape[key as string]
  }
  const last = unwrap(current)
  return last instanceof z.ZodObject ? last.shape : undefined
}

function unwrap(schema: unknown): unknown {
  let s = schema
  while (s instanceof z.ZodOptional) s = s.unwrap()
  return s
}
