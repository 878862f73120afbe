import { BenchError } from '../errors.js'
import type { UpdateStats } from '../plugin-api/model.js'
import { describeValue, pluginContractError } from './contract-error.js'

/** Where an `update()` was called: for the messages. */
export interface UpdateSite {
  /** What was being trained, e.g. `cell 'sft-n1-t1-s0'` or `the base model (pretraining)`. */
  training: string
  step: number
  /** The rate handed to `update()`; undefined: the model's own default. */
  learningRate?: number
  /** Where the user sets that rate, e.g. `--lr, train.learningRate or train.learningRates.sft`. */
  rateSetting: string
}

/**
 * Checks a model's `update()` answer where the trainer receives it (fine-tuning and pretraining),
 * before the step is journaled: an object whose `loss`, `gradNorm` and `tokens` are numbers, else
 * BENCH_PLUGIN_CONTRACT naming the model. A loss or gradient norm that is NaN or infinite is a
 * training that diverged (most often a learning rate too high; the model's weights are no longer
 * numbers): BENCH_TRAINING_DIVERGED naming what was trained, the step, the values and the rate,
 * so that a diverged model is neither evaluated as if it were a result nor cached as a base model.
 */
/** `model`: the model plugin's name, for a contract breach. */
export function checkUpdateStats(model: string, out: unknown, site: UpdateSite): UpdateStats {
  const call = `update() at step ${site.step} of ${site.training}`
  const breach = (expected: string, got: string) => pluginContractError({ plugin: model, kind: 'model', call, expected, got })
  if (out === null || typeof out !== 'object') throw breach('an object { loss, gradNorm, tokens }', describeValue(out))
  const stats = out as Partial<Record<keyof UpdateStats, unknown>>
  for (const field of ['loss', 'gradNorm', 'tokens'] as const) {
    if (typeof stats[field] !== 'number') throw breach(`${field} to be a number`, describeValue(stats[field]))
  }
  const { loss, gradNorm, tokens } = stats as UpdateStats
  if (!Number.isFinite(tokens) || tokens < 0) throw breach('tokens to be a finite count ≥ 0', describeValue(tokens))
  if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
    const rate = site.learningRate === undefined ? "the model's default learning rate" : `learning rate ${site.learningRate}`
    throw new BenchError(
      'BENCH_TRAINING_DIVERGED',
      `Training diverged: ${site.training} at step ${site.step} (${rate}): the model's update() returned loss ${describeValue(loss)} and gradient norm ${describeValue(gradNorm)}, so its weights are no longer numbers. ` +
        `Lower the learning rate (${site.rateSetting}) and start a new run (--resume keeps this run's rates).`,
    )
  }
  return out as UpdateStats
}
