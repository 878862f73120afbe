import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { builtins } from '../../../cli/builtins.js'
import { PluginRegistry } from '../../../core/registry/registry.js'
import { loadPluginRef } from '../../../core/registry/load-plugin.js'
import { validatePlugin } from '../../../core/registry/validate-plugin.js'
import { z } from 'zod'
import { tempDir } from '../../e2e/cli-helper.js'

const meta = { version: '1.0.0' }
const verifier = { name: 'acme/v', kind: 'verifier', meta, score: async () => [] }
const strategy = { name: 'acme/s', kind: 'strategy', meta, selection: 'reward', needs: () => ({ policySamples: 1 }), weights: () => ({ sequences: [] }) }
const { selection: _omit, ...strategyWithoutSelection } = strategy

// Valid and invalid plugin objects, like ESLint's RuleTester: each invalid case names the message it must give.
const valid: Array<[string, object]> = [
  ['a verifier', verifier],
  ['a model', { name: 'acme/m', kind: 'model', meta, create: async () => ({}) }],
  ['a task', { name: 'acme/t', kind: 'task', meta, load: async () => ({ train: [], test: [] }), rewardVerifier: 'acme/v' }],
  ['a strategy', strategy],
  ['a strategy that makes no picks', { ...strategy, selection: 'none' }],
  ['a reporter', { name: 'acme/r', kind: 'reporter', meta, onEvent: () => {} }],
]
const invalid: Array<[string, unknown, RegExp]> = [
  ['not an object', 42, /is a number, not a plugin object/],
  ['no name', { kind: 'verifier', meta, score: () => [] }, /has no name/],
  ['unknown kind', { ...verifier, kind: 'grader' }, /unknown kind 'grader'.*one of: model, verifier, task, strategy, reporter/],
  ['no kind', { name: 'acme/x', meta }, /has no kind/],
  ['no meta.version', { ...verifier, meta: {} }, /Plugin 'acme\/v'.*meta\.version/],
  ['a missing hook', { name: 'acme/m', kind: 'model', meta }, /Plugin 'acme\/m'.*'create' is missing/],
  ['a hook that is not a function', { ...verifier, score: 'yes' }, /'score' is a string, not a function/],
  ['a task without rewardVerifier', { name: 'acme/t', kind: 'task', meta, load: async () => ({}) }, /'rewardVerifier' is missing/],
  [
    'a strategy without selection',
    strategyWithoutSelection,
    /Plugin 'acme\/s'.*'selection' is missing\. Set selection to .*'reward' \(the environment reward R\), 'verifier' \(the verifier score r\) or 'none'/,
  ],
  ['a strategy with an unknown selection', { ...strategy, selection: 'oracle' }, /Plugin 'acme\/s'.*'selection' is "oracle"\. Set selection to/],
  ['a reporter with no hooks', { name: 'acme/r', kind: 'reporter', meta }, /at least one of the hooks onEvent, onRunEnd/],
  ['options failing the schema', { ...verifier, options: { k: -1 }, optionsSchema: z.object({ k: z.number().positive() }) }, /acme\/v.*invalid options/],
]

describe('validatePlugin', () => {
  it.each(valid)('accepts %s', (_, plugin) => {
    expect(validatePlugin(plugin, 'test')).toBe(plugin)
  })
  it.each(invalid)('rejects %s', (_, plugin, message) => {
    expect(() => validatePlugin(plugin, 'config')).toThrow(message)
  })
})

