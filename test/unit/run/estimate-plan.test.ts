import { afterAll, describe, expect, it } from 'vitest'
import type { BackendName } from '../../../core/backend/backend-catalog.js'
import { resolveConfig } from '../../../core/config/resolve-config.js'
import { declaredCost, estimateWork } from '../../../core/run/estimate-plan.js'
import { recordMeasuredRates } from '../../../core/run/measured-rates.js'
import { rmSync } from 'node:fs'
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
      /^\d+ samples × ~\d+\+\d+ prompt\+completion tokens, \d+ sequences in \d+ steps trained, 1 cores, 2 s start-up, pretraining, training, evaluation at the model's declared throughput \(/,
    )
  })

  it('counts optimizer steps and sequences (pretraining apart) and prices them with the declared per-step and per-token costs', () => {
    expect(full.pretrainSequences).toBe(10 * config.train.pretrainBatch)
    expect(full.trainSteps).toBe(10 + 4)
    const work = {
      samples: 10,
      evalSamples: 6,
      trainSamples: 4,
      pretrainSequences: 8,
      pretrainSteps: 2,
      trainSequences: 12,
      trainSteps: 3,
      tokens: 10,
      promptTokens: 20,
    }
    const cost = declaredCost(work, { sampleTokensPerSecond: 100, trainTokensPerSecond: 60, trainStepSeconds: 0.5, sampleSeconds: 0.03 }, 2, 'declared')
    // pretraining: 2 steps × 0.5 s + 8 sequences × 30 tokens × 2 / 60 tokens/s
    expect(cost.pretrain.seconds).toBeCloseTo(1 + 8, 9)
    // training: 1 step × 0.5 s + 4 sequences × 30 × 2 / 60 + 4 samples × (0.03 s + (10 + 20/10) tokens / 100) / 2 cores
    expect(cost.train.seconds).toBeCloseTo(0.5 + 4 + 0.3, 9)
    expect(cost.eval.seconds).toBeCloseTo((6 * (0.03 + 0.12)) / 2, 9)
    // A warm-up is paid once by a run that samples, and not by one that draws nothing.
    const warm = { sampleTokensPerSecond: 100, trainTokensPerSecond: 60, warmupSeconds: 3 }
    expect(declaredCost(work, warm, 2, 'declared').eval.seconds).toBeCloseTo(3 + (6 * 0.12) / 2, 9)
    expect(declaredCost({ ...work, evalSamples: 0 }, warm, 2, 'declared').eval.seconds).toBe(0)
  })

  it('uses the rates a run measured for (model, task, backend, cores) in place of the declared ones, and names the run', () => {
    recordMeasuredRates(full.ratesPath, { pretrainSequence: { seconds: 0.01, runId: 'r1' }, evalSample: { seconds: 0.002, runId: 'r1' } })
    const measured = estimateWork(config, plugins(reward), data, cells)
    rmSync(full.ratesPath)
    expect(measured.basis).toContain('pretraining at rates measured by run r1 (0.0100 s each)')
    expect(measured.basis).toContain('evaluation at rates measured by run r1 (0.00200 s each)')
    expect(measured.basis).toMatch(/training at the model's declared throughput/)
    // Training (not measured) keeps its declared term: the rest is start-up plus the measured terms.
    const trainTerm = measured.estimatedSeconds - 2 - full.pretrainSequences * 0.01 - full.evalSamples * 0.002
    expect(trainTerm).toBeGreaterThan(0)
    expect(trainTerm).toBeLessThan(full.estimatedSeconds - 2)
    // Without the file the estimate is the declared one again.
    expect(estimateWork(config, plugins(reward), data, cells).estimatedSeconds).toBe(full.estimatedSeconds)
  })
})

describe('the measured-rates file: keyed by the backend the model runs on', () => {
  const on = (backend: BackendName) =>
    resolveConfig({
      cwd: cache.dir,
      fileConfig: {
        matrix: { task: 'toy', model: 'tiny-transformer', strategies: ['sft'], nGrid: [1, 2] },
        train: { steps: 4, pretrainSteps: 10 },
        concurrency: 1,
        backend,
      },
    })
  const withModel = (options: Record<string, unknown>): RunPlugins => ({ ...plugins(reward), model: builtins['tiny-transformer']!(options) as ModelPlugin })
  const cells = planCells(config)

  it('files a model whose own option names its backend under that one, not under what --backend auto would pick; refuses a --backend that differs', () => {
    expect(estimateWork(on('auto'), withModel({ backend: 'cpu' }), data, cells).ratesPath).toMatch(/-cpu-1\.json$/)
    // An option of auto picks nothing: --backend decides, and names the file.
    expect(estimateWork(on('cpu'), withModel({ backend: 'auto' }), data, cells).ratesPath).toMatch(/-cpu-1\.json$/)
    expect(() => estimateWork(on('wasm'), withModel({ backend: 'cpu' }), data, cells)).toThrow(
      expect.objectContaining({ code: 'BENCH_USAGE', message: expect.stringMatching(/'wasm'.*'cpu'/) }),
    )
  })

  it("files Dawn's null device apart from a real GPU's webgpu", () => {
    const saved = process.env.BENCH_DAWN_FLAGS
    try {
      process.env.BENCH_DAWN_FLAGS = 'backend=null'
      expect(estimateWork(on('webgpu'), withModel({}), data, cells).ratesPath).toMatch(/-webgpu-null-1\.json$/)
      delete process.env.BENCH_DAWN_FLAGS
      expect(estimateWork(on('webgpu'), withModel({}), data, cells).ratesPath).toMatch(/_toy-webgpu-1\.json$/)
    } finally {
      if (saved === undefined) delete process.env.BENCH_DAWN_FLAGS
      else process.env.BENCH_DAWN_FLAGS = saved
    }
  })
})
