import { z } from 'zod'
import { BenchError } from '../errors.js'
import { ignoreRejection, isThenable } from '../plugin-api-checks/contract-error.js'
import type { PluginKind, PluginMeta } from './common.js'
import type { ModelPlugin } from './model.js'
import { allowedOptions, parsePluginOptions, pluginOptionsError } from './options.js'
import type { ReporterPlugin } from './reporter.js'
import type { StrategyPlugin } from './strategy.js'
import type { TaskPlugin } from './task.js'
import type { VerifierPlugin } from './verifier.js'

/** Plugin type by kind. */
export interface PluginByKind {
  model: ModelPlugin
  verifier: VerifierPlugin
  task: TaskPlugin
  strategy: StrategyPlugin
  reporter: ReporterPlugin
}

/** The options schema of a plugin that takes none: any option is an error. */
export type NoOptions = z.ZodObject<Record<string, never>, z.core.$strict>

/**
 * What a definition's `create` returns: the kind's hooks and fields (`score`, `weights`,
 * `selection`, `usesNTrain`, `rewardVerifier`, …). `name`, `kind` and `meta` come from the definition; `meta`
 * here is merged over it (for a description that depends on the options). `options` replaces the
 * options recorded in results (by default: the validated options with defaults applied) — for
 * a plugin that records derived values or must leave out what is not data (a stream, a clock).
 */
export type PluginHooks<K extends PluginKind> = Omit<PluginByKind[K], 'name' | 'kind' | 'meta' | 'options' | 'optionsSchema'> & {
  meta?: Partial<PluginMeta>
  options?: Record<string, unknown>
}

/** Handed to `create` beside the options. */
export interface PluginCreateContext {
  /** The plugin's name, for messages. */
  name: string
  /**
   * Rejects the options for a reason the schema cannot say (one option against another): throws
   * BENCH_PLUGIN_OPTIONS in the same form as a schema failure, naming the plugin and `path`.
   */
  fail(path: string, problem: string): never
}

/** A plugin definition: plain data plus `create`, the only code. */
export interface PluginDefinition<K extends PluginKind, S extends z.ZodType, H extends PluginHooks<K>> {
  /** Namespaced: `bonbench:<name>` for built-ins, `<package>/<name>` for third-party plugins. */
  name: string
  /** `version` (required), `description` (shown by `bench list`), `apiVersion` (the bonbench versions it needs). */
  meta: PluginMeta
  /**
   * The options as a zod schema (usually `z.strictObject`), each field with `.describe()` and,
   * where it has one, `.default()`. Omitted: the plugin takes no options.
   */
  options?: S
  /**
   * Builds the plugin from validated options (defaults applied). Runs once per factory call;
   * return a fresh plain object (getters are kept as getters).
   */
  create(options: z.output<S>, context: PluginCreateContext): H
}

/** What a factory takes: the schema's input type (a plugin without options takes any record and rejects every key at run time). */
export type OptionsInput<S extends z.ZodType> = z.input<S> extends Record<string, never> ? Record<string, unknown> : z.input<S>

/** The plugin object a factory returns: the kind's type, refined by what `create` returned. */
export type DefinedPlugin<K extends PluginKind, H> = Omit<H, 'meta' | 'options'> & PluginByKind[K]

/**
 * A plugin factory made by {@link definePlugin}: call it with the options a config gives
 * (`'name'` → `factory()`, `['name', options]` → `factory(options)`); it validates them and
 * returns the plugin object. It also carries its definition's name, kind, meta and schema, so
 * tools can describe the plugin without making one.
 */
export type PluginFactory<K extends PluginKind = PluginKind, O = Record<string, unknown>, P = PluginByKind[K]> = ((options?: O) => P) & {
  readonly pluginName: string
  readonly kind: K
  readonly meta: PluginMeta
  readonly optionsSchema: z.ZodType
}

/**
 * Defines a plugin of any kind from a zod options schema — the one way bonbench's built-ins are
 * written, in the style of Vite and ESLint plugins:
 *
 * ```ts
 * export const exactMatch = definePlugin({
 *   kind: 'verifier',
 *   name: 'acme/exact-match',
 *   meta: { version: '1.0.0', apiVersion: '^0.1.0' },
 *   options: z.strictObject({ trim: z.boolean().default(true).describe('Trim whitespace first') }),
 *   create: ({ trim }) => ({
 *     async score(batch) { … },
 *   }),
 * })
 * exactMatch({ trim: false }) // → { name: 'acme/exact-match', kind: 'verifier', meta, options, optionsSchema, score }
 * ```
 *
 * Every factory validates the same way: unknown options, wrong types and out-of-range values
 * throw BENCH_PLUGIN_OPTIONS naming the plugin, each bad option's path, the value given, the
 * allowed options and what to do; defaults are applied; a camelCase key is read as its
 * kebab-case twin and back. The returned plugin records the validated options in `options` and
 * carries the schema as `optionsSchema` (the loader re-checks `options` with it; `bench list`
 * shows it as JSON Schema).
 */
