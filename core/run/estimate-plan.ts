import type { ResolvedConfig } from '../config/resolve-config.js'
import type { PluginRegistry } from '../registry/registry.js'
import { nTrainWarnings, type PlannedCell, planCells } from './planner.js'
import { type RunPlugins, resolveRunPlugins } from './run-plugins.js'
import type { TaskData } from '../plugin-api/task.js'
import { availableParallelism } from 'node:os'
import { expectedBackend } from '../backend/select-backend.js'
import { backendKeyName } from '../backend/backend-identity.js'
import { baseModelSpec, isBaseModelCached, partialPretrainStep } from './base-model.js'
import { RunLifecycle } from './plugin-lifecycle.js'
import { checkTaskData } from '../plugin-api-checks/check-task-data.js'
import { checkpointSteps } from './checkpoint-evals.js'
import { carveTrainSplits } from './data-splits.js'
import { measuredRatesPath, readMeasuredRates, type MeasuredRates } from './measured-rates.js'
import { type ShardSpec, shardCells } from './shard.js'
import { callHook } from './hooks-in-flight.js'
import { strategyNeeds } from '../plugin-api-checks/check-weights.js'
import { canTrain } from './trainable.js'

/** What `bench run --dry-run` prints. */
export interface PlanEstimate {
  cells: PlannedCell[]
  /** Cells of the whole plan, when `cells` is one shard of it (`estimatePlan` with `shard`). */
  totalCells?: number
  /** What the plan leaves out of what was asked (a strategy without an N′ axis under `matrix.nTrain`): one line each (`estimatePlan`). */
  warnings?: string[]
  testPrompts: number
  /** Problems the strategies fine-tune on (the train split, or its fine-tuning-only part with `train.finetuneProblems`). */
  trainPrompts: number
  /** Evaluation pool samples over all cells, checkpoint evaluations (`train.evalEvery`) included. */
  evalSamples: number
  /** Policy and reference samples drawn while training. */
  trainSamples: number
  /** Sequences trained on (pretraining included unless the base model is cached). */
  trainSequences: number
  /** Of `trainSequences`, those of pretraining. */
  pretrainSequences: number
  /** Optimizer steps (pretraining and fine-tuning). */
  trainSteps: number
  /** Samples a learned selector draws to prepare. */
  prepareSamples: number
  /** Where measured rates for this (model, backend, cores) are kept under the cache dir. */
  ratesPath: string
  /** The base model is in the cache: the run loads it instead of pretraining. */
  baseModelCached: boolean
  /** Not cached, but an interrupted pretraining reached this step (its partial cache entry): the run continues from it. 0: none. */
  basePretrainedSteps: number
  /**
   * Whether the model can train ({@link canTrain}). False for a sampling-only model: the base is
   * evaluated as created (no pretraining is counted), and a cell that trains fails at once (the dry
   * run refuses it), so none of its work is counted either.
   */
  modelTrains: boolean
  estimatedSeconds: number
  /** What the estimate rests on, in one line (samples, tokens, throughput, cores), printed beside it. */
  basis: string
}

/** What a run evaluates instead of training (`bench eval`): the estimate leaves out the work it skips. */
export interface EstimateMode {
  /** A saved model stands in for the base model: no pretraining. */
  checkpoint?: boolean
  /** Saved weights stand in for every strategy cell's training: no training samples or steps. */
  trainedCheckpoint?: boolean
}

/**
 * Counts the work of a plan without running it: loads the task (to count prompts) and asks each
 * strategy what it needs. Time uses the model's declared throughput and the task's max tokens.
 * `check` sees the loaded plugins, data and cells first (`--dry-run`'s checks throw from it).
 */
