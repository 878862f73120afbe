import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineStrategy, defineVerifier } from '../../../core/plugin-api/define-plugin.js'
import { loadPluginRef } from '../../../core/registry/load-plugin.js'
import { PluginRegistry } from '../../../core/registry/registry.js'
import { tempDir } from '../../e2e/cli-helper.js'

const advice = 'create() must return the hooks synchronously; do async work in setup()'

describe('a kit definition whose create() is async', () => {
  it('is refused when the factory is called, naming the plugin and the fix (not "the hook \'score\' is missing")', () => {
    const factory = defineVerifier({
      name: 'my-lab/async-create',
      meta: { version: '1.0.0' },
      options: z.strictObject({}),
      create: (async () => ({ score: async () => [] })) as never,
    })
    expect(() => factory()).toThrow(expect.objectContaining({ code: 'BENCH_PLUGIN_INVALID', message: expect.stringContaining(advice) }))
    expect(() => factory()).toThrow(/^Plugin 'my-lab\/async-create': create\(\) returned a Promise/)
  })

  it('a create() that rejects is refused the same way, and its rejection is not left unhandled', async () => {
    const factory = defineStrategy({
      name: 'my-lab/async-reject',
      meta: { version: '1.0.0' },
      create: (() => Promise.reject(new Error('no db'))) as never,
    })
    expect(() => factory()).toThrow(advice)
    // An unhandled rejection would fail this test file (vitest reports it).
    await new Promise((resolve) => setTimeout(resolve, 10))
  })

  describe('loaded from a file (the plugin author imports bonbench)', () => {
    const t = tempDir()
    afterAll(t.cleanup)
    const kit = join(process.cwd(), 'core/plugin-api/define-plugin.ts')
    writeFileSync(join(t.dir, 'package.json'), '{"type":"module"}')
    writeFileSync(
      join(t.dir, 'async-create.ts'),
      `import { defineVerifier } from ${JSON.stringify(kit)}\nexport default defineVerifier({ name: 'my-lab/async-create-js', meta: { version: '1.0.0' }, create: (async () => ({ async score(b: unknown[]) { return b.map(() => ({ score: 0, reason: 'x' })) } })) as never })\n`,
    )
    it('the loader passes the error on as it is', async () => {
      await expect(loadPluginRef('./async-create.ts', new PluginRegistry(), t.dir)).rejects.toMatchObject({
        code: 'BENCH_PLUGIN_INVALID',
        message: expect.stringMatching(/^Plugin 'my-lab\/async-create-js': create\(\) returned a Promise .*do async work in setup\(\)/),
      })
    })
  })
})
