import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRng, deriveSeed } from '../rng.js'
import { yieldToEventLoop } from './yield-event-loop.js'
import { privateTempDir, publishDir } from './publish-dir.js'
import type { ModelInstance, ModelPlugin, WeightedSequence } from '../plugin-api/model.js'
import type { TrainStepLog } from '../plugin-api/results.js'
import type { Problem, TaskData, TaskPlugin } from '../plugin-api/task.js'
import type { ResolvedConfig } from '../config/resolve-config.js'
import { BenchError } from '../errors.js'
import { callHook } from './hooks-in-flight.js'
import { canTrain } from './trainable.js'
import { checkUpdateStats } from '../plugin-api-checks/check-update.js'
import { checkModelInstance } from '../plugin-api-checks/check-model-instance.js'
import { resultOptions } from './plugin-mismatches.js'
import { expectedBackend, selectBackend } from '../backend/select-backend.js'
import { backendKeyName } from '../backend/backend-identity.js'
import { checkModelBackend, effectiveBackend } from '../backend/model-backend.js'
import { installedVersion } from '../backend/backend-catalog.js'
import { bonbenchVersion } from '../registry/api-version.js'
import {
  type ResumeCadence,
  type ResumePoint,
  ResumeClock,
  loadResumePoint,
  readResumePoint,
  removeResumePoint,
  writeResumePoint,
} from '../train/resume-point.js'

/** What building the shared base model needs. */
export interface BaseModelOptions {
  model: ModelPlugin
  task: TaskPlugin
  data: TaskData
  /**
   * The problems pretraining draws experts from, when a run carves the train split
   * (core/run/data-splits.ts); absent: all of `data.train`. The tokenizer still covers all of `data`.
   */
  pretrainProblems?: readonly Problem[]
  taskSeed: number
  pretrainSteps: number
  pretrainBatch: number
  /** Undefined: the model's own default. */
  learningRate?: number
  /**
   * The backend asked for: the run's (`--backend`, config `backend`), or the model's own option
   * where it names one ({@link baseModelSpec} gives that one). A run's backend that differs from a
   * model's own option is refused (BENCH_USAGE, core/backend/model-backend.ts).
   */
  backend: string
  concurrency: number
  cacheDir: string
  /**
   * When pretraining writes a resume point into the cache's partial entry `<key>.partial` (and one
   * when stopped); absent: never, and an interrupted pretraining starts over.
   */
  resumeCadence?: ResumeCadence
  onStep?(log: TrainStepLog, total: number): void
  log?(message: string): void
  signal?: AbortSignal
}

/** The text a tokenizer must cover: prompts, experts and the task's extra corpus. */
export function corpusOf(data: TaskData): string {
  const parts = [data.corpus ?? '']
  for (const p of [...data.train, ...data.test]) parts.push(p.prompt, p.expert ?? '')
  return parts.join('\n')
}

/** What the base model's cache key depends on. */
export type BaseModelSpec = Pick<
  BaseModelOptions,
  'model' | 'task' | 'data' | 'pretrainProblems' | 'taskSeed' | 'pretrainSteps' | 'pretrainBatch' | 'learningRate' | 'backend'
>

/**
 * Why pretraining asked for cannot run, or undefined when it can (or is not asked for). Asked
 * for: `train.pretrainSteps` > 0 set by the config, a preset or `--pretrain-steps` (a model's own
 * default is not asking). It cannot run without expert solutions (problem.expert) among the
 * problems it draws from. A model that cannot train ({@link canTrain}: sampling only) is never
 * pretrained, so nothing is asked of it: it is evaluated as created (a preset's steps do not apply).
 */
export function pretrainingProblem(
  config: Pick<ResolvedConfig, 'train'>,
  model: ModelPlugin,
  task: TaskPlugin,
  data: TaskData,
  pretrainProblems?: readonly Problem[],
): string | undefined {
  const asked = config.train.pretrainSteps
  if (asked === undefined || asked === 0 || !canTrain(model)) return undefined
  const pool = pretrainProblems ?? data.train
  if (pool.some((p) => p.expert !== undefined)) return undefined
  const why =
    pool.length === 0
      ? `task '${task.name}' has no training problems`
      : `none of the ${pool.length} training problems of task '${task.name}' has an expert solution (problem.expert)`
  return `pretraining for ${asked} steps was asked for (train.pretrainSteps, --pretrain-steps or a preset), but ${why}, so the base model cannot be pretrained. Fix: --pretrain-steps 0 (evaluate and fine-tune the untrained base), or a task whose train problems carry \`expert\` (docs/plugins.md, "What a problem holds").`
}

