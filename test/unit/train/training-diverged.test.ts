import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { UserConfig } from '../../../core/config/types.js'
import { checkUpdateStats } from '../../../core/plugin-api-checks/check-update.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { journalOf, onlyRunDir, tempProject, toyRunSetupWithPlugins } from '../../helpers/toy-run.js'

// A learning rate far too high makes the real tiny-transformer's weights NaN: its update() then
// returns loss NaN. That is a training that diverged, not a result: the cell used to journal
// `loss: null` steps, then failed in sample() blaming "a bug in the plugin" (its NaN logProbs), and a
// diverged pretraining would have been cached as the base model.

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

const tiny: UserConfig = {
  plugins: [['tiny-transformer', { layers: 1, width: 16, heads: 2, context: 32, maxWorkers: 1 }]],
  matrix: { model: 'tiny-transformer', strategies: ['sft', 'rl'], nGrid: [1, 2] },
  train: { steps: 3, batchPrompts: 2, pretrainSteps: 3, pretrainBatch: 2, learningRates: { sft: 1e30 } },
  eval: { testPrompts: 2 },
}

describe('a training that diverges', () => {
  it('fails its cell with BENCH_TRAINING_DIVERGED naming the cell, step, rate and fix; no NaN step is journaled, the other cells finish', async () => {
    const project = tempProject()
    cleanups.push(project.cleanup)
    const outcome = await runMatrix(await toyRunSetupWithPlugins(project.dir, { config: tiny }))
    const records = journalOf(outcome.runDir)
    const errors = records.filter((r) => r.type === 'error')
    expect(errors.map((e) => e.cellId)).toEqual(['sft-n1-t1-s1'])
    const message = (errors[0] as { message: string }).message
    expect(message).toContain("Training diverged: cell 'sft-n1-t1-s1' at step 1 (learning rate 1e+30)")
    expect(message).toContain('loss NaN')
    expect(message).toContain("Lower the learning rate (--lr, train.learningRate or train.learningRates['bonbench:sft'])")
    const steps = records.filter((r) => r.type === 'train')
    expect(steps.length).toBeGreaterThan(0)
    for (const r of steps) expect(Number.isFinite((r as { log: { loss: number } }).log.loss), JSON.stringify(r)).toBe(true)
    expect(outcome.results.map((r) => r.cellId)).toEqual(['base-n1-t1-s1', 'rl-n1-t1-s1'])
  }, 120_000)

  it('in pretraining stops the run with BENCH_TRAINING_DIVERGED and caches no base model', async () => {
    const project = tempProject()
    cleanups.push(project.cleanup)
    const config = { ...tiny, train: { ...tiny.train, learningRates: {}, pretrainLearningRate: 1e30 } }
    const run = runMatrix(await toyRunSetupWithPlugins(project.dir, { config }))
    await expect(run).rejects.toMatchObject({
      code: 'BENCH_TRAINING_DIVERGED',
      message: expect.stringContaining('Training diverged: the base model (pretraining) at step 1 (learning rate 1e+30)'),
    })
    await expect(run).rejects.toThrow('train.pretrainLearningRate')
    const models = join(project.dir, 'cache', 'models')
    expect(existsSync(models) ? readdirSync(models).filter((e) => !e.endsWith('.partial')) : []).toEqual([])
    const steps = journalOf(onlyRunDir(project.dir)).filter((r) => r.type === 'train')
    expect(steps.map((r) => (r as { log: { step: number } }).log.step)).toEqual([0])
    for (const r of steps) expect(Number.isFinite((r as { log: { loss: number } }).log.loss), JSON.stringify(r)).toBe(true)
  }, 120_000)
})

describe('checkUpdateStats', () => {
  const site = { training: "cell 'c'", step: 4, learningRate: 0.1, rateSetting: '--lr' }
  it('returns a finite answer as it is', () => {
    const stats = { loss: 1.5, gradNorm: 0.25, tokens: 12 }
    expect(checkUpdateStats('m', stats, site)).toBe(stats)
  })
  it.each([
    [undefined, 'expected an object { loss, gradNorm, tokens }, got undefined'],
    [{ loss: 1, gradNorm: 1 }, 'expected tokens to be a number, got undefined'],
    [{ loss: '1', gradNorm: 1, tokens: 1 }, 'expected loss to be a number, got the string "1"'],
    [{ loss: 1, gradNorm: 1, tokens: -1 }, 'expected tokens to be a finite count ≥ 0, got -1'],
  ])('a malformed answer %j is a contract breach of the model', (out, says) => {
    expect(() => checkUpdateStats('m', out, site)).toThrow(expect.objectContaining({ code: 'BENCH_PLUGIN_CONTRACT' }))
    expect(() => checkUpdateStats('m', out, site)).toThrow(`model plugin 'm' broke its contract in update() at step 4 of cell 'c': ${says}`)
  })
  it.each([
    [{ loss: Number.NaN, gradNorm: 1, tokens: 3 }, 'loss NaN and gradient norm 1'],
    [{ loss: 2, gradNorm: Number.POSITIVE_INFINITY, tokens: 3 }, 'loss 2 and gradient norm Infinity'],
    [{ loss: Number.NEGATIVE_INFINITY, gradNorm: 1, tokens: 3 }, 'loss -Infinity and gradient norm 1'],
  ])('a non-finite loss or gradient norm %j is a divergence', (out, says) => {
    expect(() => checkUpdateStats('m', out, site)).toThrow(expect.objectContaining({ code: 'BENCH_TRAINING_DIVERGED' }))
    expect(() => checkUpdateStats('m', out, site)).toThrow(says)
  })
})
