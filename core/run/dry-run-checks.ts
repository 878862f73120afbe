import { BenchError } from '../errors.js'
import type { TaskData } from '../plugin-api/task.js'
import type { ResolvedConfig } from '../config/resolve-config.js'
import { pretrainingProblem } from './base-model.js'
import type { PlannedCell } from './planner.js'
import type { RunPlugins } from './run-plugins.js'
import { strategyNeeds } from '../plugin-api-checks/check-weights.js'
import { isPluginContractError } from '../plugin-api-checks/contract-error.js'
import { canTrain, untrainableModelProblem } from './trainable.js'

/**
 * What `bench run --dry-run` can know before any training, beyond what loading the config and the
 * plugins already checked (plugin names and options, the data file read by the task): that every
 * cell's strategy gets what it needs from this task, that the model can train when a cell trains
 * ({@link canTrain}), and that pretraining asked for can run (with `config`). Returns one line per
 * problem, each naming the cell, the strategy (or the model) and the fix; empty when the plan can run.
 * A strategy whose `needs()` throws or breaks its contract is one such line per cell (the
 * BENCH_PLUGIN_CONTRACT message of {@link strategyNeeds}, after the cell).
 */
export function runNeedsProblems(plugins: RunPlugins, data: TaskData, cells: PlannedCell[], config?: Pick<ResolvedConfig, 'train'>): string[] {
  const problems: string[] = []
  const task = plugins.task.name
  if (data.test.length === 0) return [noTestProblems(task, data)]
  const trained = cells.filter((c) => c.key.strategy !== 'base')
  if (trained.length > 0 && data.train.length === 0) {
    problems.push(
      `task '${task}' has no training problems, so no strategy can train on it (cells ${trained.map((c) => c.cellId).join(', ')}). Fix: evaluate without --strategies, or use a task (or --data) with a training split.`,
    )
    return problems
  }
  // A sampling-only model: every trained cell fails the same way, whatever its strategy needs.
  if (trained.length > 0 && !canTrain(plugins.model))
    return [
      untrainableModelProblem(
        plugins.model,
        trained.map((c) => c.cellId),
      ),
    ]
  const pretraining = config && pretrainingProblem(config, plugins.model, plugins.task, data)
  if (pretraining) problems.push(pretraining)
  const lacking = data.train.filter((p) => p.expert === undefined).length
  for (const cell of trained) {
    const strategy = plugins.strategies.get(cell.key.strategy)
    if (!strategy) continue
    let needs
    try {
      needs = strategyNeeds(strategy, cell.key.nTrain)
    } catch (error) {
      // A needs() that throws or answers garbage: a broken plugin, named with the cell it breaks.
      if (!isPluginContractError(error)) throw error
      problems.push(`cell ${cell.cellId}: ${(error as Error).message}`)
      continue
    }
    if (needs.expert && lacking > 0) {
      problems.push(
        `cell ${cell.cellId}: strategy '${strategy.name}' needs an expert solution (problem.expert) for every training problem, but ${lacking} of the ${data.train.length} training problems of task '${task}' have none. ` +
          `Fix: drop ${cell.key.strategy} from --strategies (strategies that learn from samples: rl, bon-rl, bon-rlb, …), or use a task whose problems carry \`expert\`.`,
      )
    }
  }
  return problems
}

/** Why a task without test problems cannot run (the dry run and the run say the same), naming its data files. */
export function noTestProblems(task: string, data: TaskData): string {
  const files = (data.files ?? []).map((f) => f.path)
  return `task '${task}' has no test problems to evaluate${files.length > 0 ? ` (its data: ${files.join(', ')})` : ''}. Fix: give a data file (--data) that holds the task's test split, or use another task.`
}

/** Throws a BENCH_RUN_INVALID error listing every problem {@link runNeedsProblems} finds. */
export function checkRunNeeds(plugins: RunPlugins, data: TaskData, cells: PlannedCell[], config?: Pick<ResolvedConfig, 'train'>): void {
  const problems = runNeedsProblems(plugins, data, cells, config)
  if (problems.length === 0) return
  throw new BenchError('BENCH_RUN_INVALID', `The plan cannot run as configured:\n  ${problems.join('\n  ')}`)
}