/**
 * The checks of the base model a run builds, before a run directory exists (core/run/open-run.ts):
 * throws BENCH_USAGE when the run's backend and the model's own `backend` option name different
 * backends (core/backend/model-backend.ts), and BENCH_RUN_INVALID when {@link pretrainingProblem}
 * finds one.
 */
export function checkPretraining(
  config: Pick<ResolvedConfig, 'train' | 'backend'>,
  model: ModelPlugin,
  task: TaskPlugin,
  data: TaskData,
  pretrainProblems?: readonly Problem[],
): void {
  checkModelBackend(model, config.backend)
  const problem = pretrainingProblem(config, model, task, data, pretrainProblems)
  if (problem) throw new BenchError('BENCH_RUN_INVALID', problem.charAt(0).toUpperCase() + problem.slice(1))
}

/**
 * The base model a run with this config builds (pretraining steps and rates default to the model's
 * own), on the backend its model runs on: the model's own `backend` option where it names one, else
 * the config's (BENCH_USAGE when both name one and differ: core/backend/model-backend.ts).
 */
export function baseModelSpec(
  config: Pick<ResolvedConfig, 'train' | 'taskSeed' | 'backend'>,
  model: ModelPlugin,
  task: TaskPlugin,
  data: TaskData,
  pretrainProblems?: readonly Problem[],
): BaseModelSpec {
  const pool = pretrainProblems ?? data.train
  // Pretraining runs only on expert solutions with a model that trains: otherwise the base is the
  // untrained model, and its cache key says so (0 steps), never that of a pretrained one.
  const canPretrain = canTrain(model) && pool.some((p) => p.expert !== undefined)
  return {
    model,
    task,
    data,
    ...(pretrainProblems ? { pretrainProblems } : {}),
    taskSeed: config.taskSeed,
    // Pretraining steps: the config's, else the model's own default, else 300.
    pretrainSteps: canPretrain ? (config.train.pretrainSteps ?? model.trainingDefaults?.pretrainSteps ?? 300) : 0,
    pretrainBatch: config.train.pretrainBatch,
    learningRate: config.train.pretrainLearningRate ?? model.trainingDefaults?.pretrainLearningRate,
    backend: effectiveBackend(model, config.backend),
  }
}

/** Where the base model of this key lives in the cache, and whether a loadable copy is complete there. */
function cachedBaseModel(spec: BaseModelSpec, key: string, cacheDir: string): { dir: string; hit: boolean } {
  const dir = join(cacheDir, 'models', key)
  return { dir, hit: Boolean(spec.model.load) && existsSync(join(dir, '.complete')) }
}

/** True when the cache already holds this base model (a run loads it instead of pretraining). */
export function isBaseModelCached(spec: BaseModelSpec, cacheDir: string): boolean {
  return cachedBaseModel(spec, expectedBaseModelKey(spec), cacheDir).hit
}

/** The step an interrupted pretraining of this base model reached (its partial cache entry), 0 when there is none. */
export function partialPretrainStep(spec: BaseModelSpec, cacheDir: string): number {
  if (!spec.model.loadResumable) return 0
  const step = readResumePoint(partialBaseModelDir(cacheDir, expectedBaseModelKey(spec)))?.step ?? 0
  return step < spec.pretrainSteps ? step : 0
}

/**
 * The backend a base model's key records: for a model that runs on TensorFlow.js (`usesBackend`),
 * the one it runs on — its own `backend` option where it names one, else the run's, and for `auto`
 * the one `auto` starts — since weights trained on different backends differ in their last digits
 * (a cache shared by a CPU and a GPU machine, or one from before tfjs-node was installed, must not
 * give one the other's model); as cache keys name it ({@link backendKeyName}: Dawn's null device is
 * not webgpu). The configured name otherwise.
 */
async function backendOfKey(spec: Pick<BaseModelSpec, 'model' | 'backend'>): Promise<string> {
  if (spec.model.usesBackend !== true) return spec.backend
  const asked = effectiveBackend(spec.model, spec.backend)
  return asked === 'auto' ? (await selectBackend('auto')).keyName : backendKeyName(asked)
}

/** The key {@link prepareBaseModel} will use, for the estimate, which starts no backend: with `auto`'s expected one (core/backend). */
function expectedBaseModelKey(spec: BaseModelSpec): string {
  if (spec.model.usesBackend !== true) return baseModelKey(spec)
  return baseModelKey({ ...spec, backend: backendKeyName(expectedBackend(effectiveBackend(spec.model, spec.backend))) })
}

/**
 * The model's options as its base model's key records them: those that change a result
 * (`resultOptions`), less a TensorFlow.js model's own `backend` option, since the key records the
 * backend the model runs on itself (`backend`): the same model on the same backend has one key
 * whether the option or `--backend` chose it.
 */
