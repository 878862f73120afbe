export type * from './common.js'
export type * from './task.js'
export type * from './model.js'
export type * from './verifier.js'
export type * from './strategy.js'
export type * from './reporter.js'
export type * from './results.js'
export type * from './divergence.js'

import type { ModelInstance, ModelPlugin } from './model.js'
import type { ReporterPlugin } from './reporter.js'
import type { SelectionJudge, StrategyPlugin } from './strategy.js'
import type { TaskPlugin } from './task.js'
import type { VerifierPlugin } from './verifier.js'

/** Any plugin object. */
export type Plugin = ModelPlugin | VerifierPlugin | TaskPlugin | StrategyPlugin | ReporterPlugin

export {
  definePlugin,
  defineModel,
  defineVerifier,
  defineTask,
  defineStrategy,
  defineReporter,
  type PluginByKind,
  type PluginDefinition,
  type PluginHooks,
  type PluginCreateContext,
  type PluginFactory,
  type DefinedPlugin,
  type NoOptions,
  type OptionsInput,
} from './define-plugin.js'
export { parsePluginOptions, pluginOptionsError, allowedOptions } from './options.js'
export { optionsJsonSchema, optionRows, type JsonSchema, type OptionRow } from './options-schema.js'

/** Every valid `StrategyPlugin.selection` (the loader and the strategy contract tester check against it). */
export const selectionJudges: readonly SelectionJudge[] = ['reward', 'verifier', 'none']

/**
 * A model's checkpoint content hash: `contentHash()` when the model has it (it may read the
 * weights from the device), else `describe().hash`; undefined when the model reports none.
 */
export async function modelHash(model: ModelInstance): Promise<string | undefined> {
  return model.contentHash ? await model.contentHash() : model.describe().hash
}
