import { describe, expect, it } from 'vitest'
import { carveTrainSplits } from '../../../core/run/data-splits.js'
import type { Problem } from '../../../core/plugin-api/task.js'

const problems = (prefix: string, n: number): Problem[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, prompt: `${prefix} ${i}`, expert: `e${i}` }))

describe('carveTrainSplits (eval.validationPrompts, train.finetuneProblems)', () => {
  const train = problems('train', 100)
  const test = problems('test', 20)

  it('leaves the train split whole without counts', () => {
    const s = carveTrainSplits(train, test, { taskSeed: 1 })
    expect(s.carved).toBe(false)
    expect(s.pretrain).toEqual(train)
    expect(s.finetune).toEqual(train)
    expect(s.validation).toEqual([])
  })

  it('carves disjoint validation, fine-tuning-only and pretraining parts that cover the train split, none in test', () => {
    const s = carveTrainSplits(train, test, { taskSeed: 1, validation: 10, finetune: 30 })
    expect(s.validation).toHaveLength(10)
    expect(s.finetune).toHaveLength(30)
    expect(s.pretrain).toHaveLength(60)
    const ids = [...s.validation, ...s.finetune, ...s.pretrain].map((p) => p.id)
    expect(new Set(ids).size).toBe(100)
    const testIds = new Set(test.map((p) => p.id))
    expect(ids.some((id) => testIds.has(id))).toBe(false)
    // Each part keeps the task's order.
    for (const part of [s.validation, s.finetune, s.pretrain])
      expect(part.map((p) => train.indexOf(p))).toEqual(part.map((p) => train.indexOf(p)).sort((a, b) => a - b))
  })

  it('is deterministic in the task seed, and differs across seeds', () => {
    const a = carveTrainSplits(train, test, { taskSeed: 7, validation: 10, finetune: 5 })
    const b = carveTrainSplits([...train], test, { taskSeed: 7, validation: 10, finetune: 5 })
    expect(b.validation.map((p) => p.id)).toEqual(a.validation.map((p) => p.id))
    expect(b.finetune.map((p) => p.id)).toEqual(a.finetune.map((p) => p.id))
    const c = carveTrainSplits(train, test, { taskSeed: 8, validation: 10, finetune: 5 })
    expect(c.validation.map((p) => p.id)).not.toEqual(a.validation.map((p) => p.id))
  })

  it('keeps the validation problems the same whatever the fine-tuning count, and fine-tunes on pretraining problems without one', () => {
    const a = carveTrainSplits(train, test, { taskSeed: 3, validation: 10 })
    const b = carveTrainSplits(train, test, { taskSeed: 3, validation: 10, finetune: 20 })
    expect(b.validation).toEqual(a.validation)
    expect(a.finetune).toEqual(a.pretrain)
  })

  it('refuses counts that leave nothing to pretrain on, and train/test splits that share ids', () => {
    expect(() => carveTrainSplits(train, test, { taskSeed: 1, validation: 60, finetune: 40 })).toThrow(/must leave train problems/)
    expect(() => carveTrainSplits(train, [train[3]!], { taskSeed: 1, validation: 5 })).toThrow(/share problem ids/)
  })
})