function keyedModelOptions(model: ModelPlugin): unknown {
  const options = resultOptions(model)
  if (model.usesBackend !== true || options === null || typeof options !== 'object') return options
  const { backend: _chosen, ...rest } = options as Record<string, unknown>
  return rest
}

/**
 * The versions of the code that pretrains, beside the plugins': bonbench's (its pretraining loop is
 * in core), and for a model on a TensorFlow.js backend, TensorFlow.js's (its kernels decide the
 * last digits). An upgrade of either builds a new base model instead of taking one the old code
 * pretrained, whose numbers a cold cache would no longer give.
 */
export function pretrainingCodeVersions(model: Pick<ModelPlugin, 'usesBackend'>): Record<string, string> {
  return {
    bonbench: bonbenchVersion,
    ...(model.usesBackend === true ? { tfjs: installedVersion('@tensorflow/tfjs-core') ?? 'unknown' } : {}),
  }
}

/** Content hash of everything that determines the pretrained base model; `versions`: the code's (default: the installed ones). */
export function baseModelKey(opts: BaseModelSpec, versions: Record<string, string> = pretrainingCodeVersions(opts.model)): string {
  const hash = createHash('sha256')
  hash.update(
    JSON.stringify({
      model: [opts.model.name, opts.model.meta.version, keyedModelOptions(opts.model)],
      // The data files by content, not by where they are: the same bytes moved (another checkout,
      // another machine of a queue with a shared cache) find the same base model.
      task: [opts.task.name, opts.task.meta.version, resultOptions(opts.task), opts.taskSeed, (opts.data.files ?? []).map((f) => f.sha256)],
      pretrain: [opts.pretrainSteps, opts.pretrainBatch, opts.learningRate],
      backend: opts.backend,
      versions,
    }),
  )
  hash.update(corpusOf(opts.data))
  // Only a carved train split changes the key (runs without one keep their cached base models).
  if (opts.pretrainProblems) hash.update('\0pretrain-problems\0' + opts.pretrainProblems.map((p) => p.id).join('\n'))
  return hash.digest('hex').slice(0, 16)
}

/** Where an unfinished pretraining of this key keeps its resume point: beside the entry, never taken for it. */
export function partialBaseModelDir(cacheDir: string, key: string): string {
  return join(cacheDir, 'models', `${key}.partial`)
}

/**
 * Returns the shared base model: loaded from the cache when a model with the same key was
 * pretrained before, else created and pretrained by SFT on the task's expert solutions (weight
 * 1/batch per sequence), then saved to the cache with its pretraining log. On a cache hit that
 * log is replayed through `onStep`, so the caller journals the same pretraining records either way.
 * An interrupted pretraining leaves a resume point in the partial entry `<key>.partial` (same
 * content hash; never loaded as the finished model): the next run with this key — a `--resume`
 * or any other — continues from it, replaying the logged steps through `onStep` as a cache hit
 * does, and numbers equal an uninterrupted pretraining's.
 * Models without save/load are rebuilt each time (pretraining is seeded, so the result is the same).
 * Whatever state the returned model carries beyond its weights, fine-tuning starts from `clone()`,
 * which resets it (the fine-tuning rule, core/plugin-api/model.ts): a cache never changes a result.
 */
export async function prepareBaseModel(opts: BaseModelOptions): Promise<{ model: ModelInstance; key: string; cached: boolean }> {
  const backend = effectiveBackend(opts.model, opts.backend)
  const key = baseModelKey({ ...opts, backend: await backendOfKey(opts) })
  const { dir, hit } = cachedBaseModel(opts, key, opts.cacheDir)
  const ctx = { seed: opts.taskSeed, backend, concurrency: opts.concurrency, cacheDir: opts.cacheDir, signal: opts.signal }
  if (hit) {
    opts.log?.(`base model: loaded from cache ${dir}`)
    const model = checkModelInstance(opts.model.name, 'load', await callHook(opts.model, 'load', () => opts.model.load!(dir, ctx)))
    // The pretraining that made this model, replayed into the run's journal and events, so a run
    // from a warm cache records what a cold one does (DESIGN §3).
    const logs = readPretrainLog(dir)
    for (const log of logs) opts.onStep?.(log, logs.length)
    return { model, key, cached: true }
  }
  const partial = partialBaseModelDir(opts.cacheDir, key)
  const point = opts.model.loadResumable ? readResumePoint(partial) : undefined
  const usable = point && point.step < opts.pretrainSteps && point.logs?.length === point.step ? point : undefined
  const model = usable
    ? await loadResumePoint(opts.model, partial, ctx)
    : checkModelInstance(opts.model.name, 'create', await callHook(opts.model, 'create', () => opts.model.create({ ...ctx, corpus: corpusOf(opts.data) })))
  try {
    await pretrainAndCache(opts, model, dir, { partial, point: usable })
  } catch (error) {
    // The caller never sees this instance: free it here (tensors, workers) before failing.
    await model.dispose?.()
    throw error
  }
  return { model, key, cached: false }
}

