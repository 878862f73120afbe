import type { Command } from 'commander'
import { resolve } from 'node:path'
import { BenchError } from '../../core/errors.js'
import { setupRun } from '../../core/run/setup.js'
import { builtins } from '../builtins.js'
import { executeRun } from '../execute-run.js'
import { addEvaluationOptions, type EvaluationFlags, evaluationFlagsToConfig } from '../evaluation-options.js'
import { checkBackendApplies } from '../flag-applicability.js'
import { addExamples } from '../option-vocabulary.js'

interface EvalFlags extends EvaluationFlags {
  checkpoint: string
}

/** `bench eval --checkpoint <dir>`: evaluates a saved model exactly as `bench run` evaluates its cells. */
export function registerEval(program: Command): void {
  const command = program
    .command('eval')
    .description('evaluate a saved model checkpoint: one pool per test prompt, every metric over the N grid')
    .argument('[task]', 'task name (or matrix.task in the config)')
    .requiredOption('--checkpoint <dir>', 'a folder written by a model’s save() (e.g. <run-dir>/checkpoints/<cell>)')
  addExamples(addEvaluationOptions(command), [
    'bench eval math --checkpoint .bench/runs/<id>/checkpoints/<cell>',
    'bench eval toy --model tabular --checkpoint <dir> --n 1,2,4,8 --temperatures 0.7,1',
  ]).action(async (task: string | undefined, f: EvalFlags) => {
    const cwd = process.cwd()
    const flags = evaluationFlagsToConfig(task, f)
    const { config, registry } = await setupRun({
      cwd,
      configPath: f.config,
      command: 'eval',
      flags: { ...flags, matrix: { ...flags.matrix, strategies: [] } },
      builtins,
    })
    await checkBackendApplies(command, config, registry)
    if (config.strategies.length > 0)
      throw new BenchError('BENCH_USAGE', 'bench eval evaluates one checkpoint; remove matrix.strategies from the config or use bench run.')
    await executeRun({ config, registry }, { tui: f.tui, reports: f.reports, checkpoint: resolve(cwd, f.checkpoint) })
  })
}
