import type { Plugin } from '../plugin-api/index.js'

/**
 * How a config refers to a plugin: a built-in or loaded name (`'math'`, `'bonbench:math'`),
 * `[name, options]`, a plugin object, a path to a `.ts`/`.js`/`.mjs` file, or an npm package
 * `bonbench-plugin-<x>` (scoped too). Relative paths resolve against the config file's folder.
 */
export type PluginRef = string | [string, Record<string, unknown>] | Plugin

/** The axes of a run (DESIGN §1): every strategy × N′ × temperature × seed. */
export interface MatrixConfig {
  /** Task name (a built-in short name or a loaded plugin's name). */
  task?: string
  /** Model name. */
  model?: string
  /** Strategies to train from the base (the base model is always evaluated too). */
  strategies?: string[]
  /** Test-time N grid (Bo-N, pass@N, maj@N are reported for each). */
  nGrid?: number[]
  /** Training N′ values (one cell per value for BoN-aware strategies). */
  nTrain?: number[]
  /** Sampling temperatures (training and evaluation of a cell use the same T). */
  temperatures?: number[]
  /**
   * Extra temperatures at which only the base model is evaluated (inference only, for the
   * co-scaling law of pass@N over N and T); no strategy trains there. Temperatures already in
   * `temperatures` are ignored here.
   */
  baseTemperatures?: number[]
  /** Seeds (training and sampling randomness; the task's problems stay fixed). */
  seeds?: number[]
  /** Samples per test prompt in the evaluation pool (default 2 × max N). */
  poolSize?: number
  /** The selector verifier r that BoN ranks by (default: the task's `selector`, else its reward verifier, an oracle). */
  verifier?: string
}

/** Training settings shared by every strategy cell. */
export interface TrainConfig {
  /** Optimizer steps per strategy cell. */
  steps?: number
  /** Prompts per step. */
  batchPrompts?: number
  /** Learning rate of strategy training (default: the model's `trainingDefaults.learningRate`). */
  learningRate?: number
  /**
   * Per-strategy learning rates over `learningRate`, keyed by a strategy of the matrix (e.g.
   * `{ 'bon-rlb': 3e-5 }`): the estimators' weights differ in size, so one rate rarely suits all.
   */
  learningRates?: Record<string, number>
  /** Pretraining (SFT on expert data) steps for the shared base model; 0 to skip. */
  pretrainSteps?: number
  /** Sequences per pretraining step. */
  pretrainBatch?: number
  pretrainLearningRate?: number
  /** λ_N rule: 'kl-match' (default), 'N-1', or a fixed number. */
  lambda?: 'kl-match' | 'N-1' | number
  /**
   * Evaluate each trained cell every this many optimizer steps (checkpoints k, 2k, … below
   * `steps`; the final model is the cell's own evaluation): the same pools and metrics as the final
   * evaluation plus KL(π‖π_base) per token, journaled per (cell, step). Absent (the default): no
   * checkpoint evaluations. Never changes training or the final numbers (core/run/checkpoint-evals.ts).
   */
  evalEvery?: number
}

/** Evaluation settings. */
export interface EvalConfig {
  /** Use at most this many test prompts (all when absent). */
  testPrompts?: number
  /** pass@N counts reward ≥ threshold (non-binary rewards). */
  threshold?: number
  /** Bootstrap resamples for CIs. */
  bootstrap?: number
  /**
   * Measure KL(π‖π_base) per token for every cell's final model (core/eval/kl-estimate.ts).
   * Default: on exactly when `train.evalEvery` is set, so runs without it stay as they were.
   */
  kl?: boolean
}

/** What people write in `bench.config.*` (every field optional; flags override). */
export interface UserConfig {
  /** One flat list of plugin references; each plugin declares its kind. */
  plugins?: PluginRef[]
  matrix?: MatrixConfig
  train?: TrainConfig
  eval?: EvalConfig
  /** `--data <path>` for dataset-backed tasks. */
  data?: string
  /** Seed of the task's problem generation and splits (fixed across matrix seeds). */
  taskSeed?: number
  /** Root folder for run directories (default `.bench/runs`). */
  runsDir?: string
  /** Cache folder for base models and verifier weights (default `.bench/cache`). */
  cacheDir?: string
  /** Concurrency budget (default: the core count). */
  concurrency?: number
  /** TensorFlow.js backend for models that use it. */
  backend?: string
}

/** A config export: an object, a promise of one, or a function of the environment. */
export type ConfigExport = UserConfig | Promise<UserConfig> | ((env: ConfigEnv) => UserConfig | Promise<UserConfig>)

/** Handed to a function config. */
export interface ConfigEnv {
  command: string
  preset?: string
}

/** Identity helper with overloads (Vite-style) so configs are type-checked. */
export function defineConfig(config: UserConfig): UserConfig
export function defineConfig(config: Promise<UserConfig>): Promise<UserConfig>
export function defineConfig(config: (env: ConfigEnv) => UserConfig | Promise<UserConfig>): (env: ConfigEnv) => UserConfig | Promise<UserConfig>
export function defineConfig(config: ConfigExport): ConfigExport {
  return config
}
