import { existsSync } from 'node:fs'
import { BenchError } from '../errors.js'
import type { ModelCreateContext, ModelDescription, ModelInstance, ModelPlugin } from '../plugin-api/model.js'
import type { TaskData } from '../plugin-api/task.js'
import { modelHash } from '../plugin-api/index.js'
import { createRng, deriveSeed } from '../rng.js'
import { resumeCadence } from '../train/resume-point.js'
import { baseModelSpec, prepareBaseModel } from './base-model.js'
import type { TrainSplits } from './data-splits.js'
import { readManifest, recordResolvedBackend } from './manifest.js'
import type { BaseStage, RunContext } from './run-context.js'
import { callHook } from './hooks-in-flight.js'
import { checkModelInstance } from '../plugin-api-checks/check-model-instance.js'
import { canTrain } from './trainable.js'
import { currentBackend } from '../backend/select-backend.js'

/** What {@link prepareBase} needs beyond the run context. */
export interface PrepareBaseOptions {
  data: TaskData
  splits: TrainSplits
  /** The learned verifier prepares on this (train prompts without the validation ones). */
  verifierData: TaskData
  /** Evaluate this saved model as the base instead of pretraining one. */
  checkpoint?: string
}

/**
 * Stage 2, base model: pretrains the base model (or loads it from the cache by content hash, or
 * loads `checkpoint`; a model that cannot train is created, not pretrained), records the backend
 * it resolved to, and prepares the selector r when it is a learned verifier (journaled once, so a
 * resume does not repeat its record).
 */
export async function prepareBase(ctx: RunContext, opts: PrepareBaseOptions): Promise<BaseStage> {
  const { config, plugins, previous } = ctx
  const { splits } = opts
  const spec = baseModelSpec(config, plugins.model, plugins.task, opts.data, splits.carved ? splits.pretrain : undefined)
  if (splits.carved)
    ctx.log(
      `train split: ${splits.pretrain.length} problems to pretrain on, ${config.train.finetuneProblems ? `${splits.finetune.length} reserved for fine-tuning only` : 'the same to fine-tune on'}, ${splits.validation.length} for validation`,
    )
  // A model that cannot train (sampling only) is evaluated as created: no pretraining phase, so no
  // pretraining time is measured or recorded for it (core/run/measured-rates.ts).
  const trains = canTrain(plugins.model)
  if (!opts.checkpoint && trains && spec.pretrainSteps === 0 && (plugins.model.trainingDefaults?.pretrainSteps ?? 300) > 0)
    ctx.log(`base model: not pretrained — task '${plugins.task.name}' has no expert solutions (problem.expert) to pretrain on`, 'warn')
  if (!opts.checkpoint && !trains && (config.train.pretrainSteps ?? 0) > 0)
    ctx.log(`base model: not pretrained — model '${plugins.model.name}' cannot train (sampling only); it is evaluated as created`)
  if (opts.checkpoint || trains) ctx.emit({ type: 'phase', cellId: 'pretrain', phase: 'pretrain', total: spec.pretrainSteps })
  const backend = backendRecorder(ctx, plugins.model)
  const base = opts.checkpoint
    ? await loadCheckpoint(plugins.model, opts.checkpoint, { seed: config.taskSeed, backend: config.backend, concurrency: ctx.concurrency, signal: ctx.signal })
    : await prepareBaseModel({
        ...spec,
        concurrency: ctx.concurrency,
        cacheDir: config.cacheDir,
        resumeCadence: resumeCadence(config.train.checkpointEvery),
        signal: ctx.signal,
        log: (m) => ctx.log(m),
        onStep: (stepLog, total) => {
          // The backend is on record before the first pretraining record is journaled (see backendRecorder).
          backend.beforePretrainRecord()
          // A resumed run pretrains (or replays the cached log) from step 0; journal only what is new.
          if (stepLog.step >= (previous.training.get('pretrain')?.length ?? 0)) ctx.journal.append({ type: 'train', cellId: 'pretrain', log: stepLog })
          ctx.emit({ type: 'train:step', cellId: 'pretrain', phase: 'pretrain', log: stepLog })
          ctx.emit({ type: 'progress', cellId: 'pretrain', phase: 'pretrain', done: stepLog.step + 1, total, loss: stepLog.loss })
        },
      })
  ctx.own(base.model, `the base model instance of '${plugins.model.name}'`)
  backend.afterBase(base.model.describe())
  const judges = { reward: plugins.reward, selector: plugins.selector, concurrency: ctx.concurrency, signal: ctx.signal }
  if (plugins.selector !== plugins.reward && plugins.selector.prepare) {
    ctx.emit({ type: 'phase', cellId: 'prepare', phase: 'prepare', total: 1 })
    const selector = plugins.selector
    const facts = await callHook(selector, 'prepare', () =>
      selector.prepare!({
        task: opts.verifierData,
        model: base.model,
        reward: plugins.reward,
        seed: config.taskSeed,
        rng: createRng(deriveSeed(config.taskSeed, 'selector')),
        cacheDir: config.cacheDir,
        // The base policy itself (T = 1), whatever the matrix's temperatures or their order: the
        // selector is one per run, and `bench eval` of any cell prepares the same one.
        temperature: 1,
        generation: ctx.generation,
        log: (m) => ctx.log(m),
        signal: ctx.signal,
      }),
    )
    const prepared = { ...(facts ?? {}), baseModel: base.key }
    if (!previous.prepared.has(plugins.selector.name)) ctx.journal.append({ type: 'prepare', name: plugins.selector.name, facts: prepared })
    else refuseOtherPreparation(plugins.selector.name, previous.prepare[plugins.selector.name] ?? {}, prepared)
    ctx.log(`${plugins.selector.name} ready: ${JSON.stringify(facts ?? {})}`)
  }
  return { model: base.model, key: base.key, judges }
}