export async function estimatePlan(
  config: ResolvedConfig,
  registry: PluginRegistry,
  opts: {
    check?: (plugins: RunPlugins, data: TaskData, cells: PlannedCell[], config: ResolvedConfig) => void
    mode?: EstimateMode
    /** Count only this shard's cells (`--dry-run --shard i/n`); `totalCells` then says how many the whole plan has. */
    shard?: ShardSpec
  } = {},
): Promise<PlanEstimate> {
  const plugins = await resolveRunPlugins(config, registry)
  // The task goes through the same lifecycle as in a run: set up, checked, disposed.
  const lifecycle = new RunLifecycle({ cacheDir: config.cacheDir, log: () => {} })
  try {
    await lifecycle.setup(plugins.task)
    const data = checkTaskData(plugins.task, await callHook(plugins.task, 'load', () => plugins.task.load({ seed: config.taskSeed, dataPath: config.data })))
    const planned = planCells(config, plugins.strategies)
    const all = opts.mode?.trainedCheckpoint ? planned.filter((c) => c.key.strategy !== 'base') : planned
    const cells = opts.shard ? shardCells(all, opts.shard) : all
    opts.check?.(plugins, data, cells, config)
    return { ...estimateWork(config, plugins, data, cells, opts.mode), totalCells: all.length, warnings: nTrainWarnings(config, plugins.strategies) }
  } finally {
    await lifecycle.disposeAll()
  }
}

/**
 * The same count for loaded task data and a given list of cells (the run announces it at start).
 * Each trained cell's strategy is asked its needs() here, before any work: one that throws or
 * answers garbage stops the run with BENCH_PLUGIN_CONTRACT naming it ({@link strategyNeeds}).
 */
