import type { ResolvedConfig } from '../config/resolve-config.js'
import type { PluginRegistry } from '../registry/registry.js'
import { type PlannedCell, planCells } from './planner.js'
import { resolveRunPlugins } from './run-plugins.js'
import { effectivePretrainSteps } from './run-matrix.js'

/** What `bench run --dry-run` prints. */
export interface PlanEstimate {
  cells: PlannedCell[]
  testPrompts: number
  trainPrompts: number
  /** Evaluation pool samples over all cells. */
  evalSamples: number
  /** Policy and reference samples drawn while training. */
  trainSamples: number
  /** Sequences trained on (pretraining included). */
  trainSequences: number
  estimatedSeconds: number
}

/**
 * Counts the work of a plan without running it: loads the task (to count prompts) and asks each
 * strategy what it needs. Time uses the model's declared throughput and the task's max tokens.
 */
export async function estimatePlan(config: ResolvedConfig, registry: PluginRegistry): Promise<PlanEstimate> {
  const plugins = resolveRunPlugins(config, registry)
  const data = await plugins.task.load({ seed: config.taskSeed, dataPath: config.data })
  const testPrompts = Math.min(data.test.length, config.eval.testPrompts ?? Infinity)
  const cells = planCells(config)
  let trainSamples = 0
  let trainSequences = effectivePretrainSteps(config, plugins.model) * config.train.pretrainBatch
  for (const cell of cells) {
    if (cell.key.strategy === 'base') continue
    const needs = plugins.strategies.get(cell.key.strategy)!.needs({ nTrain: cell.key.nTrain })
    const perPrompt = needs.policySamples + (needs.referenceSamples ?? 0)
    trainSamples += config.train.steps * config.train.batchPrompts * perPrompt
    trainSequences += config.train.steps * config.train.batchPrompts * (needs.policySamples + (needs.expert ? 1 : 0))
  }
  const evalSamples = cells.length * testPrompts * config.poolSize
  const tokens = plugins.task.generation?.maxTokens ?? 32
  const speed = plugins.model.throughput ?? { sampleTokensPerSecond: 10_000, trainTokensPerSecond: 5_000 }
  const cores = Math.max(1, config.concurrency ?? 1)
  const estimatedSeconds = ((evalSamples + trainSamples) * tokens) / (speed.sampleTokensPerSecond * cores) + (trainSequences * tokens * 2) / speed.trainTokensPerSecond
  return { cells, testPrompts, trainPrompts: data.train.length, evalSamples, trainSamples, trainSequences, estimatedSeconds }
}
