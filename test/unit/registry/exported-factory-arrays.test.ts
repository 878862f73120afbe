import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadPluginRef } from '../../../core/registry/load-plugin.js'
import { PluginRegistry } from '../../../core/registry/registry.js'
import { validatePlugin } from '../../../core/registry/validate-plugin.js'
import { defineVerifier } from '../../../core/plugin-api/define-plugin.js'
import { tempDir } from '../../e2e/cli-helper.js'

const kit = join(process.cwd(), 'core/plugin-api/define-plugin.ts')
const verifier = (name: string, options = '') =>
  `defineVerifier({ name: '${name}', meta: { version: '1.0.0' }, ${options} create: (o: Record<string, unknown>) => ({ options: o, async score(b: unknown[]) { return b.map(() => ({ score: 0, reason: 'x' })) } }) })`

describe('a module that exports an array of plugin factories', () => {
  const t = tempDir()
  afterAll(t.cleanup)
  const write = (name: string, text: string) => writeFileSync(join(t.dir, name), text)
  write('package.json', '{"type":"module"}')
  write('factories.ts', `import { defineVerifier } from ${JSON.stringify(kit)}\nexport default [${verifier('my-lab/fa')}, ${verifier('my-lab/fb')}]\n`)
  write(
    'mixed.ts',
    `import { defineVerifier, z } from ${JSON.stringify(join(process.cwd(), 'core/index.ts'))}\nexport default [${verifier('my-lab/fc', 'options: z.strictObject({ trim: z.boolean().default(true) }),')}, { name: 'my-lab/plain', kind: 'reporter', meta: { version: '1.0.0' }, onEvent() {} }]\n`,
  )
  write(
    'required.ts',
    `import { defineVerifier, z } from ${JSON.stringify(join(process.cwd(), 'core/index.ts'))}\nexport default [${verifier('my-lab/needs-url', 'options: z.strictObject({ url: z.string() }),')}]\n`,
  )

  it('loads each factory with its default options, as a default-exported factory is', async () => {
    const registry = new PluginRegistry()
    const loaded = await loadPluginRef('./factories.ts', registry, t.dir)
    expect(loaded.map((p) => `${p.kind} ${p.name}`)).toEqual(['verifier my-lab/fa', 'verifier my-lab/fb'])
    await loadPluginRef('./mixed.ts', registry, t.dir)
    expect(registry.entry('my-lab/fc')?.plugin.options).toEqual({ trim: true })
    expect(registry.entry('my-lab/plain')?.plugin.kind).toBe('reporter')
  })

  it('refuses options given for the whole array, saying why and what to do', async () => {
    await expect(loadPluginRef(['./factories.ts', { trim: false }], new PluginRegistry(), t.dir)).rejects.toMatchObject({
      code: 'BENCH_PLUGIN_OPTIONS',
      message: expect.stringMatching(/exports an array of plugin factories, so the options \{"trim":false\} do not say which plugin they are for/),
    })
  })

  it("a factory in the array whose options are required fails naming that plugin's option", async () => {
    await expect(loadPluginRef('./required.ts', new PluginRegistry(), t.dir)).rejects.toMatchObject({
      code: 'BENCH_PLUGIN_OPTIONS',
      message: expect.stringContaining('my-lab/needs-url'),
    })
  })

  it('a factory where a plugin object is expected: named, and told to call it (no "or a factory" contradiction)', () => {
    const factory = defineVerifier({ name: 'my-lab/fa', meta: { version: '1.0.0' }, create: () => ({ score: async () => [] }) })
    let message = ''
    try {
      validatePlugin(factory, 'file /x.ts')
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toBe(
      "The plugin from file /x.ts is a function (the factory of 'my-lab/fa'), not a plugin object. Where a plugin object is expected, call the factory (e.g. myPlugin({ …options })) and use what it returns.",
    )
  })
})
