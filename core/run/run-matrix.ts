import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { availableParallelism } from 'node:os'
import { BenchError } from '../errors.js'
import { configureBudget } from '../concurrency.js'
import type { RunEvent, RunEventListener } from '../events.js'
import type { ModelCreateContext, ModelInstance, ModelPlugin } from '../plugin-api/model.js'
import type { CellResult, TrainStepLog } from '../plugin-api/results.js'
import type { ReporterPlugin } from '../plugin-api/reporter.js'
import { modelHash } from '../plugin-api/index.js'
import { cellLearningRate, klEnabled, type ResolvedConfig } from '../config/resolve-config.js'
import type { PluginRegistry } from '../registry/registry.js'
import { createRng, deriveSeed } from '../rng.js'
import { evaluatePools } from '../eval/evaluate-pools.js'
import { computeCellMetrics } from '../eval/cell-metrics.js'
import { trainCell } from '../train/train-cell.js'
import { lambdaFor } from '../train/lambda.js'
import { measureKl } from '../eval/measure-kl.js'
import { evaluateCheckpoint, evaluateSplit } from './checkpoint-evals.js'
import { carveTrainSplits } from './data-splits.js'
import { formatKl } from '../summary/format-kl.js'
import { formatHeadline } from '../summary/headline.js'
import { baseModelSpec, prepareBaseModel } from './base-model.js'
import { Journal, readJournal, repairJournal } from './journal.js'
import { indexJournal } from './journal-index.js'
import { buildManifest, readManifest, recordResolvedBackend } from './manifest.js'
import { planCells } from './planner.js'
import { type ShardSpec, shardCells } from './shard.js'
import { resolveRunPlugins } from './run-plugins.js'
import { estimateWork } from './estimate-plan.js'
import { type DisposeFailure, RunLifecycle, describeDisposeFailure } from './plugin-lifecycle.js'
import { ReporterHooks } from './reporter-hooks.js'
import { checkTaskData } from '../plugin-api-checks/check-task-data.js'
import { isPluginContractError } from '../plugin-api-checks/contract-error.js'

/** What `runMatrix` needs. */
export interface RunMatrixOptions {
  config: ResolvedConfig
  registry: PluginRegistry
  /** Resume this run directory instead of creating a new one. */
  resumeDir?: string
  /** Event consumers (the UI or the line reporter), in addition to reporter plugins. */
  listeners?: RunEventListener[]
  reporters?: ReporterPlugin[]
  signal?: AbortSignal
  argv?: string[]
  cwd?: string
  /** Evaluate this saved model (written by `instance.save`) as the base instead of pretraining one. */
  checkpoint?: string
  /** Run only this shard of the planned cells (`--shard i/n`, core/run/shard.ts); recorded in run.json. */
  shard?: ShardSpec
  /**
   * Run only these planned cells (the others stay pending; run.json still plans them all). `[]`
   * opens the run (directory, run.json, journal) and runs nothing: queue mode's coordinator
   * (core/queue) does that and hands the cells to workers, each of which runs one cell with it.
   */
  cellIds?: readonly string[]
}

/** What a run returns. */
export interface RunOutcome {
  runDir: string
  runId: string
  results: CellResult[]
  interrupted: boolean
  /** One line per plugin or model instance whose dispose() threw (also sent as error log events); absent when none did. */
  disposeErrors?: string[]
}

