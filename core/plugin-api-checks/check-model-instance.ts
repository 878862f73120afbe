import type { ModelInstance } from '../plugin-api/model.js'
import { describeValue, pluginContractError } from './contract-error.js'

/** The members every model instance has (core/plugin-api/model.ts, ModelInstance). */
const REQUIRED = ['sample', 'describe'] as const
/** The members an instance may leave out; each one it has must be a function. */
const OPTIONAL = ['update', 'logProb', 'clone', 'save', 'saveResumable', 'contentHash', 'takeUsage', 'dispose'] as const

/**
 * Checks the instance a model plugin's `create`, `load` or `loadResumable` returned, right where
 * the core receives it: an object with `sample()` and `describe()` functions, and every optional
 * member it has (`update`, `logProb`, `clone`, …) a function. Throws BENCH_PLUGIN_CONTRACT naming
 * the model plugin and the hook otherwise — before the instance is pretrained or asked anything,
 * so a missing member is not a bare TypeError much later. A rejected instance is disposed without
 * waiting (best effort: the breach is the error to report), as the run never owns it. Returns the
 * instance.
 */
export function checkModelInstance(model: string, hook: string, out: unknown): ModelInstance {
  try {
    return checkMembers(model, hook, out)
  } catch (error) {
    const dispose = (out as { dispose?: unknown } | null | undefined)?.dispose
    if (typeof dispose === 'function') void (async () => (dispose as () => unknown).call(out))().catch(() => {})
    throw error
  }
}

function checkMembers(model: string, hook: string, out: unknown): ModelInstance {
  const breach = (expected: string, got: string) => pluginContractError({ plugin: model, kind: 'model', call: `${hook}()`, expected, got })
  if (out === null || typeof out !== 'object') throw breach('a model instance { sample(), describe(), … }', describeValue(out))
  const instance = out as Record<string, unknown>
  for (const member of REQUIRED) {
    if (typeof instance[member] !== 'function')
      throw breach(`the instance to have a ${member}() function (see ModelInstance in the plugin API)`, describeValue(instance[member]))
  }
  for (const member of OPTIONAL) {
    if (instance[member] !== undefined && typeof instance[member] !== 'function')
      throw breach(`the instance's ${member}, when given, to be a function`, describeValue(instance[member]))
  }
  return out as ModelInstance
}
