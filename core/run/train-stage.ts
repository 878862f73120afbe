import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { BenchError } from '../errors.js'
import type { ModelInstance } from '../plugin-api/model.js'
import type { StrategyPlugin } from '../plugin-api/strategy.js'
import type { TrainStepLog } from '../plugin-api/results.js'
import { cellLearningRate } from '../config/resolve-config.js'
import { formatHeadline } from '../summary/headline.js'
import { formatKl } from '../summary/format-kl.js'
import { type TrainCompute, trainCell } from '../train/train-cell.js'
import { lambdaFor } from '../train/lambda.js'
import { type ResumePoint, loadResumePoint, readResumePoint, removeResumePoint, resumeCadence, writeResumePoint } from '../train/resume-point.js'
import { evaluateCheckpoint } from './checkpoint-evals.js'
import type { PlannedCell } from './planner.js'
import { privateTempDir, publishDir } from './publish-dir.js'
import { loadCheckpoint } from './prepare-base.js'
import { type BaseStage, type RunContext, cellEvalSettings, cellSeeds } from './run-context.js'
import { canTrain, untrainableModelProblem } from './trainable.js'

/** What a cell's model cost to make (and, once evaluated, its pools), counted as the cell's compute. */
export type CellCompute = TrainCompute

/** A cell's model, ready to evaluate, with its training log and compute so far. */
export interface TrainedCell {
  model: ModelInstance
  training: TrainStepLog[]
  compute: CellCompute
}

/**
 * Stage 3, train one cell: the base model itself for a `base` cell; for a strategy cell, its
 * trained weights when the journal holds a finished checkpoint (resume), else a clone of the base
 * trained with the cell's strategy (BENCH_RUN_INVALID naming the cell, the model and the fix when
 * the model cannot train: {@link canTrain}) — journaling each new step, evaluating the intermediate
 * checkpoints (`train.evalEvery`) not evaluated before, and saving the final weights.
 */
export async function trainStage(ctx: RunContext, base: BaseStage, cell: PlannedCell): Promise<TrainedCell> {
  const { config, plugins, previous } = ctx
  const training: TrainStepLog[] = [...(previous.training.get(cell.cellId) ?? [])]
  const compute: CellCompute = { samplesDrawn: 0, tokensGenerated: 0, tokensTrained: 0 }
  if (cell.key.strategy === 'base') return { model: base.model, training, compute }
  const saved = previous.checkpoints.get(cell.cellId)
  if (saved && plugins.model.load && existsSync(saved.dir)) {
    // Training finished before the interruption: evaluate the saved weights (a resume point left behind is not needed).
    removeResumePoint(join(ctx.runDir, 'resume', cell.cellId))
    ctx.log(`resume: ${cell.cellId} loads its trained checkpoint ${saved.dir}`, 'info', cell.cellId)
    const loaded = await loadCheckpoint(plugins.model, saved.dir, {
      seed: cell.key.seed,
      backend: config.backend,
      concurrency: ctx.concurrency,
      signal: ctx.signal,
    })
    const model = ctx.own(loaded.model, `the model instance of cell ${cell.cellId}`)
    if (saved.compute) Object.assign(compute, saved.compute)
    return { model, training, compute }
  }
  const strategy = plugins.strategyFor(cell.key.strategy, cell.key.nTrain)
  // The dry run refuses such a cell before any work (core/run/dry-run-checks.ts); a run fails it with
  // the same words, adding that resuming cannot help (the model is the run's, recorded with it).
  if (!canTrain(plugins.model, base.model) || !base.model.clone)
    throw new BenchError(
      'BENCH_MODEL_CANNOT_TRAIN',
      `${untrainableModelProblem(plugins.model, [], base.model)} Resuming this run fails the same way: start a new one.`,
    )
  const resumeDir = join(ctx.runDir, 'resume', cell.cellId)
  // A resume point written before the interruption (weights and optimizer state after `step` steps):
  // training continues from it. Only one the journal's steps cover, so every step log is journaled.
  const point = plugins.model.loadResumable ? readResumePoint(resumeDir) : undefined
  const usable = point && point.step <= training.length && point.step < config.train.steps ? point : undefined
  // Loaded with the base model's context (taskSeed), as the clone it replaces was made: a model
  // may seed training randomness from it (tiny-transformer's dropout stream), so the cell's own
  // seed here made the steps after a resume differ from the uninterrupted run's.
  const model = ctx.own(
    usable
      ? await loadResumePoint(plugins.model, resumeDir, { seed: config.taskSeed, backend: config.backend, concurrency: ctx.concurrency, signal: ctx.signal })
      : await base.model.clone(),
    `the model instance of cell ${cell.cellId}`,
  )
  try {
    return await trainClone(ctx, base, cell, model, strategy, training, compute, { dir: resumeDir, point: usable })
  } catch (error) {
    // The caller releases the models this stage returns; one that never leaves it is released here.
    await ctx.release(model)
    throw error
  }
}

