import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BenchError } from '../errors.js'
import { packageRoot } from '../package-root.js'
import { isValidRange, satisfies } from './semver-range.js'

/** The installed bonbench's version (its package.json): the plugin API version `meta.apiVersion` is checked against. */
export const bonbenchVersion: string = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version

/**
 * Checks a plugin's `meta.apiVersion` (a semver range of the bonbench plugin API it needs, e.g.
 * `^0.1.0`) against `installed`. Runs when the plugin is loaded, before any run. An absent
 * apiVersion is accepted (the plugin claims nothing). Throws BENCH_PLUGIN_INVALID for a range
 * that is not semver and BENCH_PLUGIN_API_VERSION when the installed bonbench is outside it, each
 * naming the plugin, where it came from, the range and the installed version, and what to do
 * (bonbench is not on the npm registry: a bonbench in the range is installed from a checkout or tarball).
 */
export function checkApiVersion(plugin: { name: string; meta: { apiVersion?: unknown } }, source: string, installed: string = bonbenchVersion): void {
  const range = plugin.meta.apiVersion
  if (range === undefined) return
  const label = `Plugin '${plugin.name}' (${source})`
  if (typeof range !== 'string' || !isValidRange(range)) {
    throw new BenchError(
      'BENCH_PLUGIN_INVALID',
      `${label} has meta.apiVersion ${JSON.stringify(range)}, which is not a semver range. Write the bonbench versions the plugin works with, e.g. apiVersion: '^${installed}', or leave it out.`,
    )
  }
  if (satisfies(installed, range)) return
  throw new BenchError(
    'BENCH_PLUGIN_API_VERSION',
    `${label} needs bonbench ${range} (its meta.apiVersion), but bonbench ${installed} is installed. Install a bonbench in that range from its checkout or npm pack tarball (npm install -D <path to it>: bonbench is not on the npm registry), or a version of the plugin made for bonbench ${installed}.`,
  )
}
