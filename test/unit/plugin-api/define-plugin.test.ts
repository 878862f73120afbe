import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { definePlugin, defineVerifier, isBenchError, type VerifierPlugin } from '../../../core/index.js'
import { optionRows, optionsJsonSchema } from '../../../core/plugin-api/options-schema.js'
import { PluginRegistry } from '../../../core/registry/registry.js'
import { validatePlugin } from '../../../core/registry/validate-plugin.js'

const exactMatch = defineVerifier({
  name: 'acme/exact-match',
  meta: { version: '1.2.0', description: 'Exact string match' },
  options: z.strictObject({
    trim: z.boolean().default(true).describe('Trim whitespace before comparing'),
    'case-sensitive': z.boolean().default(false).describe('Compare letters as written'),
    limits: z
      .strictObject({ chars: z.int().min(1).default(100).describe('Longest text compared') })
      .prefault({})
      .describe('Limits'),
    mode: z.enum(['exact', 'prefix']).optional().describe('How texts are compared'),
  }),
  create: (o, { fail }) => {
    if (o.mode === 'prefix' && !o.trim) fail('mode', "'prefix' needs trim: true")
    return {
      async score(batch) {
        return batch.map(({ completion, problem }) => {
          const a = o.trim ? completion.trim() : completion
          const pass = a === problem.answer
          return { score: pass ? 1 : 0, reward: pass ? 1 : 0, pass, reason: pass ? 'passed' : 'failed' }
        })
      },
    }
  },
})

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn()
  } catch (error) {
    return error as Error & { code?: string }
  }
  throw new Error('expected a throw')
}

