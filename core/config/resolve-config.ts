import { dirname, resolve } from 'node:path'
import { BenchError } from '../errors.js'
import { presets } from '../presets/index.js'
import { bareName } from '../plugin-name.js'
import { shortName } from '../registry/registry.js'
import { resolveSelectionRules } from '../metrics/selection-rules.js'
import type { ArmConfig, EvalConfig, MatrixConfig, PluginRef, TrainConfig, UserConfig } from './types.js'
import { validateUserConfig } from './load-config.js'

/** The config a run uses: defaults applied, paths absolute, frozen before the run starts. */
export interface ResolvedConfig {
  readonly task: string
  readonly model: string
  readonly strategies: readonly string[]
  readonly nGrid: readonly number[]
  readonly nTrain: readonly number[]
  readonly temperatures: readonly number[]
  /** Base-only temperatures (inference only), none of them in `temperatures`, ascending. */
  readonly baseTemperatures: readonly number[]
  readonly seeds: readonly number[]
  readonly poolSize: number
  /** The selector verifier; undefined means the task's reward verifier (an oracle). */
  readonly verifier?: string
  /** Named arms (`matrix.arms`); absent when the config names none. */
  readonly arms?: Readonly<Record<string, ArmConfig>>
  /** The learning-rate axis (`matrix.learningRates`); absent when the config sets none. */
  readonly learningRates?: readonly number[]
  /** Cell order (`matrix.order`); absent: the default 'seed-first'. */
  readonly order?: MatrixConfig['order']
  readonly train: Readonly<Required<Omit<TrainConfig, OptionalTrainKey>> & Pick<TrainConfig, OptionalTrainKey>>
  /** `kl` stays as written (absent: on exactly when `train.evalEvery` is set; see {@link klEnabled}). */
  readonly eval: Readonly<
    Required<Omit<EvalConfig, 'testPrompts' | 'kl' | 'validationPrompts' | 'selectionRules'>> &
      Pick<EvalConfig, 'testPrompts' | 'kl' | 'validationPrompts' | 'selectionRules'>
  >
  readonly plugins: readonly PluginRef[]
  readonly data?: string
  readonly taskSeed: number
  readonly runsDir: string
  readonly cacheDir: string
  readonly concurrency?: number
  readonly backend: string
  /** Folder that relative plugin paths resolve against. */
  readonly baseDir: string
  readonly configFile?: string
  readonly preset?: string
}

/** Train settings without a default (absent unless the config sets them). */
type OptionalTrainKey =
  'learningRate' | 'learningRates' | 'pretrainLearningRate' | 'pretrainSteps' | 'evalEvery' | 'kPerN' | 'finetuneProblems' | 'checkpointEvery'

/** Built-in defaults, under every preset, config file and flag. */
export const defaults = {
  model: 'tiny-transformer',
  strategies: [] as string[],
  nGrid: [1, 2, 4, 8, 16, 32],
  nTrain: [4],
  temperatures: [1],
  seeds: [0],
  // Learning rates and pretraining steps default to the model's own (each model knows what suits it).
  train: { steps: 30, batchPrompts: 8, pretrainBatch: 32, lambda: 'kl-match' } satisfies TrainConfig,
  eval: { threshold: 1, bootstrap: 1000 },
  taskSeed: 1234,
  runsDir: '.bench/runs',
  cacheDir: '.bench/cache',
  backend: 'auto',
}

/**
 * Merges configs left to right: objects deeply, arrays and scalars replaced, undefined skipped —
 * except `plugins`, merged by plugin ({@link mergePluginLists}): a preset that names the task with
 * its options must not drop the model, server or task options a config file gives.
 */
export function mergeConfigs(...configs: Array<UserConfig | undefined>): UserConfig {
  const out: Record<string, unknown> = {}
  for (const config of configs) {
    if (!config) continue
    for (const [key, value] of Object.entries(config)) {
      if (value === undefined) continue
      const prev = out[key]
      if (key === 'plugins' && Array.isArray(prev) && Array.isArray(value)) out[key] = mergePluginLists(prev as PluginRef[], value as PluginRef[])
      else out[key] = isPlainObject(value) ? mergeConfigs(isPlainObject(prev) ? (prev as UserConfig) : {}, value as UserConfig) : value
    }
  }
  return out as UserConfig
}

/**
 * The plugin list of two layers, the later one winning plugin by plugin: an entry of `later` that
 * names a plugin of `earlier` (the same name or path; `math` and `bonbench:math` alike) takes its
 * place, its options merged over the earlier ones key by key as any config object; an inline
 * plugin object replaces the earlier one whole. Entries naming new plugins follow, in order.
 */
