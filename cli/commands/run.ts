import type { Command } from 'commander'
import { effectiveBackend } from '../../core/backend/model-backend.js'
import { BenchError } from '../../core/errors.js'
import { builtins } from '../builtins.js'
import type { StrategyPlugin } from '../../core/plugin-api/strategy.js'
import type { UserConfig } from '../../core/config/types.js'
import { recordedPreset, recordedToFlags, resumeConfigPath } from '../recorded-config.js'
import { refuseChangedConfigFile, refuseOverriddenLr, refuseWithResumeByConfig, resumePlan } from '../run-refusals.js'
import { checkNamedBackend, onRecordedBackend, readManifest } from '../../core/run/manifest.js'
import { findResumableRun } from '../../core/run/find-resumable.js'
import { executeRun } from '../execute-run.js'
import { estimatePlan, estimateWork, type PlanEstimate } from '../../core/run/estimate-plan.js'
import { baseModelSpec } from '../../core/run/base-model.js'
import { carveTrainSplits } from '../../core/run/data-splits.js'
import { canTrain } from '../../core/run/trainable.js'
import type { ResolvedConfig } from '../../core/config/resolve-config.js'
import type { PluginRegistry } from '../../core/registry/registry.js'
import type { RunPlugins } from '../../core/run/run-plugins.js'
import type { TaskData } from '../../core/plugin-api/task.js'
import { setupRun } from '../../core/run/setup.js'
import { checkRunNeeds } from '../../core/run/dry-run-checks.js'
import { integerAtLeast, nonNegative, numberFlag, numberListFlag, parseStringList, positive, temperature } from '../parse-list.js'
import { addExamples } from '../option-vocabulary.js'
import { checkBackendApplies, checkTrainFlagsApply, recordedModelOption, refuseWithResume, setupWithModelOptions } from '../flag-applicability.js'
import { connectQueue, DEFAULT_QUEUE_NAME, queueNameFor } from '../../core/queue/connection.js'
import type { PlannedCell } from '../../core/run/planner.js'
import { parseShard, type ShardSpec } from '../../core/run/shard.js'
import { addEvaluationOptions, type EvaluationFlags, evaluationFlagsToConfig } from '../evaluation-options.js'

interface RunFlags extends EvaluationFlags {
  preset?: string
  strategies?: string[]
  nTrain?: number[]
  baseTemperatures?: number[]
  steps?: number
  batchPrompts?: number
  lr?: number
  pretrainSteps?: number
  cacheDir?: string
  /** A run directory, or true (`--resume` alone, with `--config`): the newest run of that config file. */
  resume?: string | true
  dryRun?: boolean
  baseUrl?: string
  shard?: ShardSpec
  queue?: string
  requires?: string[]
  workerTimeout?: number
}

/** Turns flags into a config layer (undefined entries are skipped by the merge). */
export function flagsToConfig(task: string | undefined, f: RunFlags): UserConfig {
  const shared = evaluationFlagsToConfig(task, f)
  return {
    ...shared,
    matrix: { ...shared.matrix, strategies: f.strategies, nTrain: f.nTrain, baseTemperatures: f.baseTemperatures },
    train: { steps: f.steps, batchPrompts: f.batchPrompts, learningRate: f.lr, pretrainSteps: f.pretrainSteps },
    cacheDir: f.cacheDir,
  }
}

/**
 * The help's list of built-in strategies with the judge that picks their BoN winners (DESIGN §2.2),
 * read from the plugins' own `selection` so the help cannot disagree with them. Loads the
 * strategy modules: called only when `bench run` is dispatched (its help included).
 */
async function strategyJudgesHelp(): Promise<string> {
  const lines: string[] = []
  for (const [short, builtin] of Object.entries(builtins)) {
    if (builtin.kind !== 'strategy') continue
    const plugin = (await builtin.load())({}) as StrategyPlugin
    lines.push(`  ${short.padEnd(10)} ${plugin.selection}`)
  }
  return [
    '\nStrategies and their selection judge (reward: picks by the environment reward R; verifier: by the verifier score r; none: no picks):',
    ...lines,
    "  bon-rlb and bon-rlb-p with the option select: 'verifier' pick by r instead: BIASED, not the gradient of pass@N.",
  ].join('\n')
}

