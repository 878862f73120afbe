import { availableParallelism } from 'node:os'
import { configureBudget } from '../concurrency.js'
import type { PlanSummary, RunEvent, RunEventListener } from '../events.js'
import type { CellResult } from '../plugin-api/results.js'
import type { ReporterPlugin } from '../plugin-api/reporter.js'
import type { ResolvedConfig } from '../config/resolve-config.js'
import type { PluginRegistry } from '../registry/registry.js'
import { isPluginContractError } from '../plugin-api-checks/contract-error.js'
import { isBenchError } from '../errors.js'
import { estimateWork, type PlanEstimate } from './estimate-plan.js'
import { PhaseClock, recordMeasuredRates, type MeasuredRates } from './measured-rates.js'
import { onRecordedBackend } from './manifest.js'
import { openRun } from './open-run.js'
import { type DisposeFailure, RunLifecycle, describeDisposeFailure } from './plugin-lifecycle.js'
import { prepareBase } from './prepare-base.js'
import { ReporterHooks } from './reporter-hooks.js'
import { recordCellError, runCell } from './run-cell.js'
import type { RunContext } from './run-context.js'
import type { ShardSpec } from './shard.js'
import { resolveRunPlugins } from './run-plugins.js'

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
  /**
   * Evaluate these saved weights (a run's `checkpoints/<cell>`) as every strategy cell of the plan:
   * the base model and the selector are prepared as the run prepared them, the cells skip training
   * and load the weights (the resume path), so the run's cell is reproduced exactly.
   */
  trainedCheckpoint?: string
  /** Run only this shard of the planned cells (`--shard i/n`, core/run/shard.ts); recorded in run.json. */
  shard?: ShardSpec
  /**
   * Run only these planned cells (the others stay pending). `[]` opens the run (directory, run.json,
   * journal) and runs nothing: queue mode's coordinator (core/queue/coordinator.ts) does that. The
   * `run:start` estimate (and `plan` in the outcome) still covers every pending cell.
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
  /** What `run:start` announced: the cells and the estimate of the pending ones (absent when the run stopped before it). */
  plan?: PlanSummary
}

