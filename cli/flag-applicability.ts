import type { Command } from 'commander'
import type { ResolvedConfig } from '../core/config/resolve-config.js'
import { BenchError } from '../core/errors.js'
import type { PluginRegistry } from '../core/registry/registry.js'
import { bareName } from '../core/plugin-name.js'
import { type RunSetup, setupRun } from '../core/run/setup.js'
import { strategyOfArm, usesTrainN } from '../core/run/planner.js'

/** The flags given on the command line (not defaults), as written: `--n`, `--temperatures`, … */
function givenFlags(command: Command, except: ReadonlySet<string>): string[] {
  return command.options
    .filter((o) => command.getOptionValueSource(o.attributeName()) === 'cli' && !except.has(o.attributeName()))
    .map((o) => o.long ?? o.short ?? o.attributeName())
}

/** What `--resume` may be combined with: it reuses the run's recorded config, so nothing else applies (`--base-url` says where the same server now listens; `--queue` where to send its remaining cells, `--worker-timeout` how long to wait for a worker there). */
const RESUME_ALLOWS = new Set(['resume', 'tui', 'reports', 'dryRun', 'baseUrl', 'queue', 'workerTimeout'])

/**
 * `bench run --resume <dir>` runs with the config recorded in the run directory: a task or a
 * config flag given beside it would be ignored, so it is a usage error naming them. `alsoAllowed`:
 * options (by attribute name) the caller takes beside --resume (what locates the run).
 */
export function refuseWithResume(command: Command, task: string | undefined, alsoAllowed: readonly string[] = []): void {
  const given = givenFlags(command, new Set([...RESUME_ALLOWS, ...alsoAllowed]))
  if (task !== undefined) given.unshift(`the task '${task}'`)
  if (given.length > 0) {
    throw new BenchError(
      'BENCH_USAGE',
      `--resume continues a run with its recorded config, so ${given.join(', ')} would be ignored; drop ${given.length > 1 ? 'them' : 'it'}, or start a new run without --resume.`,
    )
  }
}

/**
 * `--backend` names a TensorFlow.js backend: given for a model that declares it runs on none
 * (`usesBackend: false`, e.g. tabular), it would be ignored, so it is a usage error.
 */
export async function checkBackendApplies(command: Command, config: ResolvedConfig, registry: PluginRegistry): Promise<void> {
  if (command.getOptionValueSource('backend') !== 'cli') return
  const model = await registry.get('model', config.model)
  if (model.usesBackend === false) {
    throw new BenchError(
      'BENCH_USAGE',
      `--backend does not apply to the model ${model.name}: it runs on no TensorFlow.js backend. Drop --backend, or choose a model that uses one (e.g. --model tiny-transformer).`,
    )
  }
}

/**
 * `setupRun` with options for the run's model given by flags (`--base-url` → `baseUrl`). A model
 * whose options do not take them (BENCH_PLUGIN_OPTIONS naming the key) makes it a usage error
 * that names the flag and the models it applies to.
 */
export async function setupWithModelOptions(opts: Parameters<typeof setupRun>[0], modelOptions: Record<string, unknown>): Promise<RunSetup> {
  try {
    return await setupRun({ ...opts, modelOptions })
  } catch (error) {
    if (modelOptions.baseUrl !== undefined && error instanceof BenchError && error.code === 'BENCH_PLUGIN_OPTIONS' && error.message.includes('baseUrl'))
      throw new BenchError('BENCH_USAGE', `--base-url applies to a model served over HTTP (--model openai-compatible): ${error.message}`, { cause: error })
    throw error
  }
}

/** An option of the run's model as run.json recorded it (its `[model, options]` entry in the resolved config's plugins). */
export function recordedModelOption(recorded: Record<string, unknown>, key: string): string | undefined {
  const model = typeof recorded.model === 'string' ? bareName(recorded.model) : undefined
  const plugins = Array.isArray(recorded.plugins) ? (recorded.plugins as unknown[]) : []
  for (const ref of plugins) {
    if (Array.isArray(ref) && typeof ref[0] === 'string' && bareName(ref[0]) === model) {
      const value = (ref[1] as Record<string, unknown> | undefined)?.[key]
      if (typeof value === 'string') return value
    }
  }
  return undefined
}

/**
 * Training flags that would be ignored by the strategies the run trains: `--n-train` when none of
 * them trains at N′ other than 1 (none declares `usesNTrain`), `--steps`, `--lr` and `--n-train`
 * when the run trains no strategy (the base model alone). A usage error naming the flag and why.
 */
export async function checkTrainFlagsApply(command: Command, config: Pick<ResolvedConfig, 'strategies' | 'arms'>, registry: PluginRegistry): Promise<void> {
  const given = (name: string) => command.getOptionValueSource(name) === 'cli'
  const flags = [
    ['steps', '--steps'],
    ['lr', '--lr'],
    ['nTrain', '--n-train'],
  ]
    .filter(([name]) => given(name!))
    .map(([, flag]) => flag!)
  if (flags.length === 0) return
  if (config.strategies.length === 0)
    throw new BenchError(
      'BENCH_USAGE',
      `${flags.join(', ')} ${flags.length > 1 ? 'apply' : 'applies'} to strategy training, and this run trains no strategy (only the base model is evaluated): drop ${flags.length > 1 ? 'them' : 'it'}, or name strategies with --strategies.`,
    )
  if (!given('nTrain')) return
  const strategies = await Promise.all(config.strategies.map(async (name) => registry.get('strategy', strategyOfArm(name, config.arms))))
  if (strategies.some((s) => usesTrainN(s))) return
  throw new BenchError(
    'BENCH_USAGE',
    `--n-train sets N′, the N a Best-of-N-aware strategy trains for, and none of this run's strategies (${config.strategies.join(', ')}) trains at N′ other than 1: drop --n-train, or add one that does (bon-rl, bon-rlb, bon-sft, …).`,
  )
}