export function estimateWork(config: ResolvedConfig, plugins: RunPlugins, data: TaskData, cells: PlannedCell[], mode: EstimateMode = {}): PlanEstimate {
  const testPrompts = Math.min(data.test.length, config.eval.testPrompts ?? Infinity)
  let trainSamples = 0
  const splits = carveTrainSplits(data.train, data.test, {
    taskSeed: config.taskSeed,
    validation: config.eval.validationPrompts,
    finetune: config.train.finetuneProblems,
  })
  const spec = baseModelSpec(config, plugins.model, plugins.task, data, splits.carved ? splits.pretrain : undefined)
  const baseModelCached = isBaseModelCached(spec, config.cacheDir)
  const basePretrainedSteps = baseModelCached || mode.checkpoint ? 0 : partialPretrainStep(spec, config.cacheDir)
  const pretrainSteps = baseModelCached || mode.checkpoint ? 0 : spec.pretrainSteps - basePretrainedSteps
  const pretrainSequences = pretrainSteps * config.train.pretrainBatch
  let trainSequences = pretrainSequences
  let trainSteps = pretrainSteps
  // A model that cannot train is not pretrained (baseModelSpec gives 0 steps), and its trained cells
  // fail before any work (core/run/train-stage.ts): they are left out of every count.
  const modelTrains = canTrain(plugins.model)
  const counted = modelTrains ? cells : cells.filter((c) => c.key.strategy === 'base' || mode.trainedCheckpoint)
  for (const cell of counted) {
    if (cell.key.strategy === 'base' || mode.trainedCheckpoint) continue
    const needs = strategyNeeds(plugins.strategyFor(cell.key.strategy, cell.key.nTrain), cell.key.nTrain)
    const perPrompt = needs.policySamples + (needs.referenceSamples ?? 0)
    trainSamples += config.train.steps * config.train.batchPrompts * perPrompt
    trainSequences += config.train.steps * config.train.batchPrompts * (needs.policySamples + (needs.expert ? 1 : 0))
    trainSteps += config.train.steps
  }
  // Every checkpoint evaluation (train.evalEvery) of a trained cell draws one more pool per test prompt.
  const evaluations = counted.reduce(
    (n, c) => n + 1 + (c.key.strategy === 'base' || mode.trainedCheckpoint ? 0 : checkpointSteps(config.train.steps, config.train.evalEvery).length),
    0,
  )
  // A validation split (eval.validationPrompts) is evaluated beside test at each of them.
  const evalSamples = evaluations * (testPrompts + splits.validation.length) * config.poolSize
  const tokens = completionTokensGuess(data, plugins.task.generation?.maxTokens ?? 32)
  const promptTokens = promptTokensMean(data)
  // A learned selector draws its training samples from the base model first (cached or not: not known here).
  const prepareSamples = plugins.selector !== plugins.reward ? (plugins.selector.prepareNeeds?.({ trainPrompts: splits.pretrain.length }).samples ?? 0) : 0
  const declared = plugins.model.throughput
  const speed = declared ?? { sampleTokensPerSecond: 10_000, trainTokensPerSecond: 5_000 }
  const cores = Math.max(1, config.concurrency ?? availableParallelism())
  const samples = evalSamples + trainSamples + prepareSamples
  // Keyed by the backend the model runs on (the base model's: its own `backend` option where it names
  // one, else the config's), with `auto` resolved (core/backend, nothing started): a run that asked for
  // auto and a resume or `bench eval` of it that runs on the backend it recorded share their rates.
  // Dawn's null device files its own (backendKeyName), never a real GPU's.
  const backend = plugins.model.usesBackend === false ? config.backend : backendKeyName(expectedBackend(spec.backend))
  const ratesPath = measuredRatesPath(config.cacheDir, plugins.model.name, plugins.task.name, backend, cores)
  const measured = readMeasuredRates(ratesPath)
  const work = {
    samples,
    evalSamples: evalSamples + prepareSamples,
    trainSamples,
    pretrainSequences,
    pretrainSteps,
    trainSequences,
    trainSteps,
    tokens,
    promptTokens,
  }
  const declaredTerms = declaredCost(work, speed, cores, declared ? `the model's declared throughput` : 'a default throughput (the model declares none)')
  const terms = measuredCost(work, measured, declaredTerms)
  const estimatedSeconds = STARTUP_SECONDS + terms.pretrain.seconds + terms.train.seconds + terms.eval.seconds
  const basis = [
    `${samples} samples${prepareSamples > 0 ? ` (${prepareSamples} to prepare ${plugins.selector.name})` : ''} × ~${Math.round(promptTokens)}+${Math.round(tokens)} prompt+completion tokens`,
    `${trainSequences} sequences in ${trainSteps} steps trained`,
    `${cores} cores`,
    `${STARTUP_SECONDS} s start-up`,
    termsBasis(terms),
  ].join(', ')
  return {
    cells,
    testPrompts,
    trainPrompts: splits.finetune.length,
    evalSamples,
    trainSamples,
    trainSequences,
    pretrainSequences,
    trainSteps,
    prepareSamples,
    ratesPath,
    baseModelCached,
    basePretrainedSteps,
    modelTrains,
    estimatedSeconds,
    basis,
  }
}

interface Work {
  samples: number
  /** Evaluation and selector-preparation samples (the `eval` term). */
  evalSamples: number
  trainSamples: number
  pretrainSequences: number
  pretrainSteps: number
  trainSequences: number
  trainSteps: number
  tokens: number
  promptTokens: number
}

interface Term {
  seconds: number
  basis: string
}

type Throughput = NonNullable<RunPlugins['model']['throughput']>

/**
 * The declared cost model: every optimizer step pays `trainStepSeconds` plus its tokens (prompt
 * and completion, forward and backward: ×2) at `trainTokensPerSecond`; every sample pays
 * `sampleSeconds` plus its tokens at `sampleTokensPerSecond`, per core (prompt tokens at a tenth:
 * one batched forward pass); a run that samples pays `warmupSeconds` once (worker threads, kernel
 * compilation for new shapes).
 */
