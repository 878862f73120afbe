import type { ModelInstance, ModelPlugin } from '../plugin-api/model.js'

/**
 * Whether a model can be trained (pretrained or fine-tuned): the one rule the dry run, the estimate
 * and the run share. Before any instance exists (`--dry-run`, the estimate, the base model's
 * pretraining steps) only the plugin can tell: a trainable model's plugin has `load(dir)` — the
 * documented set is `update`, `logProb`, `clone` and `save` on the instance and `load` on the plugin
 * (core/plugin-api/model.ts, docs/plugins.md) — and a sampling-only model (`replay`,
 * `openai-compatible`, docs/examples/answer-list-model.ts) has none of them. Given the instance
 * too (the run's base model), it must also have what fine-tuning calls: `update` (each optimizer
 * step) and `clone` (the copy each cell trains).
 */
export function canTrain(model: Pick<ModelPlugin, 'load'>, instance?: Pick<ModelInstance, 'update' | 'clone'>): boolean {
  if (typeof model.load !== 'function') return false
  return instance === undefined || (typeof instance.update === 'function' && typeof instance.clone === 'function')
}

/**
 * Why cells that train cannot run with this model, naming the cells, the model and the fix: the
 * dry run lists it; a run fails each such cell with it (`cellIds` empty: the failure is journaled
 * and summarised under the cell's id already). `instance`: the run's base model, to name what it
 * lacks when its plugin has `load` but the instance cannot train.
 */
export function untrainableModelProblem(
  model: Pick<ModelPlugin, 'name' | 'load'>,
  cellIds: readonly string[],
  instance?: Pick<ModelInstance, 'update' | 'clone'>,
): string {
  const lacks =
    typeof model.load !== 'function' || instance === undefined
      ? 'it is sampling only (no load(); a trainable model has update(), clone(), save() and load())'
      : `its instance has no ${[instance.update ? undefined : 'update()', instance.clone ? undefined : 'clone()'].filter(Boolean).join(' and ')}`
  const cells = cellIds.length === 0 ? '' : cellIds.length === 1 ? `cell ${cellIds[0]}: ` : `cells ${cellIds.join(', ')}: `
  return (
    `${cells}${cells ? 'model' : 'Model'} '${model.name}' cannot train: ${lacks}, so no strategy can fine-tune it. ` +
    `Fix: use a trainable model (--model tiny-transformer or tabular), or evaluate this model only: no --strategies (matrix.strategies: []).`
  )
}
