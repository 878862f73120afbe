import { describe, expect, it } from 'vitest'
import { baseModelLine, unpretrainedBase } from '../../../cli/commands/run.js'
import type { ResolvedConfig } from '../../../core/config/resolve-config.js'
import type { ModelPlugin } from '../../../core/plugin-api/model.js'
import type { Problem, TaskData, TaskPlugin } from '../../../core/plugin-api/task.js'

// `bench run --dry-run`'s "base model:" line says what the run will do: a run of a task without
// expert solutions warns "base model: not pretrained — task … has no expert solutions" and does not
// pretrain (core/run/prepare-base.ts), so the dry run must not promise "pretrained first".
const config = (pretrainSteps?: number) => ({ taskSeed: 0, backend: 'auto', eval: {}, train: { pretrainSteps, pretrainBatch: 8 } }) as unknown as ResolvedConfig
const trainable = { name: 'local/trains', kind: 'model', load: async () => ({}) } as unknown as ModelPlugin
// A model whose default is no pretraining (as tabular's: trainingDefaults.pretrainSteps 0).
const noPretrainDefault = { ...trainable, name: 'local/no-pretrain-default', trainingDefaults: { pretrainSteps: 0 } } as unknown as ModelPlugin
const samplingOnly = { name: 'local/samples', kind: 'model' } as unknown as ModelPlugin
const task = { name: 'local/no-expert', kind: 'task' } as unknown as TaskPlugin
const problems = (expert: boolean): Problem[] =>
  Array.from({ length: 4 }, (_, i) => ({ id: `p${i}`, prompt: `${i}+1=`, answer: String(i + 1), ...(expert ? { expert: String(i + 1) } : {}) }))
const data = (expert: boolean): TaskData => ({ train: problems(expert), test: [{ id: 't0', prompt: '9+1=', answer: '10' }] })
const fresh = { modelTrains: true, baseModelCached: false, basePretrainedSteps: 0 }

describe('bench run --dry-run: the base model line', () => {
  it('a task without expert solutions: not pretrained, as the run warns (not "pretrained first")', () => {
    const why = unpretrainedBase(config(), { model: trainable, task }, data(false))
    expect(why).toEqual({ why: 'no-experts', task: 'local/no-expert' })
    const line = baseModelLine(fresh, why)
    expect(line).toMatch(/^not pretrained — task 'local\/no-expert' has no expert solutions \(problem\.expert\) to pretrain on/)
    expect(line).not.toContain('pretrained first')
    expect(baseModelLine({ ...fresh, baseModelCached: true }, why)).toContain('the untrained model is loaded from the cache')
  })

  it('a task with expert solutions is pretrained first; asking for 0 steps creates it untrained; a sampling-only model is created as it is', () => {
    expect(unpretrainedBase(config(), { model: trainable, task }, data(true))).toBeUndefined()
    expect(baseModelLine(fresh, undefined)).toBe('pretrained first, then cached')
    const zero = unpretrainedBase(config(0), { model: trainable, task }, data(true))
    expect(zero).toEqual({ why: 'zero-steps' })
    expect(baseModelLine(fresh, zero)).toBe('created untrained (0 pretraining steps), then cached')
    expect(baseModelLine({ ...fresh, baseModelCached: true }, zero)).toBe('in the cache (loaded, no pretraining)')
    expect(unpretrainedBase(config(), { model: samplingOnly, task }, data(false))).toBeUndefined()
    expect(baseModelLine({ ...fresh, modelTrains: false }, undefined)).toMatch(/^created as it is/)
  })

  it("a model whose default is no pretraining, on a task with expert solutions: created untrained (0 steps), not blamed on the task's experts", () => {
    const why = unpretrainedBase(config(), { model: noPretrainDefault, task }, data(true))
    expect(why).toEqual({ why: 'zero-steps' })
    expect(baseModelLine(fresh, why)).toBe('created untrained (0 pretraining steps), then cached')
    // Without experts, the task is still the reason.
    expect(unpretrainedBase(config(), { model: noPretrainDefault, task }, data(false))).toEqual({ why: 'no-experts', task: 'local/no-expert' })
  })
})
