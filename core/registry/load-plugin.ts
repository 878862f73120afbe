import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { BenchError, isBenchError } from '../errors.js'
import { withImportDeadline } from '../import-deadline.js'
import { moduleLoadHint } from '../module-load-hints.js'
import type { Plugin } from '../plugin-api/index.js'
import type { PluginRef } from '../config/types.js'
import { importModule } from '../import-module.js'
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
export async function loadPluginRef(ref: PluginRef, registry: PluginRegistry, baseDir: string): Promise<Plugin[]> {
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
    return addAll(await instantiate(file, options, `file ${file}`), registry, `file:${file}`)
  }
  if (PACKAGE_PATTERN.test(spec)) {
    const { entry, version } = resolvePackage(spec, baseDir)
    return addAll(await instantiate(entry, options, `package ${spec}`), registry, `npm:${spec}@${version}`)
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

async function instantiate(file: string, options: Record<string, unknown>, what: string): Promise<unknown[]> {
  let mod: Record<string, unknown>
  try {
    mod = (await withImportDeadline(importModule(file), `the plugin ${what}`)) as Record<string, unknown>
  } catch (error) {
    if (isBenchError(error)) throw error
    throw new BenchError(
      'BENCH_PLUGIN_INVALID',
      `Could not load the plugin ${what}: ${(error as Error).message.replace(/\.$/, '')}.${moduleLoadHint(file, error)}`,
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
  if (typeof exported === 'function') {
    try {
      exported = await withImportDeadline(Promise.resolve((exported as (o: unknown) => unknown)(options)), `the plugin factory of ${what}`)
    } catch (error) {
      if (error instanceof BenchError) throw error
      throw new BenchError(
        'BENCH_PLUGIN_OPTIONS',
        `The plugin factory of ${what} rejected its options ${JSON.stringify(options)}: ${(error as Error).message}`,
        { cause: error },
      )
    }
  }
  return Array.isArray(exported) ? exported : [exported]
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
