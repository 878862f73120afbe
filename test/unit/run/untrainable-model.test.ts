import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { answerListModel } from '../../../docs/examples/answer-list-model.js'
import type { RunEvent } from '../../../core/events.js'
import type { ModelPlugin, TaskPlugin } from '../../../core/plugin-api/index.js'
import { pretrainingProblem } from '../../../core/run/base-model.js'
import { checkRunNeeds } from '../../../core/run/dry-run-checks.js'
import { estimatePlan } from '../../../core/run/estimate-plan.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { canTrain } from '../../../core/run/trainable.js'
import { builtins } from '../../helpers/builtin-factories.js'
import { journalOf, tempProject, toyRunSetup } from '../../helpers/toy-run.js'

// A sampling-only model (no update/clone/save, no plugin `load`: docs/examples/answer-list-model.ts,
// the built-in replay and openai-compatible) cannot train. The dry run refuses a cell that trains
// with it (naming the cell, the model and the fix), a run fails such a cell with the same words
// (not "has no clone()"), and neither the estimate nor the run pretrains it: no pretraining
// sequences, no `pretrain` phase, no pretraining rate recorded — even when a preset asks for steps.
const project = tempProject('bonbench-untrainable-')
afterAll(() => project.cleanup())
const answerList = answerListModel() as ModelPlugin
// What a preset (quick: 200 steps) asks of every model.
const presetLike = { train: { pretrainSteps: 20 } }

describe('a model that cannot train', () => {
  it('canTrain: the trainable built-ins can, the sampling-only models cannot', () => {
    expect(canTrain(builtins['tiny-transformer']!({}) as ModelPlugin)).toBe(true)
    expect(canTrain(builtins.tabular!({}) as ModelPlugin)).toBe(true)
    expect(canTrain(builtins.replay!({}) as ModelPlugin)).toBe(false)
    expect(canTrain(builtins['openai-compatible']!({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm' }) as ModelPlugin)).toBe(false)
    expect(canTrain(answerList)).toBe(false)
    // With the instance: fine-tuning also needs update() and clone() on it.
    expect(canTrain(builtins.tabular!({}) as ModelPlugin, { update: async () => ({ loss: 0, gradNorm: 0, tokens: 0 }) })).toBe(false)
  })

  it('--dry-run refuses a cell that trains, naming the cell, the model and the fix; evaluating it alone passes', async () => {
    const { config, registry } = toyRunSetup(join(project.dir, 'dry'), {
      plugins: [answerList],
      config: { ...presetLike, matrix: { model: 'my-lab/answer-list', strategies: ['rl'], nGrid: [1] } },
    })
    const refused = estimatePlan(config, registry, { check: checkRunNeeds })
    await expect(refused).rejects.toMatchObject({ code: 'BENCH_RUN_INVALID' })
    const message = ((await refused.catch((e: unknown) => e)) as Error).message
    expect(message).toContain("cell rl-n1-t1-s1: model 'my-lab/answer-list' cannot train")
    expect(message).toContain('Fix: use a trainable model (--model tiny-transformer or tabular), or evaluate this model only: no --strategies')
    expect(message).not.toContain('base-n1-t1-s1')

    const evalOnly = toyRunSetup(join(project.dir, 'dry-eval'), {
      plugins: [answerList],
      config: { ...presetLike, matrix: { model: 'my-lab/answer-list', strategies: [] } },
    })
    const plan = await estimatePlan(evalOnly.config, evalOnly.registry, { check: checkRunNeeds })
    expect(plan.modelTrains).toBe(false)
  })

  it('the estimate counts no pretraining (a preset asking for steps or not) and no training of cells that cannot train', async () => {
    const { config, registry } = toyRunSetup(join(project.dir, 'estimate'), {
      plugins: [answerList],
      config: { ...presetLike, matrix: { model: 'my-lab/answer-list', strategies: ['rl'], nGrid: [1] } },
    })
    const plan = await estimatePlan(config, registry)
    expect(plan).toMatchObject({ pretrainSequences: 0, trainSequences: 0, trainSteps: 0, trainSamples: 0, modelTrains: false })
    expect(plan.basis).not.toContain('pretraining')
    // The same plan with a trainable model counts both (the rule is the model's, not the config's).
    const trainable = toyRunSetup(join(project.dir, 'estimate-tabular'), { config: { ...presetLike, matrix: { strategies: ['rl'], nGrid: [1] } } })
    const trained = await estimatePlan(trainable.config, trainable.registry)
    expect(trained.pretrainSequences).toBeGreaterThan(0)
    expect(trained.trainSequences).toBeGreaterThan(trained.pretrainSequences)
    expect(trained.modelTrains).toBe(true)
  })

  it('asked-for pretraining is no problem for it (it is never pretrained), even on a task without experts', async () => {
    const task = builtins.toy!({ prompts: 4 }) as TaskPlugin
    const data = await task.load({ seed: 0 })
    const noExperts = { ...data, train: data.train.map(({ expert: _expert, ...p }) => p) }
    expect(pretrainingProblem({ train: { pretrainSteps: 20 } } as never, answerList, task, noExperts)).toBeUndefined()
    expect(pretrainingProblem({ train: { pretrainSteps: 20 } } as never, builtins.tabular!({}) as ModelPlugin, task, noExperts)).toContain(
      'cannot be pretrained',
    )
  })

  it('a run evaluates the base, fails the training cell with the same message, and records no pretraining', async () => {
    const dir = join(project.dir, 'run')
    const { config, registry } = toyRunSetup(dir, {
      plugins: [answerList],
      config: { ...presetLike, matrix: { model: 'my-lab/answer-list', strategies: ['rl'], nGrid: [1] } },
    })
    const events: RunEvent[] = []
    const outcome = await runMatrix({ config, registry, listeners: [(e) => void events.push(e)] })
    expect(outcome.results.map((r) => r.cellId)).toEqual(['base-n1-t1-s1'])
    const errors = events.flatMap((e) => (e.type === 'cell:error' ? [e] : []))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ cellId: 'rl-n1-t1-s1', code: 'BENCH_MODEL_CANNOT_TRAIN' })
    expect(errors[0]!.message).toContain("Model 'my-lab/answer-list' cannot train")
    expect(errors[0]!.message).toContain('Fix: use a trainable model (--model tiny-transformer or tabular)')
    expect(errors[0]!.message).not.toContain('has no clone()')
    // No pretraining phase, no pretraining records, nothing counted as pretraining.
    expect(events.some((e) => e.type === 'phase' && e.phase === 'pretrain')).toBe(false)
    expect(journalOf(outcome.runDir).some((r) => r.type === 'train')).toBe(false)
    expect(outcome.plan?.estimateBasis).not.toContain('pretraining')
    // The rates file holds the evaluation rate only.
    const ratesDir = join(config.cacheDir, 'throughput')
    expect(existsSync(ratesDir)).toBe(true)
    for (const file of readdirSync(ratesDir)) {
      const rates = JSON.parse(readFileSync(join(ratesDir, file), 'utf8')) as Record<string, unknown>
      expect(rates.pretrainSequence, file).toBeUndefined()
      expect(rates.evalSample, file).toBeDefined()
    }
  })
})