export function definePlugin<K extends PluginKind, S extends z.ZodType = NoOptions, H extends PluginHooks<K> = PluginHooks<K>>(
  definition: PluginDefinition<K, S, H> & { kind: K },
): PluginFactory<K, OptionsInput<S>, DefinedPlugin<K, H>> {
  const { kind, name, meta } = definition
  const schema = (definition.options ?? z.strictObject({})) as z.ZodType
  const factory = (input?: OptionsInput<S>): DefinedPlugin<K, H> => {
    const options = parsePluginOptions(name, schema, input) as z.output<S>
    const context: PluginCreateContext = {
      name,
      fail(path, problem) {
        const issue = { code: 'custom', path: path === '' ? [] : path.split('.'), message: problem, input: undefined } as z.core.$ZodIssue
        throw pluginOptionsError(name, { issues: [issue] }, input ?? {}, allowedOptions(schema))
      },
    }
    const hooks = definition.create(options, context)
    if (isThenable(hooks)) throw asyncCreateError(name, hooks)
    // name, kind and the schema are the definition's: a hook object cannot change them.
    const {
      meta: metaOverride,
      options: recorded,
      name: _name,
      kind: _kind,
      optionsSchema: _schema,
      ...rest
    } = Object.getOwnPropertyDescriptors(hooks) as Record<string, PropertyDescriptor>
    const plugin = {
      name,
      kind,
      meta: { ...meta, ...(metaOverride?.value as Partial<PluginMeta> | undefined) },
      options: (recorded?.value as Record<string, unknown> | undefined) ?? { ...(options as Record<string, unknown>) },
      optionsSchema: schema,
    }
    return Object.defineProperties(plugin, rest) as unknown as DefinedPlugin<K, H>
  }
  return Object.assign(factory, { pluginName: name, kind, meta, optionsSchema: schema })
}

/**
 * An async `create` (`create: async () => ({ score })`): its promise holds the hooks, so the plugin
 * object would have none — say so, instead of "the hook 'score' is missing". Its rejection, if any,
 * is answered by this error (not left unhandled).
 */
function asyncCreateError(name: string, returned: PromiseLike<unknown>): BenchError {
  ignoreRejection(returned)
  return new BenchError(
    'BENCH_PLUGIN_INVALID',
    `Plugin '${name}': create() returned a Promise (is it async?). create() must return the hooks synchronously; do async work in setup(), which the core awaits once before the plugin's first use (see "Lifecycle: setup and dispose").`,
  )
}

type KindDefinition<K extends PluginKind, S extends z.ZodType, H extends PluginHooks<K>> = PluginDefinition<K, S, H> & { kind?: never }

/**
 * Defines a model plugin factory from a zod options schema (see {@link definePlugin}). Called
 * with a finished plugin object instead (the older form), returns it unchanged for type checking.
 */
export function defineModel(plugin: ModelPlugin): ModelPlugin
export function defineModel<S extends z.ZodType = NoOptions, H extends PluginHooks<'model'> = PluginHooks<'model'>>(
  definition: KindDefinition<'model', S, H>,
): PluginFactory<'model', OptionsInput<S>, DefinedPlugin<'model', H>>
export function defineModel(arg: unknown): unknown {
  return byKind('model', arg)
}

/** Defines a verifier plugin factory from a zod options schema (see {@link definePlugin}); a plugin object is returned unchanged. */
export function defineVerifier(plugin: VerifierPlugin): VerifierPlugin
export function defineVerifier<S extends z.ZodType = NoOptions, H extends PluginHooks<'verifier'> = PluginHooks<'verifier'>>(
  definition: KindDefinition<'verifier', S, H>,
): PluginFactory<'verifier', OptionsInput<S>, DefinedPlugin<'verifier', H>>
export function defineVerifier(arg: unknown): unknown {
  return byKind('verifier', arg)
}

/** Defines a task plugin factory from a zod options schema (see {@link definePlugin}); a plugin object is returned unchanged. */
export function defineTask(plugin: TaskPlugin): TaskPlugin
export function defineTask<S extends z.ZodType = NoOptions, H extends PluginHooks<'task'> = PluginHooks<'task'>>(
  definition: KindDefinition<'task', S, H>,
): PluginFactory<'task', OptionsInput<S>, DefinedPlugin<'task', H>>
export function defineTask(arg: unknown): unknown {
  return byKind('task', arg)
}

/** Defines a strategy plugin factory from a zod options schema (see {@link definePlugin}); a plugin object is returned unchanged. */
export function defineStrategy(plugin: StrategyPlugin): StrategyPlugin
export function defineStrategy<S extends z.ZodType = NoOptions, H extends PluginHooks<'strategy'> = PluginHooks<'strategy'>>(
  definition: KindDefinition<'strategy', S, H>,
): PluginFactory<'strategy', OptionsInput<S>, DefinedPlugin<'strategy', H>>
export function defineStrategy(arg: unknown): unknown {
  return byKind('strategy', arg)
}

/** Defines a reporter plugin factory from a zod options schema (see {@link definePlugin}); a plugin object is returned unchanged. */
export function defineReporter(plugin: ReporterPlugin): ReporterPlugin
export function defineReporter<S extends z.ZodType = NoOptions, H extends PluginHooks<'reporter'> = PluginHooks<'reporter'>>(
  definition: KindDefinition<'reporter', S, H>,
): PluginFactory<'reporter', OptionsInput<S>, DefinedPlugin<'reporter', H>>
export function defineReporter(arg: unknown): unknown {
  return byKind('reporter', arg)
}

// The kit's overload is declared last so that a mistake in a definition is reported against it.
// A finished plugin object has a `kind`; a definition does not (the helper supplies it).
function byKind(kind: PluginKind, arg: unknown): unknown {
  if (typeof arg === 'object' && arg !== null && 'kind' in arg) return arg
  return definePlugin({ ...(arg as PluginDefinition<PluginKind, z.ZodType, PluginHooks<PluginKind>>), kind })
}