/**
 * A resumed run prepares its learned selector again (from the cache, or trained anew). When it
 * reports another TensorFlow.js backend (its `backend` fact: the reward model of a run whose model
 * runs on none trains wherever `auto` finds) than the run journaled, its weights and scores differ,
 * and the rest of the run's cells would be judged by another verifier than its first part: refused
 * (BENCH_USAGE) before any cell runs. Only that fact: a plugin's other facts may hold what differs
 * from one preparation to the next (a wall time, whether a cache answered).
 */
function refuseOtherPreparation(name: string, recorded: Record<string, unknown>, now: Record<string, unknown>): void {
  if (recorded.backend === undefined || now.backend === undefined || recorded.backend === now.backend) return
  throw new BenchError(
    'BENCH_USAGE',
    `cannot resume: ${name} prepared here on the TensorFlow.js backend ${JSON.stringify(now.backend)}, the run's on ${JSON.stringify(recorded.backend)}, so the rest of its cells would be judged by another verifier. Resume where it prepares on ${JSON.stringify(recorded.backend)}, or start a new run.`,
  )
}

/**
 * Records the backend the base model runs on in run.json (provenance.backend.resolved) as soon as
 * it is known, so that no pretraining record is ever journaled without it: a run that asked for
 * `auto` and stopped during pretraining resumes (`bench run --resume`, core/run/manifest.ts
 * onRecordedBackend) on the backend its first steps ran on, not on what `auto` picks on the machine
 * that resumes it, which would journal the later steps from another backend's numbers.
 * For a model that runs on a TensorFlow.js backend in this thread (`usesBackend: true`: it has
 * started its backend by the time it takes its first pretraining step, or replays a cached log),
 * that is the backend selected here (`currentBackend`), recorded before the first pretraining
 * record. Once the base model exists, its own `describe()` is recorded (every model): a record
 * this run made from `currentBackend` is corrected to it, a record of an earlier part of the run
 * (a resume) is compared with it, and a difference is warned about once.
 */
function backendRecorder(ctx: RunContext, model: ModelPlugin): { beforePretrainRecord(): void; afterBase(described: ModelDescription): void } {
  let earlyWrite: string | undefined
  let checked = false
  let warned = false
  const record = (described: Pick<ModelDescription, 'backend' | 'device'>, replace: boolean) => {
    const warning = recordResolvedBackend(ctx.runDir, described, { replace })
    if (warning && !warned) {
      warned = true
      ctx.log(warning, 'warn')
    }
  }
  return {
    beforePretrainRecord() {
      if (checked) return
      checked = true
      const selected = model.usesBackend === true ? currentBackend() : undefined
      if (!selected) return
      if (readManifest(ctx.runDir).provenance.backend.resolved === undefined) earlyWrite = selected.name
      record({ backend: selected.name, device: selected.device }, false)
    },
    afterBase(described) {
      record(described, earlyWrite !== undefined && earlyWrite !== described.backend)
    },
  }
}

/** Loads a model saved by `instance.save` (a `--checkpoint`, or a cell's trained weights on resume). */
export async function loadCheckpoint(model: ModelPlugin, dir: string, ctx: Omit<ModelCreateContext, 'corpus'>): Promise<{ model: ModelInstance; key: string }> {
  if (!model.load)
    throw new BenchError('BENCH_RUN_INVALID', `Model '${model.name}' cannot load checkpoints (it has no load()). Use the model that wrote ${dir}.`)
  if (!existsSync(dir)) throw new BenchError('BENCH_RUN_INVALID', `Checkpoint folder ${dir} does not exist.`)
  const loaded = checkModelInstance(model.name, 'load', await callHook(model, 'load', () => model.load!(dir, ctx)))
  return { model: loaded, key: String((await modelHash(loaded)) ?? dir) }
}