describe('PluginRegistry', () => {
  it('rejects two plugins with one name, naming both sources', () => {
    const registry = new PluginRegistry()
    registry.add(verifier as never, 'file:/a.ts')
    expect(() => registry.add({ ...verifier } as never, 'npm:bonbench-plugin-b@1.0.0')).toThrow(
      /Two plugins are named 'acme\/v' \(from file:\/a\.ts and from npm:bonbench-plugin-b@1\.0\.0\)/,
    )
  })

  it('resolves full names, short names and built-ins, and checks the kind', async () => {
    const registry = new PluginRegistry({ builtins })
    registry.add(verifier as never, 'inline')
    expect(await registry.get('verifier', 'acme/v')).toBe(await registry.get('verifier', 'v'))
    expect((await registry.get('verifier', 'math-answer')).name).toBe('bonbench:math-answer')
    expect((await registry.get('verifier', 'bonbench:math-answer')).name).toBe('bonbench:math-answer')
    await expect(registry.get('task', 'acme/v')).rejects.toThrow(/is a verifier plugin/)
    await expect(registry.get('model', 'gpt-9')).rejects.toThrow(/No model plugin named 'gpt-9'/)
  })

  it('knows no built-ins unless they are injected', async () => {
    const registry = new PluginRegistry()
    expect(registry.has('math-answer')).toBe(false)
    expect(registry.names('verifier')).toEqual([])
    await expect(registry.get('verifier', 'math-answer')).rejects.toThrow(/No verifier plugin named 'math-answer'/)
  })

  it('loads a built-in once, when two lookups race for it', async () => {
    const registry = new PluginRegistry({ builtins })
    const [a, b] = await Promise.all([registry.get('strategy', 'sft'), registry.get('strategy', 'bonbench:sft')])
    expect(a).toBe(b)
    expect(registry.list()).toHaveLength(1)
  })

  it("names each built-in's kind without loading it, and the kind is its plugin's", async () => {
    const registry = new PluginRegistry({ builtins })
    for (const short of registry.builtinNames()) {
      const factory = await registry.builtinFactory(short)
      expect(`${short}: ${factory?.({}).kind}`).toBe(`${short}: ${registry.builtinKind(short)}`)
    }
    expect(registry.builtinKind('toString')).toBeUndefined()
  })
})