/** `bench run`: trains every strategy of the matrix from one base model and evaluates them all. */
export function registerRun(program: Command): void {
  // Help text is written synchronously: build it before commander dispatches to `run`.
  let judgesHelp = ''
  program.hook('preSubcommand', async (_program, sub) => {
    if (sub.name() === 'run' && judgesHelp === '') judgesHelp = await strategyJudgesHelp()
  })
  const command = program
    .command('run')
    .description('train and evaluate a matrix (strategy × N′ × temperature × seed) with exact Best-of-N metrics')
    .argument('[task]', 'task name, e.g. math, toy, gsm8k (or matrix.task in the config)')
    .option('-p, --preset <name>', 'named preset: quick, default, study, gpu (sized for one GPU: pass --backend webgpu)')
    .option('-s, --strategies <list>', 'strategies to train, comma-separated (e.g. bon-rl,sft)', parseStringList)
    .option(
      '--n-train <list>',
      'training N′ values for BoN-aware strategies, comma-separated integers ≥ 1',
      numberListFlag('--n-train', 'N′', integerAtLeast(1)),
    )
    .option(
      '--base-temperatures <list>',
      'extra temperatures in (0, 10] where only the base model is evaluated (co-scaling of N and T)',
      numberListFlag('--base-temperatures', 'temperature', temperature),
    )
    .option('--steps <n>', 'training steps per strategy cell, an integer ≥ 0', numberFlag('--steps', integerAtLeast(0), 'the step count'))
    .option('--batch-prompts <n>', 'prompts per training step, an integer ≥ 1', numberFlag('--batch-prompts', integerAtLeast(1), 'the batch size'))
    .option('--lr <rate>', 'learning rate of strategy training, > 0 (default: the model’s own)', numberFlag('--lr', positive, 'the learning rate'))
    .option(
      '--pretrain-steps <n>',
      'SFT steps that make the base model, an integer ≥ 0 (0: none; default: the model’s own)',
      numberFlag('--pretrain-steps', integerAtLeast(0), 'the step count'),
    )
    .option('--cache-dir <dir>', 'cache for base models and verifiers (default: .bench/cache)')
    .option(
      '--resume [run-dir]',
      'finish an interrupted run with its recorded config: skips every journaled record (takes no other config flag); alone with --config <file>: the newest run of that config under the runs folder, or a new one',
    )
    .option(
      '--dry-run',
      'print the plan (cells, samples to draw, estimated time) and exit; with --shard: that shard’s cells and estimate; with --queue: also what it would enqueue (nothing is)',
    )
    .option(
      '--base-url <url>',
      'API root of an OpenAI-compatible server for --model openai-compatible (its option baseUrl), e.g. http://127.0.0.1:8000/v1; with --resume: the server moved',
    )
    .option(
      '--queue <redis-url>',
      'queue mode: enqueue one job per cell on this Redis (redis://HOST:PORT/DB) for `bench worker`s; this process journals and reports',
    )
    .option('--requires <labels>', 'queue mode: capability labels a worker needs to take this run’s cells, comma-separated (e.g. gpu)', parseStringList)
    .option(
      '--worker-timeout <s>',
      'queue mode: stop (journal and jobs kept; --resume --queue re-attaches) when no worker has been connected for this many seconds while cells are left; 0: wait forever (default 600)',
      numberFlag('--worker-timeout', nonNegative, 'the seconds'),
    )
    .option('--shard <i/n>', 'run only the i-th of n disjoint, deterministic parts of the cells (join them with bench merge)', parseShard)
  addExamples(addEvaluationOptions(command), [
    'bench run math --strategies bon-rl,sft',
    'bench run toy --model tabular --n 1,2,4,8 --temperatures 0.7,1',
    'bench run math --preset quick --dry-run',
    'bench run --resume .bench/runs/<id>',
    'bench run math --model openai-compatible --base-url http://127.0.0.1:8000/v1 --verifier math-answer',
    'bench run toy --model tabular --shard 1/2   # and --shard 2/2 elsewhere; then bench merge <dir1> <dir2>',
  ])
    .addHelpText('after', () => judgesHelp)
    .action(async (task: string | undefined, flags: RunFlags) => {
      const cwd = process.cwd()
      // False: a resumed run recorded without a config file resumes without one (not with a bench.config.* added since).
      let configPath: string | false | undefined = flags.config
      let flagConfig = flagsToConfig(task, flags)
      let preset = flags.preset
      let checkpoint: string | undefined
      let trainedCheckpoint: string | undefined
      let shard = flags.shard
      let byConfig = false
      let recordedBaseUrl: string | undefined
      if (flags.resume === true) {
        // `--resume` alone: the newest run of this config file, else a new run of it. The file only
        // locates the run, so other config flags are refused as beside a run directory (they would
        // be ignored by the run found, and the same command must do the same before and after one exists).
        refuseWithResumeByConfig(command, task)
        const fresh = await setupRun({ cwd, configPath, preset, flags: flagConfig, command: 'run', builtins })
        if (!fresh.config.configFile)
          throw new BenchError('BENCH_USAGE', '--resume without a run directory needs --config <file>: it resumes the newest run of that config.')
        const found = findResumableRun(fresh.config.runsDir, fresh.config.configFile)
        if (found) refuseChangedConfigFile(found, fresh.config)
        process.stderr.write(found ? `resuming ${found}\n` : `no run of ${fresh.config.configFile} under ${fresh.config.runsDir} yet: starting one\n`)
        flags.resume = found
        byConfig = true
      }
      if (flags.resume) {
        if (!byConfig) refuseWithResume(command, task)
        // A resumed run reuses its recorded config; only the run directory comes from the flag.
        const { provenance, shard: recordedShard } = readManifest(flags.resume)
        // A shard run resumes as the same shard.
        shard = recordedShard ? { index: recordedShard.index, count: recordedShard.count } : undefined
        const recorded = provenance.config
        // A resumed `bench eval` run evaluates its checkpoint again, not a fresh base model.
        checkpoint = provenance.checkpoint
        trainedCheckpoint = provenance.trainedCheckpoint
        configPath = resumeConfigPath(recorded, cwd, flags.resume)
        preset = recordedPreset(recorded)
        flagConfig = recordedToFlags(recorded)
        recordedBaseUrl = recordedModelOption(recorded, 'baseUrl')
      }
      const baseUrl = flags.baseUrl ?? recordedBaseUrl
      if (flags.requires && !flags.queue) throw new BenchError('BENCH_USAGE', '--requires applies to queue mode only: add --queue redis://HOST:PORT/DB')
      if (flags.workerTimeout !== undefined && !flags.queue)
        throw new BenchError('BENCH_USAGE', '--worker-timeout applies to queue mode only: add --queue redis://HOST:PORT/DB')
      if (flags.queue && shard) throw new BenchError('BENCH_USAGE', '--shard and --queue do not go together: a queue spreads the cells itself')
      // Checked before any work: a run that cannot reach its queue creates nothing.
      const connection = flags.queue ? await connectQueue(flags.queue) : undefined
      const modelOptions = baseUrl !== undefined ? { baseUrl } : {}
      const { config, registry } = await setupWithModelOptions({ cwd, configPath, preset, flags: flagConfig, command: 'run', builtins }, modelOptions)
      await checkBackendApplies(command, config, registry)
      // A queued run's cells compute on workers, which check the backend themselves (a GPU one may be theirs only).
      if (!flags.queue) await checkBackendInstalled(config, registry, flags.resume)
      if (!flags.resume) await checkTrainFlagsApply(command, config, registry)
      if (flags.lr !== undefined) refuseOverriddenLr(flags.lr, config)
      if (flags.dryRun) {
        try {
          let unpretrained: UnpretrainedBase | undefined
          // A resume plans the cells its journal has not finished, after the checks the resume runs.
          let resumed: { estimate: PlanEstimate; finished: number; runDir: string } | undefined
          const resumeDir = flags.resume
          const check = (plugins: RunPlugins, data: TaskData, cells: PlannedCell[], resolved: ResolvedConfig) => {
            checkRunNeeds(plugins, data, cells, resolved)
            unpretrained = unpretrainedBase(resolved, plugins, data)
            if (resumeDir) {
              const left = resumePlan(resumeDir, registry, data, cells)
              resumed = { estimate: estimateWork(resolved, plugins, data, left.pending), finished: cells.length - left.pending.length, runDir: resumeDir }
            }
          }
          const whole = await estimatePlan(config, registry, { check, ...(shard ? { shard } : {}) })
          const plan = resumed ? { ...whole, ...resumed.estimate } : whole
          process.stdout.write(
            renderPlan(
              plan,
              config.poolSize,
              shard,
              unpretrained,
              resumed && { runDir: resumed.runDir, finished: resumed.finished, cells: whole.cells.length },
            ),
          )
          if (flags.queue)
            process.stdout.write(
              renderEnqueue(
                plan.cells,
                flags.queue,
                flags.requires ?? requiredLabels(effectiveBackend(await registry.get('model', config.model), config.backend)),
              ),
            )
        } finally {
          connection?.disconnect()
        }
        return
      }
      try {
        await executeRun(
          { config, registry },
          {
            tui: flags.tui,
            reports: flags.reports,
            resumeDir: flags.resume,
            checkpoint,
            trainedCheckpoint,
            ...(shard ? { shard } : {}),
            ...(connection && flags.queue
              ? {
                  queue: {
                    connection,
                    requires: flags.requires ?? requiredLabels(effectiveBackend(await registry.get('model', config.model), config.backend)),
                    shown: redactUrl(flags.queue),
                    ...(flags.workerTimeout !== undefined ? { workerTimeoutMs: flags.workerTimeout * 1000 } : {}),
                  },
                }
              : {}),
          },
        )
      } finally {
        connection?.disconnect()
      }
    })
}

