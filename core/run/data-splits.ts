import { BenchError } from '../errors.js'
import type { Problem } from '../plugin-api/task.js'
import { createRng, deriveSeed } from '../rng.js'

/** How a run divides the task's train problems (`eval.validationPrompts`, `train.finetuneProblems`). */
export interface TrainSplits {
  /** What the base model pretrains on (and the learned verifier's `prepare` sees). */
  pretrain: Problem[]
  /** What the strategies fine-tune on: `pretrain` itself unless `finetuneProblems` reserves a part. */
  finetune: Problem[]
  /** Problems evaluated beside the test split at every checkpoint; empty without `validationPrompts`. */
  validation: Problem[]
  /** Whether anything was carved out (otherwise `pretrain` = `finetune` = the task's train split, unchanged). */
  carved: boolean
}

/**
 * Carves the validation split and the fine-tuning-only split out of the task's train problems.
 * Deterministic in (taskSeed, the problem ids): a seeded permutation of the train split (by
 * `deriveSeed(taskSeed, 'train-splits')`) gives its first `validation` problems to validation,
 * the next `finetune` to fine-tuning only, and the rest to pretraining; each part keeps the task's
 * order. The three parts are disjoint, and disjoint from the test split because the task's splits
 * are. The test split is never touched. Problems with an id that also appears in the test split
 * (a task whose splits overlap) are refused, not silently carved.
 * With neither count: the train split unchanged, used for pretraining and fine-tuning both.
 */
export function carveTrainSplits(
  train: readonly Problem[],
  test: readonly Problem[],
  opts: { taskSeed: number; validation?: number; finetune?: number },
): TrainSplits {
  const validation = opts.validation ?? 0
  const finetune = opts.finetune ?? 0
  if (validation === 0 && finetune === 0) return { pretrain: [...train], finetune: [...train], validation: [], carved: false }
  if (validation + finetune >= train.length) {
    throw new BenchError(
      'BENCH_CONFIG_INVALID',
      `eval.validationPrompts (${validation}) + train.finetuneProblems (${finetune}) must leave train problems to pretrain on, but the task has ${train.length}. Use smaller counts or a larger train split (math: trainSize).`,
    )
  }
  const testIds = new Set(test.map((p) => p.id))
  const shared = train.filter((p) => testIds.has(p.id))
  if (shared.length > 0)
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `The task's train and test splits share problem ids (${shared
        .slice(0, 3)
        .map((p) => p.id)
        .join(', ')}…); a validation split carved from train would not be disjoint from test.`,
    )
  const order = train.map((_, i) => i)
  const rng = createRng(deriveSeed(opts.taskSeed, 'train-splits'))
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const part = new Array<'v' | 'f' | 'p'>(train.length).fill('p')
  order.forEach((index, rank) => {
    if (rank < validation) part[index] = 'v'
    else if (rank < validation + finetune) part[index] = 'f'
  })
  const pick = (which: 'v' | 'f' | 'p') => train.filter((_, i) => part[i] === which)
  const pretrain = pick('p')
  return { pretrain, finetune: finetune > 0 ? pick('f') : pretrain, validation: pick('v'), carved: true }
}
