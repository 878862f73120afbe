import type { Command } from 'commander'
import { join } from 'node:path'
import { learningRateOverrides, type ResolvedConfig } from '../core/config/resolve-config.js'
import { BenchError } from '../core/errors.js'
import type { TaskData } from '../core/plugin-api/task.js'
import type { PluginRegistry } from '../core/registry/registry.js'
import { indexJournal } from '../core/run/journal-index.js'
import { readJournal } from '../core/run/journal.js'
import { readManifest } from '../core/run/manifest.js'
import { refuseChangedResume } from '../core/run/open-run.js'
import type { PlannedCell } from '../core/run/planner.js'
import { refuseWithResume } from './flag-applicability.js'
import { recordedConfigChanges } from './recorded-config.js'

// What `bench run` refuses before any work because a setting would silently not run: flags beside
// `--resume --config`, a config file that no longer gives what the run it locates recorded, `--lr`
// under a strategy's own rate; and what `--resume <dir> --dry-run` plans.

/**
 * `--resume --config <file>` takes what `--resume <dir>` takes, and what locates the run: the
 * file, `--runs-dir` (where to look, and where a new run goes when none is found) and
 * `--cache-dir` (a new run's cache; a cache never changes a result).
 */
export function refuseWithResumeByConfig(command: Command, task: string | undefined): void {
  refuseWithResume(command, task, ['config', 'runsDir', 'cacheDir'])
}

/**
 * `--resume --config <file>` found `runDir`: it goes on with the config the run recorded, so a file
 * that now gives another (edited since, or the run was started with flags) would silently not run.
 * Refuses then (BENCH_USAGE), naming each difference and both ways on.
 */
export function refuseChangedConfigFile(runDir: string, current: ResolvedConfig): void {
  const changes = recordedConfigChanges(readManifest(runDir).provenance.config, current)
  if (changes.length === 0) return
  throw new BenchError(
    'BENCH_USAGE',
    [
      `--resume --config ${current.configFile}: the run it found, ${runDir}, recorded another config than the file gives now:`,
      ...changes.map((c) => `  - ${c}`),
      `A run goes on with the config it recorded, so the file's settings would not run. To finish that run as recorded: bench run --resume ${runDir}. To run the file as it is now: drop --resume (a new run).`,
    ].join('\n'),
  )
}

/**
 * `--lr` sets `train.learningRate`, under a strategy's own rate in the config: refused (BENCH_USAGE)
 * when the config gives some strategy of the run another rate, naming both settings, since that
 * strategy would not train at the flag's rate while run.json records the flag's.
 */
export function refuseOverriddenLr(rate: number, config: Pick<ResolvedConfig, 'train' | 'arms' | 'learningRates' | 'strategies' | 'configFile'>): void {
  const overrides = learningRateOverrides(config, rate)
  if (overrides.length === 0) return
  const where = config.configFile ?? 'the config'
  throw new BenchError(
    'BENCH_USAGE',
    [
      `--lr ${rate} sets train.learningRate, but ${where} gives strategies their own rate over it, so they would not train at ${rate}:`,
      ...overrides.map((o) => `  - ${o}`),
      `Drop --lr (the config's rates apply), or remove ${overrides.length > 1 ? 'those settings' : 'that setting'} from ${where} to train every strategy at ${rate}.`,
    ].join('\n'),
  )
}

/**
 * What `bench run --resume <dir> --dry-run` plans: the planned `cells` its journal has not
 * finished (`pending`), after the check the resume runs before any work (core/run/open-run.ts):
 * a task, model, verifier, strategy or reporter loaded with another version or other options than
 * run.json records, or a data file with other bytes, is refused (BENCH_USAGE) naming each, as the
 * resume refuses it.
 */
export function resumePlan(runDir: string, registry: PluginRegistry, data: TaskData, cells: readonly PlannedCell[]): { pending: PlannedCell[] } {
  refuseChangedResume(runDir, registry, data.files ?? [])
  const finished = indexJournal(readJournal(join(runDir, 'journal.jsonl')).records).cells
  return { pending: cells.filter((c) => !finished.has(c.cellId)) }
}
