import { BenchError, isBenchError } from '../errors.js'
import type { ModelPlugin } from '../plugin-api/model.js'
import type { StrategyPlugin } from '../plugin-api/strategy.js'
import type { TaskPlugin } from '../plugin-api/task.js'
import type { VerifierPlugin } from '../plugin-api/verifier.js'
import type { ResolvedConfig } from '../config/resolve-config.js'
import { type PluginRegistry, shortName } from '../registry/registry.js'
import { strategyOfArm, usesTrainN } from './planner.js'

/** The plugins one run uses, resolved by name from the registry. */
export interface RunPlugins {
  task: TaskPlugin
  model: ModelPlugin
  /** The environment reward R: the task's reward verifier. */
  reward: VerifierPlugin
  /** The selector r (the reward verifier itself when none is configured). */
  selector: VerifierPlugin
  /** By the name used in the matrix (a strategy or a named arm), as configured (arm options applied, no K rule). */
  strategies: Map<string, StrategyPlugin>
  /**
   * The strategy a cell trains with: the matrix name's plugin, rebuilt with K = kPerN × N′ where
   * `train.kPerN` applies (strategies declaring `usesNTrain: true` whose options do not give `k`). One instance per
   * (name, N′), all built by {@link resolveRunPlugins}.
   */
  strategyFor(name: string, nTrain: number): StrategyPlugin
}

/** A verifier a task names (its `rewardVerifier` or `selector`): a missing one says which task and field name it. */
async function namedByTask(registry: PluginRegistry, name: string, task: string, field: 'rewardVerifier' | 'selector'): Promise<VerifierPlugin> {
  try {
    return await registry.get('verifier', name)
  } catch (error) {
    if (!isBenchError(error) || error.code !== 'BENCH_PLUGIN_NOT_FOUND') throw error
    throw new BenchError(error.code, `Task '${task}' names '${name}' as its ${field}, and it is not found: ${error.message}`, { cause: error })
  }
}

/** Resolves every plugin the matrix names; fails before any work when one is missing or misused. */
export async function resolveRunPlugins(config: ResolvedConfig, registry: PluginRegistry): Promise<RunPlugins> {
  const task = await registry.get('task', config.task)
  const model = await registry.get('model', config.model)
  const reward = await namedByTask(registry, task.rewardVerifier, task.name, 'rewardVerifier')
  const selectorName = config.verifier ?? task.selector
  const selector = selectorName
    ? await (config.verifier !== undefined ? registry.get('verifier', selectorName) : namedByTask(registry, selectorName, task.name, 'selector'))
    : reward
  const strategies = new Map<string, StrategyPlugin>()
  for (const name of config.strategies) strategies.set(name, await instantiateStrategy(config, registry, name, undefined))
  if (task.evaluationOnly && strategies.size > 0) {
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `Task '${task.name}' is evaluation-only (its licence forbids training on it), so it cannot be used with strategies (${config.strategies.join(', ')}). Evaluate a model on it without --strategies.`,
    )
  }
  // Every (name, N′) a cell can ask for is built now, so bad options fail before any work.
  const perCell = new Map<string, StrategyPlugin>()
  const id = (name: string, nTrain: number) => `${name}\0${nTrain}`
  for (const name of config.strategies) {
    // A strategy configured with its own `k` in the plugins list keeps it.
    if (!kRuleApplies(config, name, strategies.get(name)!) || (!config.arms?.[name] && strategies.get(name)!.options?.k !== undefined)) continue
    for (const n of config.arms?.[name]?.nTrain ?? config.nTrain)
      perCell.set(id(name, n), await instantiateStrategy(config, registry, name, config.train.kPerN! * n))
  }
  const strategyFor = (name: string, nTrain: number): StrategyPlugin => {
    const plugin = perCell.get(id(name, nTrain)) ?? strategies.get(name)
    if (!plugin) throw new BenchError('BENCH_RUN_INVALID', `No strategy '${name}' in this run's matrix.`)
    return plugin
  }
  return { task, model, reward, selector, strategies, strategyFor }
}

/**
 * Whether `train.kPerN` sets the K of this matrix name: its strategy has an N′ axis (declares
 * `usesNTrain: true`) and its arm options give no `k`.
 */
export function kRuleApplies(config: Pick<ResolvedConfig, 'train' | 'arms'>, name: string, strategy: Pick<StrategyPlugin, 'usesNTrain'>): boolean {
  if (config.train.kPerN === undefined || !usesTrainN(strategy)) return false
  const options = config.arms?.[name]?.options ?? {}
  return !('k' in options)
}

/**
 * The strategy plugin of a matrix name: a named arm's strategy built with the arm's options (and
 * `k`, when given), else the registry's plugin of that name (rebuilt with `k` when given). Options
 * need a built-in strategy (whose factory the registry holds); a third-party strategy can be an
 * arm without options.
 */
async function instantiateStrategy(config: ResolvedConfig, registry: PluginRegistry, name: string, k: number | undefined): Promise<StrategyPlugin> {
  const arm = config.arms?.[name]
  const plugin = await registry.get('strategy', strategyOfArm(name, config.arms))
  if (!arm?.options && k === undefined) return plugin
  const entry = registry.entry(plugin.name)
  const factory = entry?.source === 'built-in' ? await registry.builtinFactory(shortName(plugin.name)) : undefined
  const what = arm ? `matrix.arms.${name}` : `strategy '${name}'`
  if (!factory) {
    throw new BenchError(
      'BENCH_CONFIG_INVALID',
      `${what}: options (${arm?.options ? Object.keys(arm.options).join(', ') : 'k from train.kPerN'}) need a built-in strategy, but '${plugin.name}' comes from ${entry?.source ?? 'elsewhere'}. Give that plugin its options in the config's plugins list instead.`,
    )
  }
  const options = { ...(arm ? (arm.options ?? {}) : (plugin.options ?? {})), ...(k !== undefined ? { k } : {}) }
  try {
    return factory(options) as StrategyPlugin
  } catch (error) {
    if (error instanceof BenchError) throw new BenchError(error.code, `${what}: ${error.message}`, { cause: error })
    throw error
  }
}
