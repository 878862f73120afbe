import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { BenchError } from '../../core/errors.js'
import type { PluginKind } from '../../core/plugin-api/common.js'
import { PLUGIN_PACKAGE_PREFIX } from '../../core/registry/registry.js'
import { builtins } from '../builtins.js'
import { exportIdentifier } from './export-identifier.js'
import { gitignore, npmrc, packageJson, readme, tsconfigJson, type ToolVersions } from './package-files.js'
import type { TemplateContext } from './template-types.js'
import { pluginTemplates } from './templates/index.js'

/** What `bench create-plugin` was asked for. */
export interface ScaffoldRequest {
  /** `<kind>`: task, model, verifier, strategy or reporter. */
  kind: string
  /** `<name>`: kebab-case, with or without the `bonbench-plugin-` prefix. */
  name: string
  /** `--dir`: the package folder (default `./bonbench-plugin-<name>`), relative to `cwd`. */
  dir?: string
  cwd: string
  /** bonbench's version and package root, and the TypeScript versions package.json names. */
  versions: ToolVersions
}

/** What was written. */
export interface ScaffoldResult {
  dir: string
  packageName: string
  pluginName: string
  /** The peer dependency's range (`^0.1.0`). */
  bonbenchRange: string
  /** Paths of the files written, relative to `dir`. */
  files: string[]
}

/** A name that is an npm package name part, and an identifier once camelCased (exportIdentifier keeps it clear of reserved words). */
const NAME_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/

/**
 * Checks the request and writes the package `bonbench-plugin-<name>`: package.json, tsconfig.json,
 * .npmrc, .gitignore, README.md, src/index.ts and src/index.test.ts from the kind's template.
 * Throws BENCH_USAGE (the CLI exits 2) for an unknown kind, a malformed name, a name that is a
 * built-in's short name, or a `--dir` that exists and is not an empty folder — before writing anything.
 */
export function scaffoldPlugin(request: ScaffoldRequest): ScaffoldResult {
  const kind = checkKind(request.kind)
  const name = checkName(request.name)
  const packageName = PLUGIN_PACKAGE_PREFIX + name
  const dir = resolve(request.cwd, request.dir ?? packageName)
  checkDir(dir, request.dir)
  const ctx: TemplateContext = {
    name,
    packageName,
    pluginName: `${packageName}/${name}`,
    identifier: exportIdentifier(name, kind),
    bonbenchRange: `^${request.versions.bonbench}`,
    bonbenchRoot: request.versions.bonbenchRoot,
  }
  const template = pluginTemplates[kind]
  const files: Record<string, string> = {
    'package.json': packageJson(ctx, template, request.versions),
    'tsconfig.json': tsconfigJson(),
    '.npmrc': npmrc(),
    '.gitignore': gitignore(),
    'README.md': readme(ctx, template),
    'src/index.ts': template.source(ctx),
    'src/index.test.ts': template.test(ctx),
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return { dir, packageName, pluginName: ctx.pluginName, bonbenchRange: ctx.bonbenchRange, files: Object.keys(files) }
}

/** bonbench's version, package root and TypeScript tool versions, from its package.json in `packageRoot`. */
export function toolVersions(packageRoot: string): ToolVersions {
  const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string; devDependencies?: Record<string, string> }
  const dev = manifest.devDependencies ?? {}
  return {
    bonbench: manifest.version,
    typescript: dev.typescript ?? '^5.0.0',
    typesNode: dev['@types/node'] ?? '^20.0.0',
    bonbenchRoot: resolve(packageRoot),
  }
}

function checkKind(kind: string): PluginKind {
  if (Object.hasOwn(pluginTemplates, kind)) return kind as PluginKind
  throw new BenchError(
    'BENCH_USAGE',
    `<kind> '${kind}' is not a plugin kind; use one of ${Object.keys(pluginTemplates).join(', ')} (bench create-plugin <kind> <name>).`,
  )
}

function checkName(raw: string): string {
  const name = raw.startsWith(PLUGIN_PACKAGE_PREFIX) ? raw.slice(PLUGIN_PACKAGE_PREFIX.length) : raw
  if (!NAME_PATTERN.test(name) || PLUGIN_PACKAGE_PREFIX.length + name.length > 214)
    throw new BenchError(
      'BENCH_USAGE',
      `<name> '${raw}' is not a valid plugin name: use lowercase letters, digits and single hyphens, starting with a letter (e.g. 'exact-answer'); the package is named bonbench-plugin-<name>.`,
    )
  // A config calls the plugin `<name>` for short, and a short name that is a built-in's means the
  // built-in (docs/plugins.md): the scaffold's README would configure bonbench:<name> instead.
  const builtin = Object.hasOwn(builtins, name) ? builtins[name] : undefined
  if (builtin)
    throw new BenchError(
      'BENCH_USAGE',
      `<name> '${raw}' is the short name of the built-in ${builtin.kind} bonbench:${name}: in a config, '${name}' would mean the built-in, not your plugin. Pick a name no built-in has, e.g. '${suggestName(name)}' (\`bench list\` shows the built-ins).`,
    )
  return name
}

/** A name like `name` that no built-in has: `my-<name>`, numbered if need be. */
function suggestName(name: string): string {
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? `my-${name}` : `my-${name}-${i}`
    if (!Object.hasOwn(builtins, candidate)) return candidate
  }
}

function checkDir(dir: string, given: string | undefined): void {
  if (!existsSync(dir)) return
  const where = given === undefined ? `the folder ${relative(process.cwd(), dir) || dir} (the default --dir)` : `--dir ${given}`
  if (!statSync(dir).isDirectory()) throw new BenchError('BENCH_USAGE', `${where} is a file, not a folder. Pass --dir <path> naming a new or empty folder.`)
  if (readdirSync(dir).length > 0)
    throw new BenchError(
      'BENCH_USAGE',
      `${where} already exists and is not empty; bench create-plugin never overwrites files. Pass --dir <path> naming a new or empty folder.`,
    )
}