/**
 * The backend the run computes on must be installed here, checked before the run directory is
 * created (or, resumed, before any work), the dry run included: a named one that is not (config
 * `backend`, `--backend`; for a resumed run, the one it recorded asking for, or the one `auto`
 * chose when it started: onRecordedBackend) is refused with BENCH_BACKEND_UNAVAILABLE (exit 2),
 * its install command and a fix that works for this command line.
 */
async function checkBackendInstalled(config: ResolvedConfig, registry: PluginRegistry, resumeDir: string | undefined): Promise<void> {
  const model = await registry.get('model', config.model)
  if (resumeDir === undefined) {
    checkNamedBackend(
      config,
      model,
      (missing) => `cannot start the run on ${missing}. Install it, or pass --backend auto to run on the best backend installed here.`,
    )
    return
  }
  onRecordedBackend(config, model, resumeDir)
  checkNamedBackend(
    config,
    model,
    (missing) =>
      `cannot resume ${resumeDir}: the run asked for ${missing}. Install it and resume, or resume where it is installed (--resume takes no --backend: on another backend the rest of the run would compute numbers that differ from those of its first part).`,
  )
}

/**
 * Backends that need a GPU: a queued run on one of them (the model's own `backend` option where it
 * names one, else the run's: core/backend/model-backend.ts) goes to workers labelled `gpu` unless
 * `--requires` says otherwise.
 */