async function pretrainAndCache(opts: BaseModelOptions, model: ModelInstance, dir: string, resume: { partial: string; point?: ResumePoint }): Promise<void> {
  const experts = (opts.pretrainProblems ?? opts.data.train).filter((p) => p.expert !== undefined)
  const logs: TrainStepLog[] = []
  if (opts.pretrainSteps > 0 && model.update && experts.length > 0) {
    const start = resume.point?.step ?? 0
    if (resume.point) {
      opts.log?.(`base model: continues pretraining from step ${start} of ${opts.pretrainSteps} (partial ${resume.partial})`)
      for (const log of resume.point.logs!) {
        logs.push(log)
        opts.onStep?.(log, opts.pretrainSteps)
      }
    } else opts.log?.(`base model: pretraining ${opts.pretrainSteps} steps on ${experts.length} expert solutions`)
    // One stream for all of pretraining: a resumed one skips the draws of the steps already taken.
    const rng = createRng(deriveSeed(opts.taskSeed, 'pretrain'))
    for (let i = 0; i < start * opts.pretrainBatch; i++) rng.int(experts.length)
    const canSave = opts.resumeCadence !== undefined && Boolean(model.saveResumable && opts.model.loadResumable)
    const clock = new ResumeClock(opts.resumeCadence ?? {}, start)
    const savePoint = async (taken: number) => {
      await writeResumePoint(model, resume.partial, { step: taken, logs: logs.slice(0, taken) })
      clock.mark(taken)
    }
    let updating = false
    try {
      for (let step = start; step < opts.pretrainSteps; step++) {
        await yieldToEventLoop()
        if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted')
        const batch: WeightedSequence[] = []
        for (let i = 0; i < opts.pretrainBatch; i++) {
          const p = experts[rng.int(experts.length)]!
          batch.push({ prompt: p.prompt, completion: p.expert!, weight: 1 / opts.pretrainBatch })
        }
        updating = true
        const stats = checkUpdateStats(
          opts.model.name,
          await callHook(opts.model, 'update', () => model.update!(batch, { learningRate: opts.learningRate, signal: opts.signal })),
          { training: 'the base model (pretraining)', step, learningRate: opts.learningRate, rateSetting: 'train.pretrainLearningRate' },
        )
        updating = false
        const log = { step, loss: stats.loss, gradNorm: stats.gradNorm }
        logs.push(log)
        opts.onStep?.(log, opts.pretrainSteps)
        if (canSave && clock.due(step + 1) && step + 1 < opts.pretrainSteps) await savePoint(step + 1)
      }
    } catch (error) {
      // Stopped between steps: keep what was pretrained in the partial entry (never the finished one).
      if (canSave && !updating && logs.length > clock.saved) {
        try {
          await savePoint(logs.length)
        } catch {
          // A resume then continues from the previous point.
        }
      }
      throw error
    }
  }
  if (model.save && opts.model.load) {
    // Written into a folder of this writer's own, then renamed into place: a process killed while
    // writing leaves only its temporary folder, and when several prepare the same base at once
    // (queue workers, shards sharing a cache) the first complete entry stays and the others' are
    // discarded (the same weights: pretraining is seeded) — never deleted under a reader.
    const tmp = privateTempDir(dir)
    mkdirSync(tmp, { recursive: true })
    try {
      await model.save(tmp)
      writeFileSync(join(tmp, PRETRAIN_LOG), JSON.stringify(logs) + '\n')
      mkdirSync(join(tmp, '.complete'))
      publishDir(tmp, dir, { keepExisting: true, isComplete: (d) => existsSync(join(d, '.complete')) })
    } finally {
      rmSync(tmp, { recursive: true, force: true })
    }
  }
  removeResumePoint(resume.partial)
}

/** The pretraining log kept beside a cached base model (bonbench's file, not the model's). */
const PRETRAIN_LOG = 'bonbench-pretrain-log.json'

/** The cached pretraining log; empty for a cache entry written before the log was kept. */
function readPretrainLog(dir: string): TrainStepLog[] {
  const file = join(dir, PRETRAIN_LOG)
  if (!existsSync(file)) return []
  try {
    const logs = JSON.parse(readFileSync(file, 'utf8')) as unknown
    return Array.isArray(logs) ? (logs as TrainStepLog[]) : []
  } catch {
    return []
  }
}
