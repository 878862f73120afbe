import { BenchError } from '../errors.js'
import type { ModelPlugin } from '../plugin-api/model.js'
import type { StrategyPlugin } from '../plugin-api/strategy.js'
import type { TaskPlugin } from '../plugin-api/task.js'
import type { VerifierPlugin } from '../plugin-api/verifier.js'
import type { ResolvedConfig } from '../config/resolve-config.js'
import type { PluginRegistry } from '../registry/registry.js'

/** The plugins one run uses, resolved by name from the registry. */
export interface RunPlugins {
  task: TaskPlugin
  model: ModelPlugin
  /** The environment reward R: the task's reward verifier. */
  reward: VerifierPlugin
  /** The selector r (the reward verifier itself when none is configured). */
  selector: VerifierPlugin
  /** By the name used in the matrix. */
  strategies: Map<string, StrategyPlugin>
}

/** Resolves every plugin the matrix names; fails before any work when one is missing or misused. */
export async function resolveRunPlugins(config: ResolvedConfig, registry: PluginRegistry): Promise<RunPlugins> {
  const task = await registry.get('task', config.task)
  const model = await registry.get('model', config.model)
  const reward = await registry.get('verifier', task.rewardVerifier)
  const selectorName = config.verifier ?? task.selector
  const selector = selectorName ? await registry.get('verifier', selectorName) : reward
  const strategies = new Map<string, StrategyPlugin>()
  for (const name of config.strategies) strategies.set(name, await registry.get('strategy', name))
  if (task.evaluationOnly && strategies.size > 0) {
    throw new BenchError('BENCH_RUN_INVALID', `Task '${task.name}' is evaluation-only (its licence forbids training on it), so it cannot be used with strategies (${config.strategies.join(', ')}). Evaluate a model on it without --strategies.`)
  }
  return { task, model, reward, selector, strategies }
}