function requiredLabels(backend: string): string[] {
  return ['tensorflow-gpu', 'webgpu'].includes(backend) ? ['gpu'] : []
}

/** Why a run will not pretrain a model that can train: what the run itself does and says (core/run/prepare-base.ts). */
export type UnpretrainedBase = { why: 'no-experts'; task: string } | { why: 'zero-steps' }

/**
 * Whether the run pretrains its base model, by the rule the run uses (baseModelSpec over the same
 * pretraining split): a model that trains gets 0 pretraining steps when the config asks for none
 * (`zero-steps`) or when no problem it would pretrain on has an expert solution (`no-experts`: the
 * run warns "base model: not pretrained — task … has no expert solutions"). Undefined when it
 * pretrains, or when the model cannot train (the plan says so itself).
 */
export function unpretrainedBase(config: ResolvedConfig, plugins: Pick<RunPlugins, 'model' | 'task'>, data: TaskData): UnpretrainedBase | undefined {
  if (!canTrain(plugins.model)) return undefined
  const splits = carveTrainSplits(data.train, data.test, {
    taskSeed: config.taskSeed,
    validation: config.eval.validationPrompts,
    finetune: config.train.finetuneProblems,
  })
  const spec = baseModelSpec(config, plugins.model, plugins.task, data, splits.carved ? splits.pretrain : undefined)
  if (spec.pretrainSteps > 0) return undefined
  // 0 steps asked, or the model's default (tabular's is 0) where the task has expert solutions; else none to pretrain on.
  const experts = (splits.carved ? splits.pretrain : data.train).some((p) => p.expert !== undefined)
  return config.train.pretrainSteps === 0 || experts ? { why: 'zero-steps' } : { why: 'no-experts', task: plugins.task.name }
}