/** A fresh run id: a sortable UTC timestamp plus a random suffix. */
export function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`
}

/**
 * Runs the matrix: plan → base model (pretrained or cached) → selector preparation → for each cell
 * (sequentially; each cell's pools use the whole concurrency budget): train (unless base) →
 * evaluate pools → metrics → journal → events. Everything finished is journaled (fsync'd) before
 * its event fires; `--resume` skips finished cells and pools. A cell that fails is journaled as an
 * error and the run goes on; an abort (Ctrl-C) ends the run with `interrupted: true`.
 *
 * Plugin lifecycle (core/plugin-api/common.ts): reporters, task, model, verifiers and strategies
 * are set up once before first use and disposed exactly once in reverse order — on success, on
 * error and on interruption — and every model instance the run creates is disposed exactly once.
 * A dispose that throws is reported as an error `log` event naming the plugin (and in
 * `disposeErrors`) without stopping the other disposals. A plugin whose output breaks its contract
 * (core/plugin-api-checks), or a reporter hook that throws, stops the run with
 * BENCH_PLUGIN_CONTRACT after the failing cell is journaled as an error; earlier records stay.
 */
export async function runMatrix(opts: RunMatrixOptions): Promise<RunOutcome> {
  const started = Date.now()
  const { config, registry } = opts
  const cwd = opts.cwd ?? process.cwd()
  const budget = configureBudget(config.concurrency ?? availableParallelism())
  const plugins = await resolveRunPlugins(config, registry)
  const reporters = [...new Set(opts.reporters ?? [])]
  const hooks = new ReporterHooks(reporters, opts.listeners ?? [])
  const emit = (event: RunEvent) => hooks.emit(event)
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info', cellId?: string) => emit({ type: 'log', level, message, cellId })
  const lifecycle = new RunLifecycle({ signal: opts.signal, cacheDir: config.cacheDir, log: (m) => log(m) })
  const disposeErrors: string[] = []
  const reportDisposals = (failures: DisposeFailure[], toEvents: boolean) => {
    for (const failure of failures) {
      const line = describeDisposeFailure(failure)
      disposeErrors.push(line)
      if (toEvents) log(line, 'error')
    }
  }
  let outcome: RunOutcome | undefined
  try {
    for (const reporter of reporters) await lifecycle.setup(reporter)
    const reportersMark = lifecycle.depth
    try {
      outcome = await runCells()
    } finally {
      // Everything but the reporters, newest first, so the failures still reach the reporters.
      reportDisposals(await lifecycle.disposeAll(reportersMark), true)
    }
    emit({
      type: 'run:end',
      runId: outcome.runId,
      runDir: outcome.runDir,
      results: outcome.results,
      interrupted: outcome.interrupted,
      wallMs: Date.now() - started,
    })
    await hooks.runEnd({ runDir: outcome.runDir, results: outcome.results, interrupted: outcome.interrupted })
  } finally {
    reportDisposals(await lifecycle.disposeAll(), false)
  }
  hooks.throwIfFailed()
  return disposeErrors.length > 0 ? { ...outcome, disposeErrors } : outcome

  async function runCells(): Promise<RunOutcome> {
    for (const plugin of [plugins.task, plugins.model, plugins.reward, plugins.selector, ...plugins.strategies.values()]) await lifecycle.setup(plugin)
    const data = checkTaskData(plugins.task, await plugins.task.load({ seed: config.taskSeed, dataPath: config.data, signal: opts.signal }))
    const testProblems = config.eval.testPrompts ? data.test.slice(0, config.eval.testPrompts) : data.test
    if (testProblems.length === 0) throw new BenchError('BENCH_RUN_INVALID', `Task '${plugins.task.name}' has no test problems to evaluate.`)
    // Validation and fine-tuning-only problems carved from train (none unless the config asks).
    const splits = carveTrainSplits(data.train, data.test, {
      taskSeed: config.taskSeed,
      validation: config.eval.validationPrompts,
      finetune: config.train.finetuneProblems,
    })
    const validation = splits.validation.length > 0 ? splits.validation : undefined
    // The learned verifier trains on train prompts, never on the validation ones.
    const verifierData = splits.carved ? { ...data, train: data.train.filter((p) => !splits.validation.includes(p)) } : data
    const planned = planCells(config)
    const cells = opts.shard ? shardCells(planned, opts.shard) : planned

    const runId = opts.resumeDir ? readManifest(opts.resumeDir).runId : newRunId()
    const runDir = opts.resumeDir ?? join(config.runsDir, runId)
    mkdirSync(runDir, { recursive: true })
    const journalPath = join(runDir, 'journal.jsonl')
    if (opts.resumeDir) {
      const cut = repairJournal(journalPath)
      if (cut > 0) log(`resume: dropped a torn final journal record (${cut} bytes)`, 'warn')
    } else {
      const manifest = await buildManifest({
        runId,
        config,
        registry,
        plugins,
        cells,
        dataFiles: data.files ?? [],
        argv: opts.argv ?? [],
        cwd,
        checkpoint: opts.checkpoint,
        ...(opts.shard ? { shard: { ...opts.shard, plan: planned.map((c) => c.cellId) } } : {}),
      })
      writeFileSync(join(runDir, 'run.json'), JSON.stringify(manifest, null, 2) + '\n')
    }
    const previous = indexJournal(readJournal(journalPath).records)
    const journal = new Journal(journalPath)
    const results: CellResult[] = []
    const modelName = plugins.model.name
    try {
      const pending = cells.filter((c) => !previous.cells.has(c.cellId) && (!opts.cellIds || opts.cellIds.includes(c.cellId)))
      const estimate = estimateWork(config, plugins, data, pending)
      emit({
        type: 'run:start',
        runId,
        runDir,
        resumed: Boolean(opts.resumeDir),
        plan: { cells, samplesToDraw: estimate.evalSamples + estimate.trainSamples, estimatedSeconds: estimate.estimatedSeconds },
      })
      for (const cell of cells) {
        const done = previous.cells.get(cell.cellId)
        if (done) {
          results.push(done)
          emit({ type: 'cell:skip', cellId: cell.cellId, key: cell.key, result: done })
        }
      }
      if (pending.length > 0) {
        const generation = plugins.task.generation ?? {}
        const spec = baseModelSpec(config, plugins.model, plugins.task, data, splits.carved ? splits.pretrain : undefined)
        if (splits.carved)
          log(
            `train split: ${splits.pretrain.length} problems to pretrain on, ${config.train.finetuneProblems ? `${splits.finetune.length} reserved for fine-tuning only` : 'the same to fine-tune on'}, ${splits.validation.length} for validation`,
          )
        emit({ type: 'phase', cellId: 'pretrain', phase: 'pretrain', total: spec.pretrainSteps })
        const base = opts.checkpoint
          ? await loadCheckpoint(plugins.model, opts.checkpoint, {
              seed: config.taskSeed,
              backend: config.backend,
              concurrency: budget.size,
              signal: opts.signal,
            })
          : await prepareBaseModel({
              ...spec,
              concurrency: budget.size,
              cacheDir: config.cacheDir,
              signal: opts.signal,
              log: (m) => log(m),
              onStep: (stepLog, total) => {
                // A resumed run pretrains (or replays the cached log) from step 0; journal only what is new.
                if (stepLog.step >= (previous.training.get('pretrain')?.length ?? 0)) journal.append({ type: 'train', cellId: 'pretrain', log: stepLog })
                emit({ type: 'train:step', cellId: 'pretrain', phase: 'pretrain', log: stepLog })
                emit({ type: 'progress', cellId: 'pretrain', phase: 'pretrain', done: stepLog.step + 1, total, loss: stepLog.loss })
              },
            })
        lifecycle.own(base.model, `the base model instance of '${modelName}'`)
        const backendWarning = recordResolvedBackend(runDir, base.model.describe())
        if (backendWarning) log(backendWarning, 'warn')
        const judges = { reward: plugins.reward, selector: plugins.selector, concurrency: budget.size, signal: opts.signal }
        if (plugins.selector !== plugins.reward && plugins.selector.prepare) {
          emit({ type: 'phase', cellId: 'prepare', phase: 'prepare', total: 1 })
          const facts = await plugins.selector.prepare({
            task: verifierData,
            model: base.model,
            reward: plugins.reward,
            seed: config.taskSeed,
            rng: createRng(deriveSeed(config.taskSeed, 'selector')),
            cacheDir: config.cacheDir,
            temperature: config.temperatures[0] ?? 1,
            generation,
            log: (m) => log(m),
            signal: opts.signal,
          })
          if (!previous.prepared.has(plugins.selector.name))
            journal.append({ type: 'prepare', name: plugins.selector.name, facts: { ...(facts ?? {}), baseModel: base.key } })
          log(`${plugins.selector.name} ready: ${JSON.stringify(facts ?? {})}`)
        }
        for (const cell of pending) {
          if (opts.signal?.aborted) break
          // A reporter's rejected onEvent promise is known only once it settles: wait at the cell boundary.
          await hooks.settle()
          hooks.throwIfFailed()
          const cellStart = Date.now()
          emit({ type: 'cell:start', cellId: cell.cellId, key: cell.key })
          let model: ModelInstance = base.model
          try {
            const training: TrainStepLog[] = [...(previous.training.get(cell.cellId) ?? [])]
            const compute = { samplesDrawn: 0, tokensGenerated: 0, tokensTrained: 0 }
            const saved = previous.checkpoints.get(cell.cellId)
            if (cell.key.strategy !== 'base' && saved && plugins.model.load && existsSync(saved.dir)) {
              // Training finished before the interruption: evaluate the saved weights.
              log(`resume: ${cell.cellId} loads its trained checkpoint ${saved.dir}`, 'info', cell.cellId)
              model = lifecycle.own(
                (
                  await loadCheckpoint(plugins.model, saved.dir, {
                    seed: cell.key.seed,
                    backend: config.backend,
                    concurrency: budget.size,
                    signal: opts.signal,
                  })
                ).model,
                `the model instance of cell ${cell.cellId}`,
              )
              if (saved.compute) Object.assign(compute, saved.compute)
            } else if (cell.key.strategy !== 'base') {
              const strategy = plugins.strategyFor(cell.key.strategy, cell.key.nTrain)
              if (!base.model.clone)
                throw new BenchError('BENCH_RUN_INVALID', `Model '${plugins.model.name}' has no clone(); strategies train a copy of the base model.`)
              model = lifecycle.own(await base.model.clone(), `the model instance of cell ${cell.cellId}`)
              const startStep = training.length
              if (startStep > 0) log(`resume: ${cell.cellId} replays from step 0 to ${startStep} deterministically`, 'info', cell.cellId)
              emit({ type: 'phase', cellId: cell.cellId, phase: 'train', total: config.train.steps })
              const evaluated = new Set((previous.checkpointEvals.get(cell.cellId) ?? []).map((e) => e.step))
              const trainingModel = model
              const trained = await trainCell({
                cellId: cell.cellId,
                model,
                modelName,
                reference: base.model,
                strategy,
                nTrain: cell.key.nTrain,
                lambda: lambdaFor(cell.key.nTrain, config.train.lambda),
                temperature: cell.key.temperature,
                seed: cell.key.seed,
                problems: splits.finetune,
                judges,
                steps: config.train.steps,
                batchPrompts: config.train.batchPrompts,
                learningRate: cellLearningRate(config, cell.key) ?? plugins.model.trainingDefaults?.learningRate,
                generation,
                signal: opts.signal,
                onStep: (stepLog) => {
                  if (stepLog.step >= startStep) {
                    journal.append({ type: 'train', cellId: cell.cellId, log: stepLog })
                    training.push(stepLog)
                  }
                  emit({ type: 'train:step', cellId: cell.cellId, phase: 'train', log: stepLog })
                  emit({ type: 'progress', cellId: cell.cellId, phase: 'train', done: stepLog.step + 1, total: config.train.steps, loss: stepLog.loss })
                },
                checkpointEvery: config.train.evalEvery,
                onCheckpoint: async (step) => {
                  // A resumed cell replays its training; checkpoints evaluated before the interruption are not redone.
                  if (evaluated.has(step)) return
                  const record = await evaluateCheckpoint({
                    step,
                    model: trainingModel,
                    reference: base.model,
                    modelName,
                    problems: testProblems,
                    judges,
                    temperature: cell.key.temperature,
                    seed: cell.key.seed,
                    poolSize: config.poolSize,
                    generation,
                    nGrid: config.nGrid,
                    threshold: config.eval.threshold,
                    bootstrap: config.eval.bootstrap,
                    metricsSeed: deriveSeed(cell.key.seed, cell.cellId, 'metrics'),
                    klSeed: deriveSeed(cell.key.seed, cell.cellId, 'kl'),
                    signal: opts.signal,
                    ...(validation ? { validation: { problems: validation, metricsSeed: deriveSeed(cell.key.seed, cell.cellId, 'validation-metrics') } } : {}),
                  })
                  journal.append({ type: 'checkpoint-eval', cellId: cell.cellId, ...record })
                  log(`${cell.cellId} at step ${step}: ${formatHeadline(record.metrics)}  ${formatKl(record.kl)}`, 'info', cell.cellId)
                },
              })
              Object.assign(compute, trained)
              if (model.save) {
                const dir = join(runDir, 'checkpoints', cell.cellId)
                const { hash } = await model.save(dir)
                journal.append({ type: 'checkpoint', cellId: cell.cellId, step: config.train.steps, dir, hash, compute: { ...trained } })
              }
            }
            emit({ type: 'phase', cellId: cell.cellId, phase: 'sample', total: testProblems.length })
            // Pools journaled before an interruption count as drawn: compute does not depend on resuming.
            for (const samples of previous.pools.get(cell.cellId)?.values() ?? []) {
              compute.samplesDrawn += samples.length
              for (const s of samples) compute.tokensGenerated += s.tokens
            }
            const pools = await evaluatePools({
              model,
              modelName,
              problems: testProblems,
              judges,
              temperature: cell.key.temperature,
              seed: cell.key.seed,
              poolSize: config.poolSize,
              generation,
              done: previous.pools.get(cell.cellId) ?? new Map(),
              signal: opts.signal,
              onPool: (pool) => {
                journal.append({ type: 'pool', cellId: cell.cellId, promptId: pool.promptId, samples: pool.samples })
                compute.samplesDrawn += pool.samples.length
                for (const s of pool.samples) compute.tokensGenerated += s.tokens
              },
              onProgress: (done, total) => emit({ type: 'progress', cellId: cell.cellId, phase: 'sample', done, total }),
            })
            emit({ type: 'phase', cellId: cell.cellId, phase: 'metrics', total: 1 })
            const { metrics, prompts } = computeCellMetrics(pools, {
              nGrid: config.nGrid,
              threshold: config.eval.threshold,
              bootstrap: config.eval.bootstrap,
              seed: deriveSeed(cell.key.seed, cell.cellId, 'metrics'),
            })
            const result: CellResult = {
              cellId: cell.cellId,
              key: cell.key,
              metrics,
              prompts,
              training,
              compute: { ...compute, wallMs: Date.now() - cellStart },
            }
            if (klEnabled(config)) {
              // The cost of a separate KL draw (cells not at T = 1) is measurement, not the cell's compute.
              result.kl = (
                await measureKl({
                  model,
                  reference: base.model,
                  modelName,
                  problems: testProblems,
                  pools,
                  temperature: cell.key.temperature,
                  seed: cell.key.seed,
                  samples: config.poolSize,
                  generation,
                  bootstrap: config.eval.bootstrap,
                  bootstrapSeed: deriveSeed(cell.key.seed, cell.cellId, 'kl'),
                  signal: opts.signal,
                })
              ).kl
            }
            if (validation) {
              // Measurement like the KL: its samples are not the cell's compute; its pools are not journaled.
              emit({ type: 'phase', cellId: cell.cellId, phase: 'sample', total: validation.length })
              result.validation = await evaluateSplit({
                model,
                modelName,
                problems: validation,
                judges,
                temperature: cell.key.temperature,
                seed: cell.key.seed,
                poolSize: config.poolSize,
                generation,
                nGrid: config.nGrid,
                threshold: config.eval.threshold,
                bootstrap: config.eval.bootstrap,
                metricsSeed: deriveSeed(cell.key.seed, cell.cellId, 'validation-metrics'),
                signal: opts.signal,
                onProgress: (done, total) => emit({ type: 'progress', cellId: cell.cellId, phase: 'sample', done, total }),
              })
            }
            const hash = await modelHash(model)
            if (typeof hash === 'string') result.checkpoint = hash
            journal.append({ type: 'cell', cellId: cell.cellId, key: cell.key, result })
            results.push(result)
            emit({ type: 'cell:end', cellId: cell.cellId, key: cell.key, result, metrics })
          } catch (error) {
            if (opts.signal?.aborted) break
            const message = error instanceof Error ? error.message : String(error)
            journal.append({ type: 'error', cellId: cell.cellId, key: cell.key, message })
            emit({ type: 'cell:error', cellId: cell.cellId, key: cell.key, message })
            // A plugin bug makes every later number suspect: stop the run (the journal keeps what is done).
            if (isPluginContractError(error)) throw error
          } finally {
            if (model !== base.model) await lifecycle.release(model)
          }
        }
        await lifecycle.release(base.model)
        await hooks.settle()
        hooks.throwIfFailed()
      }
    } catch (error) {
      if (!opts.signal?.aborted) throw error
    } finally {
      journal.close()
    }
    const interrupted = Boolean(opts.signal?.aborted)
    const ordered = cells.map((c) => results.find((r) => r.cellId === c.cellId)).filter((r): r is CellResult => r !== undefined)
    return { runDir, runId, results: ordered, interrupted }
  }
}

async function loadCheckpoint(model: ModelPlugin, dir: string, ctx: Omit<ModelCreateContext, 'corpus'>): Promise<{ model: ModelInstance; key: string }> {
  if (!model.load)
    throw new BenchError('BENCH_RUN_INVALID', `Model '${model.name}' cannot load checkpoints (it has no load()). Use the model that wrote ${dir}.`)
  if (!existsSync(dir)) throw new BenchError('BENCH_RUN_INVALID', `Checkpoint folder ${dir} does not exist.`)
  const loaded = await model.load(dir, ctx)
  return { model: loaded, key: String((await modelHash(loaded)) ?? dir) }
}