describe('loadPluginRef', () => {
  const t = tempDir()
  afterAll(t.cleanup)
  const write = (name: string, text: string) => writeFileSync(join(t.dir, name), text)
  write('package.json', '{"type":"module"}')
  write('one.ts', "const n: string = 'acme/ts'\nexport default { name: n, kind: 'verifier', meta: { version: '2.0.0' }, score: async () => [] }\n")
  write(
    'factory.mjs',
    "export default (o) => [{ name: 'acme/f1', kind: 'verifier', meta: { version: '1.0.0' }, options: o, score: async () => [] }, { name: 'acme/f2', kind: 'reporter', meta: { version: '1.0.0' }, onEvent() {} }]\n",
  )
  write('named.js', "export const plugin = { name: 'acme/named', kind: 'reporter', meta: { version: '1.0.0' }, onRunEnd() {} }\n")
  write('empty.mjs', 'export const nothing = 1\n')
  write('broken.mjs', "export default { name: 'acme/broken', kind: 'model', meta: { version: '1' } }\n")
  write('throws.mjs', "export default (o) => { if (o.size < 0) throw new Error('size must be ≥ 0'); return [] }\n")

  it('loads .ts, .mjs and .js files (object, factory with options, named export)', async () => {
    const registry = new PluginRegistry()
    await loadPluginRef('./one.ts', registry, t.dir)
    await loadPluginRef(['./factory.mjs', { depth: 3 }], registry, t.dir)
    await loadPluginRef(join(t.dir, 'named.js'), registry, '/')
    expect(registry.list().map((e) => e.plugin.name)).toEqual(['acme/ts', 'acme/f1', 'acme/f2', 'acme/named'])
    expect(registry.entry('acme/f1')?.plugin.options).toEqual({ depth: 3 })
    expect(registry.entry('acme/ts')?.source).toBe(`file:${join(t.dir, 'one.ts')}`)
  })

  it('loads a built-in by name with options, and a plugin object', async () => {
    const registry = new PluginRegistry({ builtins })
    await loadPluginRef(['line', { intervalMs: 10 }], registry, t.dir)
    await loadPluginRef(verifier as never, registry, t.dir)
    expect(registry.entry('bonbench:line')?.source).toBe('built-in')
    expect(registry.entry('acme/v')?.source).toBe('inline')
  })

  it.each([
    ['./missing.ts', /does not exist/],
    ['./empty.mjs', /exports nothing usable/],
    ['./broken.mjs', /Plugin 'acme\/broken'.*'create' is missing/],
    ['bonbench-plugin-absent', /not installed.*npm i bonbench-plugin-absent/],
    ['@team/bonbench-plugin-absent', /not installed.*npm i @team\/bonbench-plugin-absent/],
    ['no-such-builtin', /Unknown plugin 'no-such-builtin'. Built-ins are: .*math/],
  ])('rejects %s with a clear error', async (ref, message) => {
    await expect(loadPluginRef(ref, new PluginRegistry({ builtins }), t.dir)).rejects.toThrow(message)
  })

  it('reports a hand-written factory that throws, naming the file and the options it was given, without claiming they were the cause', async () => {
    await expect(loadPluginRef(['./throws.mjs', { size: -1 }], new PluginRegistry(), t.dir)).rejects.toMatchObject({
      code: 'BENCH_PLUGIN_INVALID',
      message: expect.stringMatching(/throws\.mjs threw: size must be ≥ 0 \(called with the options \{"size":-1\}\)\. If the options are the cause, fix them/),
    })
  })

  describe("a kit factory: its option check rejects options, a throw in its create() is the plugin's", () => {
    const index = JSON.stringify(join(process.cwd(), 'core/index.ts'))
    write(
      'kit-create-throws.ts',
      `import { defineVerifier, z } from ${index}
export default defineVerifier({ name: 'acme/opens-file', meta: { version: '1.0.0' }, options: z.strictObject({ scale: z.number().positive().default(1) }),
  create: ({ scale }, { fail }) => {
    if (scale > 10) fail('scale', 'must be at most 10 for this model file')
    throw new Error('cannot open model file')
  } })
`,
    )
    it('create() throwing (valid options): BENCH_PLUGIN_INVALID naming the plugin and create(), not "rejected its options"', async () => {
      const thrown = (await loadPluginRef('./kit-create-throws.ts', new PluginRegistry(), t.dir).catch((e: unknown) => e)) as { code: string; message: string }
      expect(thrown).toMatchObject({ code: 'BENCH_PLUGIN_INVALID' })
      expect(thrown.message).toContain(
        `The plugin factory of file ${join(t.dir, 'kit-create-throws.ts')} (plugin 'acme/opens-file') threw in create(): cannot open model file. Its options {} passed the plugin's option check`,
      )
      expect(thrown.message).not.toContain('rejected its options')
    })
    write('zod-factory.ts', `import { z } from ${index}\nexport default (o: unknown) => { z.strictObject({ size: z.number() }).parse(o); return [] }\n`)
    it('a hand-written factory whose zod parse throws: BENCH_PLUGIN_OPTIONS, its options rejected', async () => {
      await expect(loadPluginRef(['./zod-factory.ts', { size: 'big' }], new PluginRegistry(), t.dir)).rejects.toMatchObject({
        code: 'BENCH_PLUGIN_OPTIONS',
        message: expect.stringContaining('zod-factory.ts rejected its options {"size":"big"}: '),
      })
    })
    it.each([
      ['the schema', { scale: -1 }, /acme\/opens-file: invalid options: scale: Too small/],
      ['fail()', { scale: 11 }, /acme\/opens-file: invalid options: scale: must be at most 10 for this model file/],
    ])('options %s rejects stay BENCH_PLUGIN_OPTIONS', async (_, options, message) => {
      await expect(loadPluginRef(['./kit-create-throws.ts', options], new PluginRegistry(), t.dir)).rejects.toMatchObject({
        code: 'BENCH_PLUGIN_OPTIONS',
        message: expect.stringMatching(message),
      })
    })
  })
})