export function declaredCost(work: Work, speed: Throughput, cores: number, declaredName: string): { pretrain: Term; train: Term; eval: Term } {
  const seqTokens = work.tokens + work.promptTokens
  const stepSeconds = speed.trainStepSeconds ?? 0
  const sampleTokens = work.tokens + work.promptTokens / 10
  const trainSec = (sequences: number, steps: number) => steps * stepSeconds + (sequences * seqTokens * 2) / speed.trainTokensPerSecond
  const sampleSec = (n: number) => (n * ((speed.sampleSeconds ?? 0) + sampleTokens / speed.sampleTokensPerSecond)) / cores
  const warmup = work.evalSamples > 0 ? (speed.warmupSeconds ?? 0) : 0
  const d = `${declaredName} (${speed.sampleTokensPerSecond} sample tokens/s/core, ${speed.sampleSeconds ?? 0} s/sample/core, ${speed.warmupSeconds ?? 0} s warm-up, ${speed.trainTokensPerSecond} train tokens/s, ${stepSeconds} s/step)`
  return {
    pretrain: { seconds: trainSec(work.pretrainSequences, work.pretrainSteps), basis: d },
    train: { seconds: trainSec(work.trainSequences - work.pretrainSequences, work.trainSteps - work.pretrainSteps) + sampleSec(work.trainSamples), basis: d },
    eval: { seconds: warmup + sampleSec(work.evalSamples), basis: d },
  }
}

/** Each term from the rates a previous run measured on this machine where there are some, else the declared one. */
function measuredCost(work: Work, measured: MeasuredRates | undefined, declared: { pretrain: Term; train: Term; eval: Term }) {
  const pick = (rate: MeasuredRates[keyof MeasuredRates], units: number, fallback: Term): Term =>
    units === 0
      ? { seconds: 0, basis: '' }
      : rate
        ? { seconds: rate.seconds * units, basis: `rates measured by run ${rate.runId} (${rate.seconds.toPrecision(3)} s each)` }
        : fallback
  return {
    pretrain: pick(measured?.pretrainSequence, work.pretrainSequences, declared.pretrain),
    train: pick(measured?.trainSequence, work.trainSequences - work.pretrainSequences, declared.train),
    eval: pick(measured?.evalSample, work.evalSamples, declared.eval),
  }
}

/** Loading the CLI, the plugins, the task and a TensorFlow.js backend: about this on a laptop core. */
const STARTUP_SECONDS = 2

/**
 * Tokens per completion, roughly: the mean length of the task's expert solutions in characters
 * (plus an end token; the built-in model is character-level), capped at maxTokens; half of
 * maxTokens for tasks without experts (completions stop well before it on most tasks).
 */
function completionTokensGuess(data: TaskData, maxTokens: number): number {
  const experts = data.train.flatMap((p) => (p.expert ? [p.expert.length] : [])).slice(0, 1000)
  if (experts.length === 0) return maxTokens / 2
  return Math.min(maxTokens, experts.reduce((a, b) => a + b, 0) / experts.length + 1)
}

/** Tokens per prompt, roughly: the mean prompt length in characters of up to 1000 test problems (the built-in model is character-level). */
function promptTokensMean(data: TaskData): number {
  const prompts = data.test.slice(0, 1000).map((p) => p.prompt.length)
  return prompts.length === 0 ? 0 : prompts.reduce((a, b) => a + b, 0) / prompts.length
}

/** One phrase for the three terms: once when they share a basis, else each by name. */
function termsBasis(terms: { pretrain: Term; train: Term; eval: Term }): string {
  const named = (['pretraining', 'training', 'evaluation'] as const)
    .map((name, i) => ({ name, basis: [terms.pretrain, terms.train, terms.eval][i]!.basis }))
    .filter((t) => t.basis !== '')
  if (named.length === 0) return 'nothing to sample or train'
  if (named.every((t) => t.basis === named[0]!.basis)) return `${named.map((t) => t.name).join(', ')} at ${named[0]!.basis}`
  return named.map((t) => `${t.name} at ${t.basis}`).join('; ')
}
