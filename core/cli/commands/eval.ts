import type { Command } from 'commander'
import { resolve } from 'node:path'
import { BenchError } from '../../errors.js'
import { setupRun } from '../../run/setup.js'
import { executeRun } from '../execute-run.js'
import { parseNumber, parseNumberList } from '../parse-list.js'

interface EvalFlags {
  checkpoint: string
  config?: string
  model?: string
  n?: number[]
  temperatures?: number[]
  seeds?: number[]
  poolSize?: number
  verifier?: string
  testPrompts?: number
  data?: string
  concurrency?: number
  backend?: string
  runsDir?: string
  tui: boolean
  reports: boolean
}

/** `bench eval --checkpoint <dir>`: evaluates a saved model exactly as `bench run` evaluates its cells. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('evaluate a saved model checkpoint: one pool per test prompt, every metric over the N grid')
    .argument('[task]', 'task name (or matrix.task in the config)')
    .requiredOption('--checkpoint <dir>', 'a folder written by a model’s save() (e.g. <run-dir>/checkpoints/<cell>)')
    .option('-c, --config <file>', 'config file')
    .option('-m, --model <name>', 'the model plugin that wrote the checkpoint (default tiny-transformer)')
    .option('-n, --n <list>', 'N grid', parseNumberList('--n'))
    .option('-t, --temperatures <list>', 'sampling temperatures', parseNumberList('--temperatures'))
    .option('--seeds <list>', 'seeds', parseNumberList('--seeds'))
    .option('--pool-size <n>', 'samples per test prompt (default 2 × max N)', parseNumber('--pool-size'))
    .option('--verifier <name>', 'selector verifier BoN ranks by')
    .option('--test-prompts <n>', 'evaluate at most this many test prompts', parseNumber('--test-prompts'))
    .option('-d, --data <path>', 'data file for dataset-backed tasks')
    .option('--concurrency <n>', 'concurrency budget', parseNumber('--concurrency'))
    .option('--backend <name>', 'TensorFlow.js backend')
    .option('--runs-dir <dir>', 'where run directories go')
    .option('--no-tui', 'plain progress lines')
    .option('--no-reports', 'do not write reports into the run directory')
    .action(async (task: string | undefined, f: EvalFlags) => {
      const cwd = process.cwd()
      const { config, registry } = await setupRun({
        cwd, configPath: f.config, command: 'eval',
        flags: {
          matrix: { task, model: f.model, strategies: [], nGrid: f.n, temperatures: f.temperatures, seeds: f.seeds, poolSize: f.poolSize, verifier: f.verifier },
          eval: { testPrompts: f.testPrompts }, data: f.data, concurrency: f.concurrency, backend: f.backend, runsDir: f.runsDir,
        },
      })
      if (config.strategies.length > 0) throw new BenchError('BENCH_USAGE', 'bench eval evaluates one checkpoint; remove matrix.strategies from the config or use bench run.')
      await executeRun({ config, registry }, { tui: f.tui, reports: f.reports, checkpoint: resolve(cwd, f.checkpoint) })
    })
}