/**
 * Runs the matrix as a pipeline of named stages, each in its own module:
 * 1. plan — `openRun` (core/run/open-run.ts): task data, splits, cells, run folder, journal so far;
 * 2. base model — `prepareBase` (prepare-base.ts): pretrained or cached base, the selector prepared;
 * 3. train — `trainStage` (train-stage.ts), per cell, sequentially (each cell's pools use the whole
 *    concurrency budget);
 * 4–5. evaluate pools and metrics — `evaluateStage` (evaluate-stage.ts); `runCell` (run-cell.ts)
 *    runs 3–5 and journals the cell;
 * 6. reports — the reporters' `runEnd` hook, after the `run:end` event.
 * Everything finished is journaled (fsync'd) before its event fires; `--resume` skips finished
 * cells and pools. A cell that fails is journaled as an error and the run goes on; an abort
 * (Ctrl-C) ends the run with `interrupted: true`.
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
  const { registry } = opts
  const cwd = opts.cwd ?? process.cwd()
  const budget = configureBudget(opts.config.concurrency ?? availableParallelism())
  const plugins = await resolveRunPlugins(opts.config, registry)
  // A resumed run computes on the backend its first part ran on, not on what `auto` picks today.
  // A queue coordinator opens the run with no cells (`cellIds: []`): its workers compute, and check
  // the backend themselves (core/queue/queue-worker.ts).
  const computes = opts.cellIds === undefined || opts.cellIds.length > 0
  const config = opts.resumeDir && computes ? onRecordedBackend(opts.config, plugins.model, opts.resumeDir) : opts.config
  const reporters = [...new Set(opts.reporters ?? [])]
  const hooks = new ReporterHooks(reporters, opts.listeners ?? [])
  // Wall time per kind of work, recorded as measured rates for later estimates (never for results).
  const clock = new PhaseClock()
  let planned: PlanEstimate | undefined
  const emit = (event: RunEvent) => {
    clock.onEvent(event)
    hooks.emit(event)
  }
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info', cellId?: string) => emit({ type: 'log', level, message, cellId })
  const lifecycle = new RunLifecycle({ signal: opts.signal, cacheDir: config.cacheDir, log: (m) => log(m) })
  const disposeErrors: string[] = []
  // Each failed dispose: a line in `disposeErrors` and an error `log` event — to the listeners
  // only for the reporters' own (a disposed reporter gets no further events).
  const reportDisposals = (failures: DisposeFailure[], to: 'everyone' | 'listeners') => {
    for (const failure of failures) {
      const line = describeDisposeFailure(failure)
      disposeErrors.push(line)
      if (to === 'everyone') log(line, 'error')
      else for (const listener of opts.listeners ?? []) listener({ type: 'log', level: 'error', message: line })
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
      reportDisposals(await lifecycle.disposeAll(reportersMark), 'everyone')
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
    if (planned && !outcome.interrupted) recordRunRates(planned, clock, outcome.runId)
  } finally {
    reportDisposals(await lifecycle.disposeAll(), 'listeners')
  }
  hooks.throwIfFailed()
  return disposeErrors.length > 0 ? { ...outcome, disposeErrors } : outcome

  async function runCells(): Promise<RunOutcome> {
    for (const plugin of [plugins.task, plugins.model, plugins.reward, plugins.selector, ...plugins.strategies.values()]) await lifecycle.setup(plugin)
    const opened = await openRun({
      config,
      registry,
      plugins,
      resumeDir: opts.resumeDir,
      argv: opts.argv ?? [],
      cwd,
      checkpoint: opts.checkpoint,
      trainedCheckpoint: opts.trainedCheckpoint,
      ...(opts.shard ? { shard: opts.shard } : {}),
      signal: opts.signal,
      output: { log },
    })
    const { runId, runDir, cells, previous, journal } = opened
    const pending = opts.cellIds ? opened.pending.filter((c) => opts.cellIds!.includes(c.cellId)) : opened.pending
    const ctx: RunContext = {
      config,
      plugins,
      runId,
      runDir,
      journal,
      previous,
      problems: opened.problems,
      generation: plugins.task.generation ?? {},
      concurrency: budget.size,
      signal: opts.signal,
      emit,
      log,
      own: (instance, what) => lifecycle.own(instance, what),
      release: (instance) => lifecycle.release(instance),
    }
    const results: CellResult[] = []
    let plan: PlanSummary | undefined
    try {
      const estimate = estimateWork(config, plugins, opened.data, opened.pending, {
        checkpoint: opts.checkpoint !== undefined,
        trainedCheckpoint: opts.trainedCheckpoint !== undefined,
      })
      planned = estimate
      plan = {
        cells,
        samplesToDraw: estimate.evalSamples + estimate.trainSamples,
        estimatedSeconds: estimate.estimatedSeconds,
        estimateBasis: estimate.basis,
      }
      emit({ type: 'run:start', runId, runDir, resumed: Boolean(opts.resumeDir), plan })
      for (const cell of cells) {
        const done = previous.cells.get(cell.cellId)
        if (done) {
          results.push(done)
          emit({ type: 'cell:skip', cellId: cell.cellId, key: cell.key, result: done })
        }
      }
      if (pending.length > 0) {
        const base = await prepareBase(ctx, { data: opened.data, splits: opened.splits, verifierData: opened.verifierData, checkpoint: opts.checkpoint })
        for (const cell of pending) {
          if (opts.signal?.aborted) break
          // A reporter's rejected onEvent promise is known only once it settles: wait at the cell boundary.
          await hooks.settle()
          hooks.throwIfFailed()
          try {
            results.push(await runCell(ctx, base, cell))
          } catch (error) {
            if (opts.signal?.aborted) break
            recordCellError(ctx, cell, error)
            // A plugin bug, or a backend that computes garbage, makes every later number suspect:
            // stop the run (the journal keeps what is done).
            if (isPluginContractError(error) || (isBenchError(error) && error.code === 'BENCH_BACKEND_FAILED')) throw error
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
      opened.lock.release()
    }
    const interrupted = Boolean(opts.signal?.aborted)
    const ordered = cells.map((c) => results.find((r) => r.cellId === c.cellId)).filter((r): r is CellResult => r !== undefined)
    return { runDir, runId, results: ordered, interrupted, ...(plan ? { plan } : {}) }
  }
}

/** Seconds per unit of each kind of work this run did, merged into the rates file (best effort: an estimate is never worth failing a run). */
function recordRunRates(plan: PlanEstimate, clock: PhaseClock, runId: string): void {
  const rates: MeasuredRates = {}
  const rate = (seconds: number, units: number) => (units > 0 && seconds > 0 ? { seconds: seconds / units, runId } : undefined)
  const pretrain = rate(clock.seconds.pretrain, plan.pretrainSequences)
  const train = rate(clock.seconds.train, plan.trainSequences - plan.pretrainSequences)
  const evaluation = rate(clock.seconds.eval, plan.evalSamples + plan.prepareSamples)
  if (pretrain) rates.pretrainSequence = pretrain
  if (train) rates.trainSequence = train
  if (evaluation) rates.evalSample = evaluation
  if (Object.keys(rates).length === 0) return
  try {
    recordMeasuredRates(plan.ratesPath, rates)
  } catch {
    // A read-only cache dir: the next estimate falls back to the declared throughput.
  }
}
