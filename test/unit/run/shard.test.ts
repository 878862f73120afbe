import { describe, expect, it } from 'vitest'
import { planCells } from '../../../core/run/planner.js'
import { parseShard, shardCells } from '../../../core/run/shard.js'

const matrix = { task: 'toy', model: 'tabular', strategies: ['sft', 'bon-rl'], nTrain: [2, 4], temperatures: [0.7, 1], seeds: [1, 2, 3] }
const plan = planCells(matrix)

describe('shardCells', () => {
  it('splits the plan round-robin into disjoint shards that together hold every cell, in plan order', () => {
    for (const count of [1, 2, 3, 5, plan.length, plan.length + 2]) {
      const shards = Array.from({ length: count }, (_, i) => shardCells(plan, { index: i + 1, count }))
      expect(
        shards
          .flat()
          .map((c) => c.cellId)
          .sort(),
      ).toEqual(plan.map((c) => c.cellId).sort())
      for (const shard of shards) expect(shard).toEqual(plan.filter((c) => shard.includes(c)))
      const sizes = shards.map((s) => s.length)
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
    }
  })

  it('is deterministic: planning again gives the same shard', () => {
    expect(shardCells(planCells(matrix), { index: 2, count: 3 })).toEqual(shardCells(plan, { index: 2, count: 3 }))
  })
})

describe('parseShard', () => {
  it('reads i/n and refuses anything else, naming the flag', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 })
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 })
    for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0', '-1/2', '1.5/3']) expect(() => parseShard(bad), bad).toThrow(/--shard: give i\/n with 1 ≤ i ≤ n/)
  })
})
