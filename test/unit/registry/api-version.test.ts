import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bonbenchVersion, checkApiVersion } from '../../../core/registry/api-version.js'
import { loadPluginRef } from '../../../core/registry/load-plugin.js'
import { PluginRegistry } from '../../../core/registry/registry.js'
import { isValidRange, satisfies } from '../../../core/registry/semver-range.js'
import { defineVerifier } from '../../../core/index.js'

describe('semver ranges (meta.apiVersion)', () => {
  it.each([
    ['0.1.0', '0.1.0', true],
    ['0.1.1', '0.1.0', false],
    ['0.1.0', '=0.1.0', true],
    ['0.1.5', '^0.1.0', true],
    ['0.2.0', '^0.1.0', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['1.9.0', '^1.2.3', true],
    ['2.0.0', '^1.2.3', false],
    ['1.2.2', '^1.2.3', false],
    ['0.9.0', '^0', true],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['0.1.0', '>=0.1.0', true],
    ['0.0.9', '>=0.1.0', false],
    ['0.3.0', '>=0.1.0 <0.3.0', false],
    ['0.2.9', '>=0.1.0 <0.3.0', true],
    ['0.2.0', '>0.1', true],
    ['0.1.9', '>0.1', false],
    ['0.1.9', '<=0.1', true],
    ['5.0.0', '*', true],
    ['1.4.2', '1.x', true],
    ['2.0.0', '1.x', false],
    ['1.2.7', '1.2.*', true],
    ['0.5.0', '^0.1.0 || ^0.5.0', true],
    ['0.4.0', '^0.1.0 || ^0.5.0', false],
    ['1.0.0-rc.1', '^1.0.0', true],
  ])('%s satisfies %s: %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected)
  })

  it('rejects what is not a range', () => {
    for (const range of ['latest', '^one', '>=1.2.3.4', '1.2.3 - ']) expect(isValidRange(range)).toBe(false)
    for (const range of ['^0.1.0', '>= 0.1.0', '*', '1.x || 2']) expect(isValidRange(range)).toBe(true)
  })
})

describe('the loader checks meta.apiVersion against the installed bonbench', () => {
  const plugin = (apiVersion?: string) =>
    defineVerifier({ name: 'acme/v', meta: { version: '1.0.0', ...(apiVersion ? { apiVersion } : {}) }, create: () => ({ score: async () => [] }) })()

  it('accepts a plugin whose range holds the installed version, and one without apiVersion', () => {
    expect(() => new PluginRegistry().add(plugin(`^${bonbenchVersion}`), 'inline')).not.toThrow()
    expect(() => new PluginRegistry().add(plugin(), 'inline')).not.toThrow()
    expect(() => checkApiVersion({ name: 'acme/v', meta: { apiVersion: '>=0.1.0 <0.3.0' } }, 'inline', '0.2.4')).not.toThrow()
  })

  it('rejects one that needs another version: names the plugin, where it came from, the range, the installed version and what to do', () => {
    expect(() => checkApiVersion({ name: 'acme/v', meta: { apiVersion: '^2.0.0' } }, 'npm:bonbench-plugin-v@1.0.0', '0.1.0')).toThrow(
      expect.objectContaining({
        code: 'BENCH_PLUGIN_API_VERSION',
        message:
          "Plugin 'acme/v' (npm:bonbench-plugin-v@1.0.0) needs bonbench ^2.0.0 (its meta.apiVersion), but bonbench 0.1.0 is installed. Install a bonbench in that range from its checkout or npm pack tarball (npm install -D <path to it>: bonbench is not on the npm registry), or a version of the plugin made for bonbench 0.1.0.",
      }),
    )
    expect(() => new PluginRegistry().add(plugin('>=99.0.0'), 'inline')).toThrow(
      expect.objectContaining({ code: 'BENCH_PLUGIN_API_VERSION', message: expect.stringContaining(`bonbench ${bonbenchVersion} is installed`) }),
    )
  })

  it('rejects an apiVersion that is not a range', () => {
    expect(() => new PluginRegistry().add(plugin('latest'), 'inline')).toThrow(
      expect.objectContaining({
        code: 'BENCH_PLUGIN_INVALID',
        message: expect.stringMatching(/acme\/v.*meta\.apiVersion "latest", which is not a semver range/),
      }),
    )
  })

  it('checks plugins loaded from a file too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bonbench-api-'))
    try {
      writeFileSync(
        join(dir, 'old.mjs'),
        "export default { name: 'acme/old', kind: 'verifier', meta: { version: '1.0.0', apiVersion: '^0.0.1' }, score: async () => [] }\n",
      )
      await expect(loadPluginRef('./old.mjs', new PluginRegistry(), dir)).rejects.toMatchObject({
        code: 'BENCH_PLUGIN_API_VERSION',
        message: expect.stringMatching(/^Plugin 'acme\/old' \(file:.*old\.mjs\) needs bonbench \^0\.0\.1/),
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
