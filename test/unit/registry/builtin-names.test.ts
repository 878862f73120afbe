import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { builtins as catalog } from '../../../cli/builtins.js'
import type { Plugin, TaskPlugin } from '../../../core/plugin-api/index.js'
import type { BuiltinPlugins } from '../../../core/registry/builtin-plugins.js'
import { loadPluginRef } from '../../../core/registry/load-plugin.js'
import { PluginRegistry } from '../../../core/registry/registry.js'
import { builtins as factories } from '../../helpers/builtin-factories.js'
import { tempDir } from '../../e2e/cli-helper.js'

// The lookup order (README "Writing a plugin", docs/plugins.md "The kit"): an exact name, then the
// built-in `bonbench:<name>`, then a unique `<package>/<name>` suffix for names no built-in has —
// the same whether or not the built-in was loaded yet. `bonbench:` and the built-ins' short names
// are theirs alone.

const meta = { version: '1.0.0' }
const verifier = (name: string): Plugin => ({ name, kind: 'verifier', meta, score: async (batch) => batch.map(() => ({ score: 0, reward: 0, reason: 'x' })) })
const strategy = (name: string): Plugin => ({
  name,
  kind: 'strategy',
  meta,
  selection: 'none',
  needs: () => ({ policySamples: 1 }),
  weights: () => ({ sequences: [] }),
})

/** The real built-ins, counting which were loaded. */
function counted(): { builtins: BuiltinPlugins; loaded: string[] } {
  const loaded: string[] = []
  const builtins = Object.fromEntries(
    Object.entries(catalog).map(([short, b]) => [
      short,
      {
        kind: b.kind,
        load: async () => {
          loaded.push(short)
          return b.load()
        },
      },
    ]),
  )
  return { builtins, loaded }
}

const project = tempDir('bonbench-builtin-names-')
afterAll(() => project.cleanup())

describe('a built-in short name means the built-in', () => {
  it('even when a third-party <package>/<name> was added first and the built-in was never loaded', async () => {
    const { builtins, loaded } = counted()
    const registry = new PluginRegistry({ builtins })
    const shadow = registry.add(verifier('x/toy-answer'), 'file:/tmp/shadow.mjs')
    expect(loaded).toEqual([])
    expect(registry.entry('toy-answer')).toBeUndefined()

    const resolved = await registry.get('verifier', 'toy-answer')
    expect(resolved.name).toBe('bonbench:toy-answer')
    expect(resolved.name).toBe(factories['toy-answer']!().name)
    expect(registry.entry('toy-answer')?.source).toBe('built-in')
    expect(loaded).toEqual(['toy-answer'])
    // The third-party one by its full name.
    expect(await registry.get('verifier', 'x/toy-answer')).toBe(shadow)
  })

  it("so the toy task's reward verifier ('toy-answer') is the built-in, with a file plugin x/toy-answer loaded by the config", async () => {
    writeFileSync(
      join(project.dir, 'shadow.mjs'),
      "export default { name: 'x/toy-answer', kind: 'verifier', meta: { version: '1' }, score: async (b) => b.map(() => ({ score: 0, reward: 0, reason: 'x' })) }\n",
    )
    const registry = new PluginRegistry({ builtins: catalog })
    await loadPluginRef('./shadow.mjs', registry, project.dir)
    const task = await registry.get('task', 'toy')
    expect(task.rewardVerifier).toBe((factories.toy!() as TaskPlugin).rewardVerifier)
    const reward = await registry.get('verifier', task.rewardVerifier)
    expect(registry.entry(reward.name)).toMatchObject({ source: 'built-in', plugin: { name: 'bonbench:toy-answer' } })
  })

  it('whatever the order: the built-in loaded before or after the third-party one', async () => {
    const before = new PluginRegistry({ builtins: catalog })
    await before.get('verifier', 'toy-answer')
    before.add(verifier('x/toy-answer'), 'inline')
    const after = new PluginRegistry({ builtins: catalog })
    after.add(verifier('x/toy-answer'), 'inline')
    for (const registry of [before, after]) {
      expect((await registry.get('verifier', 'toy-answer')).name).toBe('bonbench:toy-answer')
      expect((await registry.get('verifier', 'bonbench:toy-answer')).name).toBe('bonbench:toy-answer')
      expect(registry.has('toy-answer')).toBe(true)
    }
  })

  it('names the third-party plugin when the short name means a built-in of another kind', async () => {
    const registry = new PluginRegistry({ builtins: catalog })
    registry.add(strategy('x/toy'), 'inline')
    await expect(registry.get('strategy', 'toy')).rejects.toThrow(/'toy' is a task plugin \(built-in\).*for the strategy 'x\/toy', write its full name/)
    expect((await registry.get('strategy', 'x/toy')).name).toBe('x/toy')
  })
})

