import type { PluginKind } from '../../../core/plugin-api/common.js'
import type { PluginTemplate } from '../template-types.js'
import { modelTemplate } from './model.js'
import { reporterTemplate } from './reporter.js'
import { strategyTemplate } from './strategy.js'
import { taskTemplate } from './task.js'
import { verifierTemplate } from './verifier.js'

/** The template of each kind `bench create-plugin` scaffolds, in the order its help lists them. */
export const pluginTemplates: Record<PluginKind, PluginTemplate> = {
  task: taskTemplate,
  model: modelTemplate,
  verifier: verifierTemplate,
  strategy: strategyTemplate,
  reporter: reporterTemplate,
}
