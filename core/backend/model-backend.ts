import { BenchError } from '../errors.js'
import type { ModelPlugin } from '../plugin-api/model.js'
import { BACKEND_NAMES } from './backend-catalog.js'

/** What the model's own backend choice is read from: a TensorFlow.js model's recorded options. */
export type ModelWithBackend = Pick<ModelPlugin, 'name' | 'usesBackend' | 'options'>

/**
 * The backend a model's own options name (the tiny-transformer's `backend` option), for a model
 * that runs on TensorFlow.js (`usesBackend`): undefined when they name none, or `auto` — which
 * picks nothing itself and so goes with the run's backend.
 */
export function modelBackendOption(model: ModelWithBackend): string | undefined {
  if (model.usesBackend !== true) return undefined
  const option = (model.options as Record<string, unknown> | undefined)?.backend
  return typeof option === 'string' && option !== 'auto' && (BACKEND_NAMES as readonly string[]).includes(option) ? option : undefined
}

/**
 * Why the run's backend (`--backend`, config `backend`) and the model's own `backend` option
 * cannot both hold, or undefined when they can: both name a backend (neither is `auto`) and they
 * differ. The model would run on its option and the run's backend would be silently ignored.
 */
export function modelBackendConflict(model: ModelWithBackend, runBackend: string): string | undefined {
  const option = modelBackendOption(model)
  if (option === undefined || runBackend === 'auto' || runBackend === option) return undefined
  return `the run's backend is '${runBackend}' (--backend or config \`backend\`) but the model ${model.name} sets its own option backend: '${option}', and a model runs on one backend. Drop one of them, or make them agree (--backend ${option}, or the model's backend: '${runBackend}').`
}

/**
 * Throws BENCH_USAGE when {@link modelBackendConflict} finds one: before any work (a run's
 * pretraining check, `--dry-run`'s estimate, the base model's key).
 */
export function checkModelBackend(model: ModelWithBackend, runBackend: string): void {
  const conflict = modelBackendConflict(model, runBackend)
  if (conflict) throw new BenchError('BENCH_USAGE', conflict.charAt(0).toUpperCase() + conflict.slice(1))
}

/**
 * The backend the model runs on, as asked (possibly `auto`, still to resolve): the model's own
 * option where it names one ({@link modelBackendOption}), else the run's. What the base model's
 * cache key and the measured rates are keyed by, so a model whose option overrides `auto` is never
 * filed under the backend `auto` would have started. Throws BENCH_USAGE on a conflict
 * ({@link checkModelBackend}).
 */
export function effectiveBackend(model: ModelWithBackend, runBackend: string): string {
  checkModelBackend(model, runBackend)
  return modelBackendOption(model) ?? runBackend
}