/** The dry run's `base model:` line: what the run will do with the base model. */
export function baseModelLine(plan: Pick<PlanEstimate, 'modelTrains' | 'baseModelCached' | 'basePretrainedSteps'>, unpretrained?: UnpretrainedBase): string {
  if (!plan.modelTrains) return 'created as it is (the model cannot train: no pretraining)'
  if (unpretrained?.why === 'no-experts')
    return `not pretrained — task '${unpretrained.task}' has no expert solutions (problem.expert) to pretrain on; the untrained model is ${plan.baseModelCached ? 'loaded from the cache' : 'created, then cached'}`
  if (plan.baseModelCached) return 'in the cache (loaded, no pretraining)'
  if (unpretrained?.why === 'zero-steps') return 'created untrained (0 pretraining steps), then cached'
  return plan.basePretrainedSteps > 0
    ? `partly pretrained in the cache (step ${plan.basePretrainedSteps}): pretraining continues from there, then cached`
    : 'pretrained first, then cached'
}

function renderPlan(
  plan: Awaited<ReturnType<typeof estimatePlan>>,
  poolSize: number,
  shard?: ShardSpec,
  unpretrained?: UnpretrainedBase,
  resumed?: { runDir: string; finished: number; cells: number },
): string {
  const lines = [
    resumed
      ? `plan: resuming ${resumed.runDir}${shard ? ` (shard ${shard.index}/${shard.count})` : ''}: ${plan.cells.length} of its ${resumed.cells} cells left, ${resumed.finished} finished (reused from the journal; the estimate below is the cells left)`
      : shard
        ? `plan: shard ${shard.index}/${shard.count}: ${plan.cells.length} of ${plan.totalCells ?? plan.cells.length} cells (the estimate below is this shard's)`
        : `plan: ${plan.cells.length} cells`,
    ...plan.cells.map((c) => `  ${c.cellId.padEnd(28)} strategy=${c.key.strategy} N'=${c.key.nTrain} T=${c.key.temperature} seed=${c.key.seed}`),
    ...(plan.warnings ?? []).map((w) => `warning: ${w}`),
    `test prompts: ${plan.testPrompts} × pool ${poolSize} per cell; train prompts: ${plan.trainPrompts}`,
    `samples to draw: ${plan.evalSamples + plan.trainSamples} (evaluation ${plan.evalSamples}, training ${plan.trainSamples})`,
    `base model: ${baseModelLine(plan, unpretrained)}`,
    `sequences trained: ${plan.trainSequences}`,
    `estimated time: ${formatSeconds(plan.estimatedSeconds)} (rough)`,
    `estimate basis: ${plan.basis}`,
  ]
  return lines.join('\n') + '\n'
}

/** What `--dry-run --queue` would enqueue (a new run; nothing is sent to Redis). */
function renderEnqueue(cells: readonly PlannedCell[], url: string, requires: readonly string[]): string {
  const queue = queueNameFor(DEFAULT_QUEUE_NAME, requires)
  const [first, ...rest] = cells
  const lines = [
    `queue: would enqueue ${cells.length} jobs (one per cell) on queue '${queue}' at ${redactUrl(url)}; nothing was enqueued`,
    ...(first
      ? [
          `  first, alone: ${first.cellId} (its worker builds the base model and prepares the selector into the shared cache)`,
          `  then, once it is done: the other ${rest.length}`,
        ]
      : []),
    requires.length > 0 ? `  taken only by workers started with --labels ${requires.join(',')}` : '  taken by any `bench worker --queue` on this Redis',
  ]
  return lines.join('\n') + '\n'
}

/** A Redis URL without its password (printed). */
function redactUrl(value: string): string {
  const url = new URL(value)
  if (url.password) url.password = '***'
  return url.toString()
}

function formatSeconds(s: number): string {
  if (s < 90) return `${Math.max(1, Math.round(s))} s`
  if (s < 5400) return `${Math.round(s / 60)} min`
  return `${(s / 3600).toFixed(1)} h`
}