export function mergePluginLists(earlier: readonly PluginRef[], later: readonly PluginRef[]): PluginRef[] {
  const out = [...earlier]
  for (const ref of later) {
    const at = out.findIndex((prev) => pluginRefKey(prev) === pluginRefKey(ref))
    if (at < 0) out.push(ref)
    else out[at] = mergePluginRef(out[at]!, ref)
  }
  return out
}

/** What a plugin reference names: a path, a package or a plugin's name, `bonbench:` dropped (`math` is `bonbench:math`). */
function pluginRefKey(ref: PluginRef): string {
  const name = typeof ref === 'string' ? ref : Array.isArray(ref) ? ref[0] : String((ref as { name?: unknown }).name)
  return shortName(name)
}

function mergePluginRef(earlier: PluginRef, later: PluginRef): PluginRef {
  if (!Array.isArray(later) && typeof later !== 'string') return later
  if (!Array.isArray(earlier) && typeof earlier !== 'string') return later
  const name = typeof later === 'string' ? later : later[0]
  const options = mergeConfigs(optionsOf(earlier) as UserConfig, optionsOf(later) as UserConfig) as Record<string, unknown>
  return Object.keys(options).length > 0 ? [name, options] : name
}

function optionsOf(ref: string | [string, Record<string, unknown>]): Record<string, unknown> {
  return typeof ref === 'string' ? {} : ref[1]
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype
}

/**
 * Resolves the layers (default preset < config file < named preset < flags) into a frozen ResolvedConfig.
 * Throws BENCH_CONFIG_INVALID for a missing task or an unknown preset.
 */
export function resolveConfig(opts: { file?: string; cwd: string; fileConfig: UserConfig; flags?: UserConfig; preset?: string }): ResolvedConfig {
  let presetConfig: UserConfig | undefined
  if (opts.preset) {
    presetConfig = presets[opts.preset]
    if (!presetConfig) {
      throw new BenchError('BENCH_CONFIG_INVALID', `Unknown preset '${opts.preset}'. Presets: ${Object.keys(presets).join(', ')}.`)
    }
  }
  const flags = opts.flags ? validateUserConfig(opts.flags, 'the command-line flags') : undefined
  // A named preset overrides the config file, plugin by plugin for `plugins`; the implicit default
  // preset only fills its gaps: its plugin list (the main job's task) only when neither the file
  // nor the flags (a program's config) list plugins.
  const listsPlugins = opts.fileConfig.plugins !== undefined || flags?.plugins !== undefined
  const merged = opts.preset
    ? mergeConfigs(opts.fileConfig, presetConfig, flags)
    : mergeConfigs(listsPlugins ? { ...presets.default, plugins: undefined } : presets.default, opts.fileConfig, flags)
  const baseDir = opts.file ? dirname(opts.file) : opts.cwd
  const m = merged.matrix ?? {}
  if (!m.task) {
    throw new BenchError('BENCH_CONFIG_INVALID', 'No task given. Name one on the command line (bench run math) or set matrix.task in the config.')
  }
  const nGrid = [...new Set(m.nGrid ?? defaults.nGrid)].sort((a, b) => a - b)
  const poolSize = m.poolSize ?? 2 * nGrid[nGrid.length - 1]!
  if (poolSize < nGrid[nGrid.length - 1]!) {
    throw new BenchError(
      'BENCH_CONFIG_INVALID',
      `matrix.poolSize (${poolSize}) must be at least the largest N of the grid (${nGrid[nGrid.length - 1]}): every N is estimated from one pool.`,
    )
  }
  const temperatures = m.temperatures ?? defaults.temperatures
  const strategies = m.strategies ?? defaults.strategies
  const arms = m.arms
  for (const [name, arm] of Object.entries(arms ?? {})) {
    if (arm.learningRates && !m.learningRates)
      throw new BenchError(
        'BENCH_CONFIG_INVALID',
        `matrix.arms.${name}.learningRates needs a learning-rate axis: set matrix.learningRates too (the rates every other arm trains at).`,
      )
  }
  const unknownRates = Object.keys(merged.train?.learningRates ?? {}).filter((name) => !strategies.some((s) => s === name || bareName(s) === bareName(name)))
  if (unknownRates.length > 0) {
    throw new BenchError(
      'BENCH_CONFIG_INVALID',
      `train.learningRates names ${unknownRates.map((n) => `'${n}'`).join(', ')}, not a strategy of this run (${strategies.length > 0 ? strategies.join(', ') : 'none'}). Key it by one of the run's strategies, or add that strategy to matrix.strategies.`,
    )
  }
  // Checked here, so a bad rule stops the run before any work (the rules are resolved again where used).
  resolveSelectionRules(merged.eval?.selectionRules)
  const resolved: ResolvedConfig = {
    task: m.task,
    model: m.model ?? defaults.model,
    strategies,
    nGrid,
    nTrain: m.nTrain ?? defaults.nTrain,
    temperatures,
    baseTemperatures: [...new Set(m.baseTemperatures ?? [])].filter((t) => !temperatures.includes(t)).sort((a, b) => a - b),
    seeds: m.seeds ?? defaults.seeds,
    poolSize,
    verifier: m.verifier,
    ...(arms !== undefined ? { arms } : {}),
    ...(m.learningRates !== undefined ? { learningRates: [...new Set(m.learningRates)] } : {}),
    ...(m.order !== undefined ? { order: m.order } : {}),
    train: { ...defaults.train, ...merged.train } as ResolvedConfig['train'],
    eval: { ...defaults.eval, ...merged.eval },
    plugins: merged.plugins ?? [],
    data: opts.flags?.data ? resolve(opts.cwd, opts.flags.data) : merged.data ? resolve(baseDir, merged.data) : undefined,
    taskSeed: merged.taskSeed ?? defaults.taskSeed,
    runsDir: resolve(opts.cwd, merged.runsDir ?? defaults.runsDir),
    cacheDir: resolve(opts.cwd, merged.cacheDir ?? defaults.cacheDir),
    concurrency: merged.concurrency,
    backend: merged.backend ?? defaults.backend,
    baseDir,
    configFile: opts.file,
    preset: opts.preset,
  }
  return deepFreeze(resolved)
}

