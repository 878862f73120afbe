import { BenchError } from '../errors.js'
import { selectionJudges, type Plugin, type PluginKind } from '../plugin-api/index.js'
import { allowedOptions, pluginOptionsError } from '../plugin-api/options.js'
import { checkApiVersion } from './api-version.js'

/** The hooks each kind must have (functions) and fields it must have (strings). */
const required: Record<PluginKind, { hooks: string[]; strings?: string[]; anyOf?: string[] }> = {
  model: { hooks: ['create'] },
  verifier: { hooks: ['score'] },
  task: { hooks: ['load'], strings: ['rewardVerifier'] },
  strategy: { hooks: ['needs', 'weights'] },
  reporter: { hooks: [], anyOf: ['onEvent', 'onRunEnd'] },
}

/** The valid plugin kinds. */
export const pluginKinds = Object.keys(required) as PluginKind[]

/**
 * Checks a plugin object's shape. Runs when a plugin is loaded, before any run starts; throws a
 * BenchError that names the plugin (and where it came from), what is wrong and how to fix it.
 */
export function validatePlugin(value: unknown, source: string): Plugin {
  const where = `plugin from ${source}`
  if (typeof value === 'function') {
    // Reached for a factory returned by a factory (the loader calls exported factories, also inside an exported array).
    const factoryOf = (value as { pluginName?: unknown }).pluginName
    throw invalid(
      `The ${where} is a function${typeof factoryOf === 'string' ? ` (the factory of '${factoryOf}')` : ''}, not a plugin object. Where a plugin object is expected, call the factory (e.g. myPlugin({ …options })) and use what it returns.`,
    )
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(
      `The ${where} is ${describe(value)}, not a plugin object. Export an object { name, kind, meta: { version }, …hooks } or a factory function returning one.`,
    )
  }
  const plugin = value as Record<string, unknown>
  if (typeof plugin.name !== 'string' || plugin.name.trim() === '') {
    throw invalid(`The ${where} has no name. Give it a namespaced name such as '<package>/<name>'.`)
  }
  const label = `Plugin '${plugin.name}' (${source})`
  if (typeof plugin.kind !== 'string' || !(pluginKinds as string[]).includes(plugin.kind)) {
    throw invalid(
      `${label} has ${plugin.kind === undefined ? 'no kind' : `unknown kind '${String(plugin.kind)}'`}. Set kind to one of: ${pluginKinds.join(', ')}.`,
    )
  }
  const kind = plugin.kind as PluginKind
  const meta = plugin.meta as Record<string, unknown> | undefined
  if (!meta || typeof meta !== 'object' || typeof meta.version !== 'string') {
    throw invalid(`${label} has no meta.version. Add meta: { version: '1.0.0' } (for a package, its package.json version).`)
  }
  const rule = required[kind]
  for (const hook of rule.hooks) {
    if (typeof plugin[hook] !== 'function') {
      const what = plugin[hook] === undefined ? 'is missing' : `is ${describe(plugin[hook])}, not a function`
      throw invalid(`${label}: the ${kind} hook '${hook}' ${what}. A ${kind} plugin must define ${rule.hooks.map((h) => `${h}()`).join(' and ')}.`)
    }
  }
  for (const hook of ['setup', 'dispose']) {
    if (plugin[hook] !== undefined && typeof plugin[hook] !== 'function') {
      throw invalid(
        `${label}: the lifecycle hook '${hook}' is ${describe(plugin[hook])}, not a function. Make it a function or leave it out (see the plugin lifecycle in the README).`,
      )
    }
  }
  for (const field of rule.strings ?? []) {
    if (typeof plugin[field] !== 'string' || plugin[field] === '') {
      throw invalid(`${label}: the ${kind} field '${field}' is missing. Set it to the name of a plugin (e.g. rewardVerifier: 'math-answer').`)
    }
  }
  if (kind === 'strategy') {
    checkSelection(plugin.selection, label)
    checkUsesNTrain(plugin.usesNTrain, label)
  }
  if (rule.anyOf && !rule.anyOf.some((hook) => typeof plugin[hook] === 'function')) {
    throw invalid(`${label}: a ${kind} needs at least one of the hooks ${rule.anyOf.join(', ')}.`)
  }
  checkApiVersion(plugin as { name: string; meta: { apiVersion?: unknown } }, source)
  const schema = plugin.optionsSchema as { safeParse?: (x: unknown) => { success: boolean; error?: { message: string; issues?: unknown } } } | undefined
  if (schema && typeof schema.safeParse === 'function') {
    const parsed = schema.safeParse(plugin.options ?? {})
    if (!parsed.success) {
      // A zod schema's issues get the kit's message (each option's path and value); any other schema its own message.
      if (Array.isArray(parsed.error?.issues))
        throw pluginOptionsError(
          String(plugin.name),
          parsed.error as Parameters<typeof pluginOptionsError>[1],
          plugin.options ?? {},
          allowedOptions(schema),
          source,
        )
      throw new BenchError(
        'BENCH_PLUGIN_OPTIONS',
        `${label}: invalid options: ${parsed.error?.message ?? 'rejected by its schema'}. Fix the options given in the config.`,
      )
    }
  }
  return value as Plugin
}

/** A strategy must say which judge picks its BoN winners (DESIGN §2.2): one of {@link selectionJudges}. */
function checkSelection(selection: unknown, label: string): void {
  if ((selectionJudges as readonly unknown[]).includes(selection)) return
  const what = selection === undefined ? 'is missing' : `is ${JSON.stringify(selection) ?? describe(selection)}`
  throw invalid(
    `${label}: the strategy field 'selection' ${what}. Set selection to the judge that picks the BoN winner of each subset: 'reward' (the environment reward R), 'verifier' (the verifier score r) or 'none' (the strategy makes no picks).`,
  )
}

/** A strategy's `usesNTrain`, where given, is a boolean: whether the matrix's N′ axis applies to it. */
function checkUsesNTrain(usesNTrain: unknown, label: string): void {
  if (usesNTrain === undefined || typeof usesNTrain === 'boolean') return
  throw invalid(
    `${label}: the strategy field 'usesNTrain' is ${JSON.stringify(usesNTrain) ?? describe(usesNTrain)}, not a boolean. Set usesNTrain: true when the strategy's weights depend on N′ (the matrix's nTrain axis then applies to it), or false (or leave it out) to train it at N′ = 1 only.`,
  )
}

function invalid(message: string) {
  return new BenchError('BENCH_PLUGIN_INVALID', message)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return `a ${typeof value}`
}
