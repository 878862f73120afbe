import { BenchError } from '../errors.js'
import type { PlannedCell } from './planner.js'

/** One shard of a run (`bench run --shard i/n`): the i-th of n disjoint subsets of the planned cells, 1-based. */
export interface ShardSpec {
  index: number
  count: number
}

/** What run.json records about a shard run: which shard, and the whole plan's cell ids in order (what `bench merge` rebuilds). */
export interface ShardRecord extends ShardSpec {
  plan: string[]
}

/** Parses `i/n` (1 ≤ i ≤ n); a BENCH_USAGE error naming the flag otherwise. */
export function parseShard(value: string): ShardSpec {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value)
  const index = match ? Number(match[1]) : NaN
  const count = match ? Number(match[2]) : NaN
  if (!match || count < 1 || index < 1 || index > count)
    throw new BenchError('BENCH_USAGE', `--shard: give i/n with 1 ≤ i ≤ n, e.g. --shard 2/3 (got '${value}')`)
  return { index, count }
}

/**
 * The cells of one shard: the planned cell at position p (0-based, plan order) goes to shard
 * (p mod n) + 1. Deterministic (the plan is), disjoint, and together the shards hold every cell;
 * round-robin spreads each seed's base and strategy cells over the shards. Every shard builds the
 * same base model (pretraining is seeded; with a shared cache the first one to finish writes it and
 * the others load it), so all shards journal the same pretraining and preparation records.
 */
export function shardCells(cells: readonly PlannedCell[], shard: ShardSpec): PlannedCell[] {
  return cells.filter((_, position) => position % shard.count === shard.index - 1)
}
