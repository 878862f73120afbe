import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BenchError } from '../errors.js'
import type { ResolvedConfig } from '../config/resolve-config.js'
import type { TaskData } from '../plugin-api/task.js'
import type { PluginRegistry } from '../registry/registry.js'
import { checkTaskData } from '../plugin-api-checks/check-task-data.js'
import { checkPretraining } from './base-model.js'
import { carveTrainSplits, type TrainSplits } from './data-splits.js'
import { type BadLine, Journal, type JournalContents, readJournal, repairJournal } from './journal.js'
import { indexJournal, type JournalIndex } from './journal-index.js'
import { buildManifest, readManifest } from './manifest.js'
import { dataFileMismatches, loadedPluginMismatches, usedByCells } from './plugin-mismatches.js'
import { nTrainWarnings, planCells, type PlannedCell } from './planner.js'
import type { RunPlugins } from './run-plugins.js'
import { type ShardSpec, shardCells } from './shard.js'
import type { RunProblems, StageOutput } from './run-context.js'
import { callHook } from './hooks-in-flight.js'
import { noTestProblems } from './dry-run-checks.js'
import { lockRun, type RunLock } from './run-lock.js'

/** A fresh run id: a sortable UTC timestamp plus a random suffix. */
export function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`
}

/** What {@link openRun} needs. */
export interface OpenRunOptions {
  config: ResolvedConfig
  registry: PluginRegistry
  /** Set up already (the run's lifecycle owns them). */
  plugins: RunPlugins
  /** Resume this run directory instead of creating a new one. */
  resumeDir?: string
  argv: string[]
  cwd: string
  checkpoint?: string
  /** Evaluate these saved weights as every trained cell of the plan (no base cells, no training): see RunMatrixOptions. */
  trainedCheckpoint?: string
  /** Plan only this shard of the cells (`--shard i/n`); run.json records it with the whole plan. */
  shard?: ShardSpec
  signal?: AbortSignal
  output: Pick<StageOutput, 'log'>
}

/** An opened run: its identity, plan, problems and journal. */
export interface OpenedRun {
  runId: string
  runDir: string
  /** This process's hold on the run folder (run.lock); released when the run's journal closes. */
  lock: RunLock
  cells: PlannedCell[]
  /** The planned cells the journal has not finished, in plan order. */
  pending: PlannedCell[]
  data: TaskData
  splits: TrainSplits
  problems: RunProblems
  /** The learned verifier trains on these (train prompts, never the validation ones). */
  verifierData: TaskData
  journal: Journal
  previous: JournalIndex
}

/**
 * Stage 1, plan: loads and checks the task's data, carves the train splits, plans the cells, and
 * opens the run folder — a new one with its manifest (run.json), or the resumed one with a torn
 * final journal record cut — and indexes what the journal already holds.
 */
export async function openRun(opts: OpenRunOptions): Promise<OpenedRun> {
  const { config, plugins } = opts
  const data = checkTaskData(
    plugins.task,
    await callHook(plugins.task, 'load', () => plugins.task.load({ seed: config.taskSeed, dataPath: config.data, signal: opts.signal })),
  )
  const test = config.eval.testPrompts ? data.test.slice(0, config.eval.testPrompts) : data.test
  if (test.length === 0) throw new BenchError('BENCH_RUN_INVALID', noTestProblems(plugins.task.name, data))
  // Validation and fine-tuning-only problems carved from train (none unless the config asks).
  const splits = carveTrainSplits(data.train, data.test, {
    taskSeed: config.taskSeed,
    validation: config.eval.validationPrompts,
    finetune: config.train.finetuneProblems,
  })
  // Asked-for pretraining that cannot run is an error before the run folder exists, never a silent untrained base.
  if (!opts.checkpoint) checkPretraining(config, plugins.model, plugins.task, data, splits.carved ? splits.pretrain : undefined)
  const verifierData = splits.carved ? { ...data, train: data.train.filter((p) => !splits.validation.includes(p)) } : data
  const planned = planCells(config, plugins.strategies)
  // A strategy without an N′ axis in a run that asks for N′ > 1 trains at N′ = 1: said at the start, never silent.
  for (const line of nTrainWarnings(config, plugins.strategies)) opts.output.log(line, 'warn')
  // A trained cell's saved weights stand in for its training: only the strategy cells are evaluated.
  const unsharded = opts.trainedCheckpoint ? planned.filter((c) => c.key.strategy !== 'base') : planned
  const cells = opts.shard ? shardCells(unsharded, opts.shard) : unsharded
  if (unsharded.length === 0)
    throw new BenchError(
      'BENCH_RUN_INVALID',
      'A trained checkpoint is evaluated as a strategy cell, but the matrix plans none: name its strategy in matrix.strategies.',
    )

  const runId = opts.resumeDir ? readManifest(opts.resumeDir).runId : newRunId()
  const runDir = opts.resumeDir ?? join(config.runsDir, runId)
  mkdirSync(runDir, { recursive: true })
  const journalPath = join(runDir, 'journal.jsonl')
  // Before the journal is touched (a resume cuts a torn last line): one process per run folder.
  const lock = lockRun(runDir)
  try {
    return await openLocked()
  } catch (error) {
    lock.release()
    throw error
  }

  async function openLocked(): Promise<OpenedRun> {
    // A resumed run's journal is read and parsed once: a study's runs hold hundreds of megabytes.
    let recorded: JournalContents | undefined
    if (opts.resumeDir) {
      refuseChangedResume(opts.resumeDir, opts.registry, data.files ?? [])
      const cut = repairJournal(journalPath)
      if (cut > 0) opts.output.log(`resume: dropped a torn final journal record (${cut} bytes)`, 'warn')
      recorded = readJournal(journalPath)
      refuseDamagedJournal(recorded.badLines, journalPath, opts.resumeDir)
    } else {
      const manifest = await buildManifest({
        runId,
        config,
        registry: opts.registry,
        plugins,
        cells,
        dataFiles: data.files ?? [],
        argv: opts.argv,
        cwd: opts.cwd,
        checkpoint: opts.checkpoint,
        trainedCheckpoint: opts.trainedCheckpoint,
        testProblems: test,
        ...(opts.shard ? { shard: { ...opts.shard, plan: planned.map((c) => c.cellId) } } : {}),
      })
      writeFileSync(join(runDir, 'run.json'), JSON.stringify(manifest, null, 2) + '\n')
    }
    const previous = indexJournal((recorded ?? readJournal(journalPath)).records)
    if (opts.trainedCheckpoint) {
      // Train stage's resume path loads these weights, so the cell is evaluated exactly as the run that trained it evaluated it.
      for (const cell of cells) {
        if (!previous.checkpoints.has(cell.cellId))
          previous.checkpoints.set(cell.cellId, { type: 'checkpoint', cellId: cell.cellId, step: config.train.steps, dir: opts.trainedCheckpoint, hash: '' })
      }
    }
    return {
      runId,
      runDir,
      cells,
      pending: cells.filter((c) => !previous.cells.has(c.cellId)),
      data,
      splits,
      problems: { test, finetune: splits.finetune, ...(splits.validation.length > 0 ? { validation: splits.validation } : {}) },
      verifierData,
      journal: new Journal(journalPath),
      previous,
      lock,
    }
  }
}

/**
 * A journal with a bad line before its end (not the torn last record of a killed run, which
 * repairJournal cuts) cannot be resumed: what the line held is unknown, so the resumed run could
 * neither skip it nor redo it knowingly, and its reports (which read the journal strictly) would
 * fail after all the work. Refuses (BENCH_RUN_INVALID, exit 2) before any work, naming the lines.
 */
function refuseDamagedJournal(badLines: readonly BadLine[], journalPath: string, runDir: string): void {
  if (badLines.length === 0) return
  throw new BenchError(
    'BENCH_RUN_INVALID',
    [
      `cannot resume ${runDir}: its journal ${journalPath} has ${badLines.length} damaged line(s) before its end:`,
      ...badLines.slice(0, 5).map((b) => `  - line ${b.line}: ${b.message}`),
      ...(badLines.length > 5 ? [`  - … and ${badLines.length - 5} more`] : []),
      `Reports from the rest: bench report ${runDir} --skip-bad-lines. To finish the run, delete the damaged line(s) (a cell whose record they held runs again) and resume.`,
    ].join('\n'),
  )
}

/**
 * A resumed run re-reads its config file and data: when a task, model, verifier, strategy or
 * reporter now has another version or other options, a data file other bytes, or bonbench another
 * version, the rest of the run would not be the run recorded (a resumed run gives the numbers and
 * reports an uninterrupted one does). Refuses then (BENCH_USAGE), naming each difference. Also what
 * `bench run --resume <dir> --dry-run` checks.
 */
export function refuseChangedResume(runDir: string, registry: PluginRegistry, dataFiles: NonNullable<TaskData['files']>): void {
  const { provenance: recorded, cells } = readManifest(runDir)
  // Only what the cells use: a task or model the config loaded but no cell names need not be loaded again.
  const used = { harness: recorded.harness, plugins: usedByCells(recorded.plugins, cells) }
  const differences = [...loadedPluginMismatches(used, registry), ...dataFileMismatches(recorded.dataFiles, dataFiles)]
  if (differences.length === 0) return
  throw new BenchError(
    'BENCH_USAGE',
    [
      `cannot resume ${runDir}: the rest of it would not run what the run recorded in run.json:`,
      ...differences.map((d) => `  - ${d}`),
      'Restore what changed (the config file, the plugin, the data) and resume again, or start a new run.',
    ].join('\n'),
  )
}