async function trainClone(
  ctx: RunContext,
  base: BaseStage,
  cell: PlannedCell,
  model: ModelInstance,
  strategy: StrategyPlugin,
  training: TrainStepLog[],
  compute: CellCompute,
  resume: { dir: string; point?: ResumePoint },
): Promise<TrainedCell> {
  const { config, plugins, previous } = ctx
  // Steps journaled before the interruption; those after the resume point are taken again (same numbers) but not journaled again.
  const journaled = training.length
  const startStep = resume.point?.step ?? 0
  if (resume.point)
    ctx.log(
      `resume: ${cell.cellId} continues from step ${startStep} of ${config.train.steps} (resume point ${resume.dir})` +
        (journaled - startStep > 1
          ? `; steps ${startStep}–${journaled - 1} are taken again`
          : journaled > startStep
            ? `; step ${startStep} is taken again`
            : ''),
      'info',
      cell.cellId,
    )
  else if (journaled > 0) ctx.log(`resume: ${cell.cellId} replays from step 0 to ${journaled} deterministically (no resume point)`, 'info', cell.cellId)
  const cadence = resumeCadence(config.train.checkpointEvery)
  ctx.emit({ type: 'phase', cellId: cell.cellId, phase: 'train', total: config.train.steps })
  const evaluated = new Set((previous.checkpointEvals.get(cell.cellId) ?? []).map((e) => e.step))
  const settings = cellEvalSettings(ctx, base, cell)
  const seeds = cellSeeds(cell)
  const validation = ctx.problems.validation
  const trained = await trainCell({
    cellId: cell.cellId,
    model,
    modelName: plugins.model.name,
    reference: base.model,
    strategy,
    nTrain: cell.key.nTrain,
    lambda: lambdaFor(cell.key.nTrain, config.train.lambda),
    temperature: cell.key.temperature,
    seed: cell.key.seed,
    problems: ctx.problems.finetune,
    judges: base.judges,
    steps: config.train.steps,
    batchPrompts: config.train.batchPrompts,
    learningRate: cellLearningRate(config, cell.key) ?? plugins.model.trainingDefaults?.learningRate,
    generation: ctx.generation,
    signal: ctx.signal,
    startStep,
    ...(resume.point?.compute ? { startCompute: resume.point.compute } : {}),
    ...(cadence && model.saveResumable && plugins.model.loadResumable
      ? { resume: { cadence, save: async (step: number, spent: CellCompute) => void (await writeResumePoint(model, resume.dir, { step, compute: spent })) } }
      : {}),
    onStep: (stepLog) => {
      if (stepLog.step >= journaled) {
        ctx.journal.append({ type: 'train', cellId: cell.cellId, log: stepLog })
        training.push(stepLog)
      } else if (!sameStep(stepLog, training[stepLog.step])) {
        ctx.log(
          `resume: ${cell.cellId} step ${stepLog.step} gave loss ${stepLog.loss}, the journal has ${training[stepLog.step]?.loss}: the model does not train deterministically; the journal keeps the first`,
          'warn',
          cell.cellId,
        )
      }
      ctx.emit({ type: 'train:step', cellId: cell.cellId, phase: 'train', log: stepLog })
      ctx.emit({ type: 'progress', cellId: cell.cellId, phase: 'train', done: stepLog.step + 1, total: config.train.steps, loss: stepLog.loss })
    },
    evalEvery: config.train.evalEvery,
    onCheckpointEval: async (step) => {
      // Checkpoints evaluated before the interruption are not redone.
      if (evaluated.has(step)) return
      const record = await evaluateCheckpoint({
        ...settings,
        step,
        model,
        reference: base.model,
        problems: ctx.problems.test,
        metricsSeed: seeds.metrics,
        klSeed: seeds.kl,
        ...(validation ? { validation: { problems: validation, metricsSeed: seeds.validationMetrics } } : {}),
      })
      ctx.journal.append({ type: 'checkpoint-eval', cellId: cell.cellId, ...record })
      ctx.log(`${cell.cellId} at step ${step}: ${formatHeadline(record.metrics)}  ${formatKl(record.kl)}`, 'info', cell.cellId)
    },
  })
  Object.assign(compute, trained)
  if (model.save) {
    // Saved aside, then renamed into place: a process killed mid-save (a queue worker, then run
    // again elsewhere) leaves no half-written checkpoint that a later resume would load.
    const dir = join(ctx.runDir, 'checkpoints', cell.cellId)
    const { hash } = await saveAside(model, dir)
    ctx.journal.append({ type: 'checkpoint', cellId: cell.cellId, step: config.train.steps, dir, hash, compute: { ...trained } })
  }
  // Training is done: the resume point is not needed again (a resume loads the final checkpoint).
  removeResumePoint(resume.dir)
  return { model, training, compute }
}

/** `model.save` into a private folder, then renamed to `dir` (replacing what a killed writer left there). */
async function saveAside(model: ModelInstance, dir: string): Promise<{ hash: string }> {
  const tmp = privateTempDir(dir)
  try {
    const saved = await model.save!(tmp)
    publishDir(tmp, dir, { keepExisting: false })
    return saved
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

/** Whether a step taken again after a resume gave the journaled numbers. */
function sameStep(a: TrainStepLog, b: TrainStepLog | undefined): boolean {
  return b !== undefined && JSON.stringify(a) === JSON.stringify(b)
}
