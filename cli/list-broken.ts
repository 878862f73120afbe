import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { PluginKind } from '../core/plugin-api/common.js'
import { resolvePackage } from '../core/registry/load-plugin.js'
import type { BrokenPackage } from '../core/registry/registry.js'
import { pluginKinds } from '../core/registry/validate-plugin.js'

/** Whether a broken entry is an installed package (found by discovery or named by the config), not a config's plugin file or built-in. */
function installed(b: BrokenPackage): boolean {
  return b.source.startsWith('npm:')
}

/** The package.json of an installed broken package, with where its folder really is (a linked package: its own folder). */
function manifestOf(b: BrokenPackage, baseDir: string): { manifest: Record<string, unknown>; entry: string; dir: string } | undefined {
  if (!installed(b)) return undefined
  try {
    const { entry, dir } = resolvePackage(b.name, baseDir)
    return { manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>, entry, dir }
  } catch {
    return undefined
  }
}

/**
 * What to do about an installed package whose entry file is missing — most often a plugin package
 * installed by path (`npm i ../bonbench-plugin-x`) before its TypeScript was compiled: build it in
 * its own folder. Empty for every other failure. Starts with a space, to follow the error.
 */
export function brokenHint(b: BrokenPackage, baseDir: string): string {
  const found = manifestOf(b, baseDir)
  if (!found || existsSync(found.entry)) return ''
  const scripts = (found.manifest.scripts ?? {}) as Record<string, unknown>
  const dir = realpathSync(found.dir)
  const file = relative(found.dir, found.entry)
  if (typeof scripts.build !== 'string') return ` Its entry file ${file} is missing: reinstall ${b.name}.`
  const test = typeof scripts.test === 'string' && scripts.test.includes('build') ? ' (or `npm test`, which builds it first)' : ''
  return ` Its entry file ${file} is missing: the package is not built. Run \`npm run build\`${test} in ${dir}.`
}

/**
 * The plugin kinds a broken entry is known to hold, or undefined when unknown: an installed
 * package's `bonbench-<kind>` keywords in its package.json (`bench create-plugin` writes one).
 * `bench list --kind` keeps a broken entry unless its kinds are known and exclude the kind.
 */
export function brokenKinds(b: BrokenPackage, baseDir: string): PluginKind[] | undefined {
  const keywords = manifestOf(b, baseDir)?.manifest.keywords
  if (!Array.isArray(keywords)) return undefined
  const kinds = pluginKinds.filter((kind) => keywords.includes(`bonbench-${kind}`))
  return kinds.length > 0 ? kinds : undefined
}

/** Where a broken entry came from, for a sentence: "the installed package X" or "the config's plugin X". */
export function brokenOrigin(b: BrokenPackage): string {
  return installed(b) ? `the installed package ${b.name}` : `the config's plugin ${b.name}`
}

/** A broken entry as a `bench list --json` row: `kind: 'broken'`, with its error, and `hint` when there is something to do about it. */
export function brokenRow(b: BrokenPackage, baseDir: string) {
  const hint = brokenHint(b, baseDir).trim()
  return {
    kind: 'broken' as const,
    name: b.name,
    source: b.source,
    version: /@([^@]+)$/.exec(b.source)?.[1] ?? '',
    code: b.error.code,
    error: b.error.message,
    ...(hint ? { hint } : {}),
  }
}

/** One line per broken entry, `<indent><name>: <error> <hint>`, for an error message that may concern one of them. */
export function brokenLines(broken: readonly BrokenPackage[], baseDir: string, indent = '  '): string {
  return broken.map((b) => `\n${indent}${b.name}: ${b.error.message}${brokenHint(b, baseDir)}`).join('')
}

/**
 * The lines `bench list` prints below its table for what failed to load: the config's own plugins
 * (files, or built-ins given options they reject), then the installed packages.
 */
export function renderBroken(broken: readonly BrokenPackage[], baseDir: string): string {
  const lines: string[] = []
  const groups: Array<[string, BrokenPackage[]]> = [
    ["broken (the config's plugins that failed to load; not available):", broken.filter((b) => !installed(b))],
    ['broken (installed, failed to load; their plugins are not available):', broken.filter(installed)],
  ]
  for (const [heading, group] of groups) {
    if (group.length === 0) continue
    lines.push('', heading)
    for (const b of group) lines.push(`  ${b.name}  ${b.source}`, `    ${(b.error.message + brokenHint(b, baseDir)).split('\n').join('\n    ')}`)
  }
  return lines.join('\n') + '\n'
}