describe('plugin kit: definePlugin and define<Kind>', () => {
  it('makes a plain plugin object with defaults applied, the options recorded and the schema attached', () => {
    const plugin = exactMatch()
    expect(plugin).toMatchObject({ name: 'acme/exact-match', kind: 'verifier', meta: { version: '1.2.0', description: 'Exact string match' } })
    expect(plugin.options).toEqual({ trim: true, 'case-sensitive': false, limits: { chars: 100 } })
    expect(exactMatch({ limits: { chars: 5 } }).options).toMatchObject({ limits: { chars: 5 } })
    expect(typeof plugin.score).toBe('function')
    expect(validatePlugin(plugin, 'test')).toBe(plugin)
    expect(new PluginRegistry().add(exactMatch({ trim: false }), 'inline').options).toMatchObject({ trim: false })
    // The factory describes its plugin without making one.
    expect([exactMatch.pluginName, exactMatch.kind, exactMatch.meta.version]).toEqual(['acme/exact-match', 'verifier', '1.2.0'])
  })

  it('types the options from the schema (input for the factory, output for create)', () => {
    expectTypeOf(exactMatch)
      .parameter(0)
      .toEqualTypeOf<{ trim?: boolean; 'case-sensitive'?: boolean; limits?: { chars?: number }; mode?: 'exact' | 'prefix' } | undefined>()
    expectTypeOf(exactMatch()).toMatchTypeOf<VerifierPlugin>()
    defineVerifier({
      name: 'acme/typed',
      meta: { version: '1.0.0' },
      options: z.strictObject({ n: z.int().default(3) }),
      create: (o) => {
        expectTypeOf(o).toEqualTypeOf<{ n: number }>()
        return { score: async () => [] }
      },
    })
    // @ts-expect-error -- an unknown option is a type error too
    expect(() => exactMatch({ colour: 'red' })).toThrow(/unknown option 'colour'/)
  })

  it('rejects bad options with one error code and a message naming plugin, option path, value, allowed options and the fix', () => {
    const error = thrown(() => exactMatch({ limits: { chars: 0 }, trim: 'yes' } as never))
    expect(isBenchError(error) && error.code).toBe('BENCH_PLUGIN_OPTIONS')
    expect(error.message).toBe(
      "acme/exact-match: invalid options: trim: Invalid input: expected boolean, received string (got \"yes\"); limits.chars: Too small: expected number to be >=1 (got 0). Allowed options: trim, case-sensitive, limits, mode. Fix them where the config lists the plugin ('name' or ['name', { …options }]); `bench list acme/exact-match` describes each option.",
    )
    expect(thrown(() => exactMatch({ colour: 'red', size: 1 } as never)).message).toMatch(
      /^acme\/exact-match: invalid options: unknown options 'colour', 'size'\. Allowed options: trim, case-sensitive, limits, mode\./,
    )
    expect(thrown(() => exactMatch({ mode: 'fuzzy' } as never)).message).toMatch(/mode: Invalid option: expected one of "exact"\|"prefix" \(got "fuzzy"\)/)
    expect(thrown(() => exactMatch('fast' as never)).message).toMatch(
      /acme\/exact-match: invalid options: options: Invalid input: expected object, received string \(got "fast"\)/,
    )
  })

  it("reports create's cross-option checks (fail) in the same form", () => {
    const error = thrown(() => exactMatch({ mode: 'prefix', trim: false }))
    expect(error.code).toBe('BENCH_PLUGIN_OPTIONS')
    expect(error.message).toMatch(
      /^acme\/exact-match: invalid options: mode: 'prefix' needs trim: true \(got "prefix"\)\. Allowed options: trim, case-sensitive, limits, mode\./,
    )
  })

  it('reads a camelCase key as its kebab-case twin and back', () => {
    expect(exactMatch({ caseSensitive: true } as never).options).toMatchObject({ 'case-sensitive': true })
    const camel = definePlugin({
      kind: 'reporter',
      name: 'acme/r',
      meta: { version: '1.0.0' },
      options: z.strictObject({ maxRows: z.int().default(1) }),
      create: () => ({ onRunEnd() {} }),
    })
    expect(camel({ 'max-rows': 4 } as never).options).toEqual({ maxRows: 4 })
  })

  it('takes no options when it declares none, and keeps getters and overrides from create', () => {
    let calls = 0
    const counter = definePlugin({
      kind: 'task',
      name: 'acme/counter',
      meta: { version: '1.0.0', description: 'static' },
      create: () => ({
        rewardVerifier: 'math-answer',
        get evaluationOnly() {
          return ++calls > 1
        },
        meta: { description: 'from create' },
        options: { derived: 1 },
        load: async () => ({ train: [], test: [] }),
      }),
    })
    const task = counter()
    expect(calls).toBe(0)
    expect([task.evaluationOnly, task.evaluationOnly]).toEqual([false, true])
    expect(task.meta).toEqual({ version: '1.0.0', description: 'from create' })
    expect(task.options).toEqual({ derived: 1 })
    expect(thrown(() => counter({ x: 1 })).message).toMatch(/acme\/counter: invalid options: unknown option 'x'\. Allowed options: \(none\)\./)
  })

  it('still returns a finished plugin object unchanged (the older identity form)', () => {
    const plugin: VerifierPlugin = { name: 'acme/v', kind: 'verifier', meta: { version: '1.0.0' }, score: async () => [] }
    expect(defineVerifier(plugin)).toBe(plugin)
    const inline = defineVerifier({
      name: 'acme/inline',
      kind: 'verifier',
      meta: { version: '1.0.0' },
      async score(batch) {
        return batch.map(({ completion }) => ({ score: completion.length, reason: 'scored' }))
      },
    })
    expect(inline.kind).toBe('verifier')
    // @ts-expect-error -- a verdict without its score is a type error in this form too
    defineVerifier({
      name: 'acme/broken',
      kind: 'verifier',
      meta: { version: '1.0.0' },
      score: async (batch) => batch.map(() => ({ pass: true, reason: 'passed' })),
    })
  })

  it('describes the options as JSON Schema and as rows', () => {
    const schema = optionsJsonSchema(exactMatch.optionsSchema)!
    expect(schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      properties: { trim: { type: 'boolean', default: true, description: 'Trim whitespace before comparing' } },
    })
    expect(optionRows(schema)).toEqual([
      { name: 'trim', type: 'boolean', default: 'true', description: 'Trim whitespace before comparing' },
      { name: 'case-sensitive', type: 'boolean', default: 'false', description: 'Compare letters as written' },
      { name: 'limits', type: 'object', default: '{}', description: 'Limits' },
      { name: 'limits.chars', type: 'integer', default: '100', description: 'Longest text compared' },
      { name: 'mode', type: '"exact" | "prefix"', default: '', description: 'How texts are compared' },
    ])
    expect(optionsJsonSchema({ safeParse: () => ({ success: true, data: {} }) })).toBeUndefined()
  })

  it("the loader's re-check of `options` against `optionsSchema` gives the same message form", () => {
    const plugin = { ...exactMatch(), options: { trim: 1 } }
    expect(thrown(() => validatePlugin(plugin, 'file:/x.ts')).message).toMatch(
      /^acme\/exact-match \(file:\/x\.ts\): invalid options: trim: Invalid input: expected boolean, received number \(got 1\)/,
    )
  })
})
