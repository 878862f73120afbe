import { afterAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../../core/config/resolve-config.js'
import { estimateWork } from '../../../core/run/estimate-plan.js'
import { planCells } from '../../../core/run/planner.js'
import type { RunPlugins } from '../../../core/run/run-plugins.js'
import type { ModelPlugin, StrategyPlugin, TaskData, TaskPlugin, VerifierPlugin } from '../../../core/plugin-api/index.js'
import { builtins } from '../../helpers/builtin-factories.js'
import { tempDir } from '../../e2e/cli-helper.js'

// The time estimate leaves out what a run skips (bench eval: pretraining, training) and counts a
// learned selector's preparation; its basis line names every term.
const cache = tempDir('bonbench-estimate-')
afterAll(() => cache.cleanup())
const config = resolveConfig({
  cwd: cache.dir,
  fileConfig: {
    matrix: { task: 'toy', model: 'tiny-transformer', strategies: ['sft'], nGrid: [1, 2] },
    train: { steps: 4, pretrainSteps: 10 },
    concurrency: 1,
  },
})
const task = builtins.toy!({ prompts: 8 }) as TaskPlugin
const data: TaskData = await task.load({ seed: 0 })
const reward = builtins['toy-answer']!({}) as VerifierPlugin
const plugins = (selector: VerifierPlugin): RunPlugins =>
  ({
    task,
    model: builtins['tiny-transformer']!({}) as ModelPlugin,
    reward,
    selector,
    strategies: new Map([['sft', builtins.sft!({}) as StrategyPlugin]]),
    strategyFor: () => builtins.sft!({}) as StrategyPlugin,
  }) as unknown as RunPlugins

describe('estimateWork', () => {
  const cells = planCells(config)
  const full = estimateWork(config, plugins(reward), data, cells)

  it('counts pretraining and training for a run; a checkpoint as the base skips pretraining, as the strategy cells skips training', () => {
    expect(full.trainSequences).toBe(10 * config.train.pretrainBatch + 4 * config.train.batchPrompts)
    const plain = estimateWork(config, plugins(reward), data, cells, { checkpoint: true })
    expect(plain.trainSequences).toBe(4 * config.train.batchPrompts)
    const trained = estimateWork(
      config,
      plugins(reward),
      data,
      cells.filter((c) => c.key.strategy !== 'base'),
      { trainedCheckpoint: true },
    )
    expect(trained.trainSamples).toBe(0)
    expect(trained.trainSequences).toBe(10 * config.train.pretrainBatch)
    expect(trained.estimatedSeconds).toBeLessThan(full.estimatedSeconds)
  })

  it("counts the samples a learned selector's prepare() draws, and says so in the basis", () => {
    const rewardModel = builtins['reward-model']!({ samplesPerPrompt: 3, maxPrompts: 5 }) as VerifierPlugin
    const learned = estimateWork(config, plugins(rewardModel), data, cells)
    expect(learned.estimatedSeconds).toBeGreaterThan(full.estimatedSeconds)
    expect(learned.basis).toContain(`${full.evalSamples + full.trainSamples + 15} samples (15 to prepare bonbench:reward-model)`)
    expect(full.basis).toMatch(
      /^\d+ samples × ~\d+ tokens at \d+ tokens\/s × 1 cores, \d+ sequences trained at \d+ tokens\/s, 2 s start-up; the model's declared throughput$/,
    )
  })
})
