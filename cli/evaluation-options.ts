import type { Command } from 'commander'
import type { UserConfig } from '../core/config/types.js'
import { BACKEND_NAMES, type BackendName } from '../core/backend/backend-catalog.js'
import { deprecatedAlias } from './option-vocabulary.js'
import { choiceFlag, integerAtLeast, numberFlag, numberListFlag, temperature } from './parse-list.js'

/** The flags `bench run` and `bench eval` share: what is evaluated, and how. */
export interface EvaluationFlags {
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
  backend?: BackendName
  runsDir?: string
  tui: boolean
  reports: boolean
}

/** Adds the shared evaluation flags (with their --help text) to a command. */
export function addEvaluationOptions(command: Command): Command {
  command
    .option('-c, --config <file>', 'config file (default: bench.config.{ts,mjs,js,json} in the working directory)')
    .option('-m, --model <name>', 'model plugin (default: tiny-transformer)')
    .option('-n, --n <list>', 'test-time N grid, comma-separated integers ≥ 1, e.g. 1,2,4,8,16,32', numberListFlag('--n', 'N', integerAtLeast(1)))
    .option(
      '-t, --temperatures <list>',
      'sampling temperatures, comma-separated, each in (0, 10]',
      numberListFlag('--temperatures', 'temperature', temperature),
    )
    .option('--seeds <list>', 'seeds of training and sampling, comma-separated integers ≥ 0', numberListFlag('--seeds', 'seed', integerAtLeast(0)))
    .option('--pool-size <n>', 'samples per test prompt, ≥ the largest N (default: 2 × max N)', numberFlag('--pool-size', integerAtLeast(1), 'the pool size'))
    .option('--verifier <name>', "selector verifier that BoN ranks by (default: the task's own, else its reward, an oracle)")
    .option(
      '--test-prompts <n>',
      'evaluate at most this many test prompts (default: all)',
      numberFlag('--test-prompts', integerAtLeast(1), 'the number of test prompts'),
    )
    .option('-d, --data <path>', 'data file for dataset-backed tasks (gsm8k, math500, humaneval-js, …; see "Datasets" in the README)')
    .option(
      '--concurrency <n>',
      'concurrency budget shared by every pool (default: the core count)',
      numberFlag('--concurrency', integerAtLeast(1), 'the concurrency'),
    )
    .option(
      '--backend <name>',
      `TensorFlow.js backend of models that run on one: ${BACKEND_NAMES.join(', ')} (default: auto)`,
      choiceFlag('--backend', BACKEND_NAMES),
    )
    .option('--runs-dir <dir>', 'where run directories go (default: .bench/runs)')
    .option('--no-tui', 'plain progress lines instead of the live terminal UI')
    .option('--no-reports', 'do not write results.json, report.md and report.html into the run directory')
  return deprecatedAlias(command, '--seed <list>', 'seeds', '--seeds')
}

/** The shared flags as a config layer (undefined entries are skipped by the merge). */
export function evaluationFlagsToConfig(task: string | undefined, f: EvaluationFlags): UserConfig {
  return {
    matrix: { task, model: f.model, nGrid: f.n, temperatures: f.temperatures, seeds: f.seeds, poolSize: f.poolSize, verifier: f.verifier },
    eval: { testPrompts: f.testPrompts },
    data: f.data,
    concurrency: f.concurrency,
    backend: f.backend,
    runsDir: f.runsDir,
  }
}