/** Freezes a config deeply (as `resolveConfig` does); plugin objects inside `plugins` stay unfrozen: they belong to their authors and may keep state. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'plugins') Object.freeze(child)
      else deepFreeze(child)
    }
  }
  return value
}

/**
 * The setting that gives a strategy (or named arm) a learning rate of its own, over
 * `train.learningRate`: its entry in `train.learningRates` (by the name the matrix gives it, or its
 * short name), else the arm's own `learningRate`; named as a config path, with its rate.
 */
function ownLearningRate(train: ResolvedConfig['train'], strategy: string, arms?: ResolvedConfig['arms']): { setting: string; rate: number } | undefined {
  const rates = Object.entries(train.learningRates ?? {})
  const entry = rates.find(([name]) => name === strategy) ?? rates.find(([name]) => bareName(name) === bareName(strategy))
  if (entry) return { setting: `train.learningRates.${entry[0]}`, rate: entry[1] }
  const own = arms?.[strategy]?.learningRate
  return own !== undefined ? { setting: `matrix.arms.${strategy}.learningRate`, rate: own } : undefined
}

/**
 * The learning rate a strategy (or named arm) trains with: its own ({@link ownLearningRate}), else
 * `train.learningRate`; undefined means the model's own. A cell on a learning-rate axis
 * (`matrix.learningRates`) trains at its key's rate instead: see {@link cellLearningRate}.
 */
export function learningRateFor(train: ResolvedConfig['train'], strategy: string, arms?: ResolvedConfig['arms']): number | undefined {
  return ownLearningRate(train, strategy, arms)?.rate ?? train.learningRate
}

/**
 * The config's settings that give some strategy of the run another rate than `rate` over
 * `train.learningRate` (see {@link learningRateFor}), one line each naming the setting and its value:
 * a learning-rate axis (`matrix.learningRates`), a `train.learningRates` entry, an arm's own
 * `learningRate`. `bench run --lr <rate>` sets `train.learningRate` and is refused when any is
 * there: the flag would not be the rate those strategies train at, while run.json records it.
 */
export function learningRateOverrides(config: Pick<ResolvedConfig, 'train' | 'arms' | 'learningRates' | 'strategies'>, rate: number): string[] {
  const out: string[] = []
  if (config.learningRates !== undefined)
    out.push(`matrix.learningRates (${config.learningRates.join(', ')}), a learning-rate axis, sets every trained cell's rate`)
  for (const strategy of config.strategies) {
    const own = ownLearningRate(config.train, strategy, config.arms)
    if (own && own.rate !== rate) out.push(`${own.setting} (${own.rate}) sets the rate of ${strategy}`)
  }
  return out
}

/** The learning rate of one cell: its key's (a learning-rate axis), else {@link learningRateFor}. */
export function cellLearningRate(config: Pick<ResolvedConfig, 'train' | 'arms'>, key: { strategy: string; learningRate?: number }): number | undefined {
  return key.learningRate ?? learningRateFor(config.train, key.strategy, config.arms)
}

/** Whether a run measures KL(π‖π_base): `eval.kl` when set, else exactly when `train.evalEvery` is set. */
export function klEnabled(config: Pick<ResolvedConfig, 'train' | 'eval'>): boolean {
  return config.eval.kl ?? config.train.evalEvery !== undefined
}
