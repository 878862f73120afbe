import { existsSync, readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { BenchError, isBenchError } from '../errors.js'
import { withImportDeadline } from '../import-deadline.js'
import { moduleLoadHint } from '../module-load-hints.js'
import type { Plugin, PluginKind, PluginMeta } from '../plugin-api/index.js'
import type { PluginRef } from '../config/types.js'
import { importModule } from '../import-module.js'
import { describeValue } from '../plugin-api-checks/contract-error.js'
import { type PluginRegistry, shortName } from './registry.js'

const PACKAGE_PATTERN = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?bonbench-plugin-[a-z0-9-._~]+$/

/** True when a string reference is a file path rather than a name. */
export function isPathRef(ref: string): boolean {
  return ref.startsWith('.') || isAbsolute(ref) || /\.(m?[jt]s|cjs)$/.test(ref)
}

/**
 * Loads one plugin reference into the registry: a plugin object, `'name'`, `['name', options]`,
 * a file path (resolved against `baseDir`) or a `bonbench-plugin-*` package (resolved from
 * `baseDir` upwards). A module may export a plugin, an array of plugins, or a factory
 * `(options) => plugin | plugin[]` (default export, or a named `plugin`/`plugins` export).
 */
export async function loadPluginRef(ref: PluginRef, registry: PluginRegistry, baseDir: string, listing?: ListingSink): Promise<Plugin[]> {
  if (typeof ref === 'object' && !Array.isArray(ref)) {
    return [registry.add(ref, 'inline')]
  }
  const [spec, options] = typeof ref === 'string' ? [ref, {}] : ref
  if (isPathRef(spec)) {
    const file = resolve(baseDir, spec)
    if (!existsSync(file)) {
      throw new BenchError(
        'BENCH_PLUGIN_NOT_FOUND',
        `Plugin file ${file} does not exist (referenced as '${spec}'). Relative paths resolve against the config file's folder.`,
      )
    }
    return addAll(await instantiate(file, options, `file ${file}`, listing && { sink: listing, ref: spec, source: `file:${file}` }), registry, `file:${file}`)
  }
  if (PACKAGE_PATTERN.test(spec)) {
    const { entry, version } = resolvePackage(spec, baseDir)
    const source = `npm:${spec}@${version}`
    return addAll(await instantiate(entry, options, `package ${spec}`, listing && { sink: listing, ref: spec, source }), registry, source)
  }
  const factory = await registry.builtinFactory(shortName(spec))
  if (!factory) {
    throw new BenchError(
      'BENCH_PLUGIN_NOT_FOUND',
      `Unknown plugin '${spec}'. Built-ins are: ${registry.builtinNames().sort().join(', ')}. For a third-party plugin, give a file path ('./my-plugin.ts') or install the package (npm i bonbench-plugin-<name>) and list it by package name.`,
    )
  }
  let plugin: Plugin
  try {
    plugin = factory(options)
  } catch (error) {
    if (error instanceof BenchError) throw error
    throw new BenchError('BENCH_PLUGIN_OPTIONS', `Plugin '${spec}': invalid options ${JSON.stringify(options)}: ${(error as Error).message}`, { cause: error })
  }
  return [registry.add(plugin, 'built-in')]
}

/**
 * A plugin `bench list` describes without making it: a kit factory (definePlugin) whose options
 * schema rejects `{}` only because required options are missing, listed with no options.
 */
export interface UnconfiguredPlugin {
  name: string
  kind: PluginKind
  meta: PluginMeta
  optionsSchema: unknown
  /** The top-level options `{}` lacks. */
  missing: string[]
  /** Where it came from, as a registered plugin's source ('file:<path>', 'npm:<package>@<version>'). */
  source: string
  /** The reference that loads it ('./my-plugin.ts', 'bonbench-plugin-x'), for the config line to write. */
  ref: string
  /** True for a factory in an exported array: the reference takes no options for it. */
  inArray: boolean
}

/** `bench list`'s receiver of the plugins it describes without making them (see {@link UnconfiguredPlugin}). */
export type ListingSink = (plugin: UnconfiguredPlugin) => void

interface Listing {
  sink: ListingSink
  ref: string
  source: string
}

async function instantiate(file: string, options: Record<string, unknown>, what: string, listing?: Listing): Promise<unknown[]> {
  let mod: Record<string, unknown>
  try {
    mod = (await withImportDeadline(importModule(file), `the plugin ${what}`)) as Record<string, unknown>
  } catch (error) {
    if (isBenchError(error)) throw error
    throw new BenchError(
      'BENCH_PLUGIN_INVALID',
      `Could not load the plugin ${what}: ${(error as Error).message.replace(/\.$/, '')}${await atLine(file, error)}.${moduleLoadHint(file, error)}`,
      { cause: error },
    )
  }
  let exported = mod.default ?? mod.plugins ?? mod.plugin
  if (exported === undefined) {
    throw new BenchError(
      'BENCH_PLUGIN_INVALID',
      `The plugin ${what} exports nothing usable. Export default a plugin object, an array of plugins, or a factory (options) => plugin.`,
    )
  }
  const exportedFactory = typeof exported === 'function'
  if (exportedFactory && listing && described(exported, options, listing)) return []
  if (exportedFactory) exported = await callFactory(exported as Factory, options, `the plugin factory of ${what}`)
  if (!Array.isArray(exported)) return [exported]
  const elements: unknown[] = exported
  // An array of factories (`export default [defineVerifier(…), defineVerifier(…)]`): each is called
  // with its default options, as a default-exported factory is when the config gives none.
  if (!elements.some((e) => typeof e === 'function')) return elements
  if (!exportedFactory && Object.keys(options).length > 0) {
    throw new BenchError(
      'BENCH_PLUGIN_OPTIONS',
      `The plugin ${what} exports an array of plugin factories, so the options ${JSON.stringify(options)} do not say which plugin they are for. List the file without options, or export default a factory (options) => [pluginA(options.a), pluginB(options.b)].`,
    )
  }
  const made = await Promise.all(
    elements.map((e, i) =>
      typeof e !== 'function'
        ? e
        : listing && described(e, {}, listing, true)
          ? undefined
          : callFactory(e as Factory, {}, `the plugin factory at index ${i} of the array ${what} exports`),
    ),
  )
  return listing ? made.filter((p) => p !== undefined) : made
}

/**
 * ` (at <file>:<line>)` for a syntax error in the plugin file itself, else ''. A CommonJS file's
 * SyntaxError names its line in the stack; an ES module's does not (Node prints the line only for
 * an uncaught one), so the file is checked by `node --check`, which names it: a child process (execa,
 * loaded here: `import('bonbench')` stays light), on this failure path only. A syntax error in a file
 * the plugin imports gets no line here.
 */
async function atLine(file: string, error: unknown): Promise<string> {
  if (!(error instanceof SyntaxError)) return ''
  const found = lineNaming(file, error.stack ?? '') ?? (/\.m?js$/.test(file) ? lineNaming(file, await checkedSyntax(file)) : undefined)
  return found === undefined ? '' : ` (at ${file}:${found})`
}

/** What `node --check <file>` writes on stderr ('' when it passes or cannot run). */
async function checkedSyntax(file: string): Promise<string> {
  const { execa } = await import('execa')
  const checked = await execa(process.execPath, ['--check', file], { reject: false, timeout: 10_000, env: { NODE_OPTIONS: '' } })
  return checked.exitCode === 0 ? '' : String(checked.stderr ?? '')
}

/** The line number in the first line of `text` that is `<file>:<line>` (a path or a file: URL), if any. */
function lineNaming(file: string, text: string): string | undefined {
  const names = [file, pathToFileURL(file).href]
  for (const line of text.split('\n')) {
    const match = /^(.*):(\d+)$/.exec(line.trim())
    if (match && names.includes(match[1]!)) return match[2]
  }
  return undefined
}

/**
 * For `bench list`: when `factory` is a kit factory given no options whose schema rejects `{}` only
 * for missing top-level options, hands it to the listing (described from its schema, not called)
 * and returns true. Any other factory, or another failure, is left to the call (and is broken).
 */
function described(factory: unknown, options: Record<string, unknown>, listing: Listing, inArray = false): boolean {
  if (Object.keys(options).length > 0) return false
  const f = factory as Partial<Record<'pluginName' | 'kind' | 'meta' | 'optionsSchema', unknown>>
  const schema = f.optionsSchema as { safeParse?: (input: unknown) => { success: boolean; error?: { issues: Array<{ code: string; path: PropertyKey[] }> } } }
  if (typeof f.pluginName !== 'string' || typeof f.kind !== 'string' || typeof f.meta !== 'object' || f.meta === null) return false
  if (typeof schema?.safeParse !== 'function') return false
  const shape = (schema as { shape?: unknown }).shape
  if (!shape || typeof shape !== 'object') return false
  const parsed = schema.safeParse({})
  if (parsed.success || !parsed.error) return false
  const issues = parsed.error.issues
  // `{}` has no keys: an invalid_type issue at a top-level key of the shape is a missing required option.
  if (issues.length === 0 || !issues.every((i) => i.code === 'invalid_type' && i.path.length === 1 && Object.hasOwn(shape, i.path[0]!))) return false
  listing.sink({
    name: f.pluginName,
    kind: f.kind as PluginKind,
    meta: f.meta as PluginMeta,
    optionsSchema: schema,
    missing: issues.map((i) => String(i.path[0])),
    source: listing.source,
    ref: listing.ref,
    inArray,
  })
  return true
}

type Factory = (options: unknown) => unknown

/**
 * Calls a factory a plugin module exports (it may be async). A BenchError passes as it is: a kit
 * factory's (definePlugin) option check and its `fail()` throw BENCH_PLUGIN_OPTIONS naming the
 * plugin themselves. Anything else the factory threw is BENCH_PLUGIN_OPTIONS only when it is a
 * zod error (a hand-written factory parsing its options); otherwise BENCH_PLUGIN_INVALID `… threw:
 * <message>` with the options it was given — a kit's `create()` that cannot open a file is not
 * its options being rejected.
 */
async function callFactory(factory: Factory, options: Record<string, unknown>, what: string): Promise<unknown> {
  try {
    return await withImportDeadline(Promise.resolve(factory(options)), what)
  } catch (error) {
    // A BenchError from the plugin's own copy of bonbench (a kit factory's) says what is wrong itself.
    if (isBenchError(error)) throw error
    const message = error instanceof Error ? error.message.replace(/\.$/, '') : `${describeValue(error)} (not an Error)`
    const given = JSON.stringify(options)
    if (isZodError(error)) throw new BenchError('BENCH_PLUGIN_OPTIONS', `${capitalize(what)} rejected its options ${given}: ${message}`, { cause: error })
    const kit = kitFactoryName(factory)
    throw new BenchError(
      'BENCH_PLUGIN_INVALID',
      kit !== undefined
        ? `${capitalize(what)} (plugin '${kit}') threw in create(): ${message}. Its options ${given} passed the plugin's option check: fix what create() needs (a file, an executable, a service), or report it to the plugin's author.`
        : `${capitalize(what)} threw: ${message} (called with the options ${given}). If the options are the cause, fix them where the config lists the plugin; otherwise fix the plugin or what it needs, or report it to its author.`,
      { cause: error },
    )
  }
}

/** The plugin name of a kit factory (definePlugin: it carries its name and options schema), else undefined. */
function kitFactoryName(factory: Factory): string | undefined {
  const f = factory as Partial<Record<'pluginName' | 'optionsSchema', unknown>>
  return typeof f.pluginName === 'string' && f.optionsSchema !== undefined ? f.pluginName : undefined
}

/** A zod validation error (any copy of zod): what a hand-written factory throws when it parses its options. */
function isZodError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ZodError' || error.name === '$ZodError') && Array.isArray((error as { issues?: unknown }).issues)
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function addAll(values: unknown[], registry: PluginRegistry, source: string): Plugin[] {
  return values.map((value) => registry.add(value as Plugin, source))
}

/** Finds an installed package by walking up from `baseDir`; returns its ESM entry file. */
export function resolvePackage(name: string, baseDir: string): { entry: string; version: string; dir: string } {
  let dir = resolve(baseDir)
  for (;;) {
    const candidate = join(dir, 'node_modules', name)
    const manifestPath = join(candidate, 'package.json')
    if (existsSync(manifestPath)) {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { version?: string; main?: string; module?: string; exports?: unknown }
      return { entry: join(candidate, packageEntry(manifest)), version: manifest.version ?? '0.0.0', dir: candidate }
    }
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  throw new BenchError(
    'BENCH_PLUGIN_NOT_FOUND',
    `The plugin package '${name}' is not installed (looked in node_modules from ${baseDir} upwards). Install it with: npm i ${name}`,
  )
}

function packageEntry(manifest: { main?: string; module?: string; exports?: unknown }): string {
  const exp = manifest.exports
  const pick = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value
    if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>
      return pick(v['.']) ?? pick(v.import) ?? pick(v.node) ?? pick(v.default)
    }
    return undefined
  }
  return pick(exp) ?? manifest.module ?? manifest.main ?? 'index.js'
}