describe('the suffix rule, for names no built-in has', () => {
  it("resolves a unique <package>/<name> by its short name, and refuses an ambiguous one, beside a package's plugin that shares a built-in's name", async () => {
    const registry = new PluginRegistry({ builtins: catalog })
    const dice = registry.add(verifier('x/dice'), 'npm:bonbench-plugin-x@1.0.0')
    const shadow = registry.add(verifier('x/toy-answer'), 'npm:bonbench-plugin-x@1.0.0')
    expect(await registry.get('verifier', 'dice')).toBe(dice)
    expect(registry.entry('dice')).toMatchObject({ source: 'npm:bonbench-plugin-x@1.0.0' })
    // The same package's x/toy-answer is no suffix match: 'toy-answer' is the built-in's.
    expect(await registry.get('verifier', 'toy-answer')).not.toBe(shadow)
    expect(registry.entry('toy-answer')?.source).toBe('built-in')
    registry.add(verifier('y/dice'), 'inline')
    await expect(registry.get('verifier', 'dice')).rejects.toMatchObject({
      code: 'BENCH_PLUGIN_DUPLICATE',
      message: expect.stringMatching(/'dice' is ambiguous/),
    })
  })
})

describe('the bonbench: namespace is reserved for the built-ins', () => {
  it('refuses a plugin file named bonbench:<name>, naming the file and the fix', async () => {
    const file = join(project.dir, 'reserved.mjs')
    writeFileSync(
      file,
      "export default { name: 'bonbench:foo', kind: 'verifier', meta: { version: '1' }, score: async (b) => b.map(() => ({ score: 0, reason: 'x' })) }\n",
    )
    const registry = new PluginRegistry({ builtins: catalog })
    const error = await loadPluginRef('./reserved.mjs', registry, project.dir).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'BenchError', code: 'BENCH_PLUGIN_RESERVED_NAME' })
    expect((error as Error).message).toContain(`Plugin 'bonbench:foo' (from the file ${file})`)
    expect((error as Error).message).toContain("reserved for bonbench's built-in plugins. Name it '<package>/foo'")
    expect(registry.list()).toEqual([])
  })

  it("refuses one from a package (the fix names the package) and one taking a built-in's name, loaded or not", async () => {
    const registry = new PluginRegistry({ builtins: catalog })
    expect(() => registry.add(verifier('bonbench:toy-answer'), 'npm:@acme/bonbench-plugin-x@1.0.0')).toThrow(
      /Plugin 'bonbench:toy-answer' \(from the package @acme\/bonbench-plugin-x@1\.0\.0\) uses the namespace 'bonbench:'.*Name it '@acme\/bonbench-plugin-x\/toy-answer'/,
    )
    await registry.get('verifier', 'toy-answer')
    expect(() => registry.add(verifier('bonbench:toy-answer'), 'file:/tmp/a.mjs')).toThrow(expect.objectContaining({ code: 'BENCH_PLUGIN_RESERVED_NAME' }))
    // A bare built-in short name would win the exact-name lookup: refused too.
    expect(() => registry.add(verifier('math-answer'), 'file:/tmp/b.mjs')).toThrow(
      expect.objectContaining({
        code: 'BENCH_PLUGIN_RESERVED_NAME',
        message: expect.stringMatching(
          /Plugin 'math-answer' \(from the file \/tmp\/b\.mjs\) has the short name of the built-in verifier 'bonbench:math-answer'/,
        ),
      }),
    )
    expect(registry.list().map((e) => `${e.plugin.name} ${e.source}`)).toEqual(['bonbench:toy-answer built-in'])
    // A program that hands over plugin objects (a built-in made with options, composed in code) keeps their names.
    registry.add(verifier('bonbench:math-answer'), 'inline')
    expect(registry.entry('math-answer')?.source).toBe('inline')
  })

  it('still loads a built-in by name with options, and refuses a file taking its bonbench: name afterwards', async () => {
    const registry = new PluginRegistry({ builtins: catalog })
    const [plugin] = await loadPluginRef(['toy', { prompts: 3 }], registry, project.dir)
    expect(registry.entry('toy')).toMatchObject({ source: 'built-in', plugin: { name: 'bonbench:toy' } })
    expect(plugin!.name).toBe('bonbench:toy')
    writeFileSync(
      join(project.dir, 'toy.mjs'),
      "export default { name: 'bonbench:toy', kind: 'task', meta: { version: '1' }, rewardVerifier: 'toy-answer', load: async () => ({ train: [], test: [] }) }\n",
    )
    await expect(loadPluginRef('./toy.mjs', registry, project.dir)).rejects.toMatchObject({
      code: 'BENCH_PLUGIN_RESERVED_NAME',
      message: expect.stringContaining(`Plugin 'bonbench:toy' (from the file ${join(project.dir, 'toy.mjs')})`),
    })
  })
})
