import { describe, expect, expectTypeOf, it } from 'vitest'
import { defineConfig } from '../../../core/index.js'
import type { ConfigEnv, EvalConfig, MatrixConfig, PluginRef, TrainConfig, UserConfig } from '../../../core/index.js'
import type { ResolvedConfig } from '../../../core/config/resolve-config.js'
import { userConfigSchema } from '../../../core/config/schema.js'
import type { VerifierPlugin } from '../../../core/plugin-api/verifier.js'

// Type-level tests: UserConfig is inferred from userConfigSchema (z.input), so these pin what a
// bench.config.ts may say. `tsc --noEmit` checks them (test/ is in tsconfig.json); vitest runs the
// runtime half, which parses the same configs with the schema.

const verifier = {} as VerifierPlugin

/** A config that uses every field, in each form the schema takes. */
const everything = {
  plugins: ['math', ['bonbench:math-answer', { tolerance: 0.01 }], verifier, './my-plugin.ts'],
  matrix: {
    task: 'math',
    model: 'tiny-transformer',
    strategies: ['bon-rl', 'bon-rlb'],
    nGrid: [1, 2, 4],
    nTrain: [4],
    temperatures: [0.7, 1],
    baseTemperatures: [1.3],
    seeds: [0, 1],
    poolSize: 16,
    verifier: 'learned',
  },
  train: {
    steps: 10,
    batchPrompts: 8,
    learningRate: 1e-3,
    learningRates: { 'bon-rl': 3e-4 },
    pretrainSteps: 0,
    pretrainBatch: 32,
    pretrainLearningRate: 1e-3,
    lambda: 'kl-match',
  },
  eval: { testPrompts: 64, threshold: 1, bootstrap: 200 },
  data: './data.jsonl',
  taskSeed: 1,
  runsDir: '.bench/runs',
  cacheDir: '.bench/cache',
  concurrency: 2,
  backend: 'cpu',
} satisfies UserConfig

describe('UserConfig (inferred from userConfigSchema)', () => {
  it('takes every field a config file may set, and the schema accepts the same object', () => {
    expectTypeOf(everything).toExtend<UserConfig>()
    expect(userConfigSchema.safeParse({ ...everything, plugins: everything.plugins.slice(0, 2) }).success).toBe(true)
  })

  it('has the field types of the hand-written interfaces it replaced', () => {
    expectTypeOf<MatrixConfig['nGrid']>().toEqualTypeOf<number[] | undefined>()
    expectTypeOf<MatrixConfig['task']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<TrainConfig['lambda']>().toEqualTypeOf<'kl-match' | 'N-1' | number | undefined>()
    expectTypeOf<TrainConfig['learningRates']>().toEqualTypeOf<Record<string, number> | undefined>()
    expectTypeOf<EvalConfig['bootstrap']>().toEqualTypeOf<number | undefined>()
    expectTypeOf<UserConfig['matrix']>().toEqualTypeOf<MatrixConfig | undefined>()
    expectTypeOf<UserConfig['train']>().toEqualTypeOf<TrainConfig | undefined>()
    expectTypeOf<UserConfig['eval']>().toEqualTypeOf<EvalConfig | undefined>()
    expectTypeOf<PluginRef>().toEqualTypeOf<string | [string, Record<string, unknown>] | import('../../../core/plugin-api/index.js').Plugin>()
    expectTypeOf<Record<never, never>>().toExtend<UserConfig>()
  })

  it('rejects unknown keys and wrong value types at compile time, as the schema does at load time', () => {
    // @ts-expect-error an unknown top-level key
    void defineConfig({ matrx: { task: 'math' } })
    // @ts-expect-error an unknown nested key
    void defineConfig({ matrix: { tsk: 'math' } })
    // @ts-expect-error N values are numbers
    void defineConfig({ matrix: { nGrid: ['4'] } })
    // @ts-expect-error lambda is 'kl-match', 'N-1' or a number
    void defineConfig({ train: { lambda: 'kl' } })
    // @ts-expect-error [name, options]: options is an object
    void defineConfig({ plugins: [['math', 3]] })
    expect(userConfigSchema.safeParse({ matrx: {} }).success).toBe(false)
    expect(userConfigSchema.safeParse({ train: { lambda: 'kl' } }).success).toBe(false)
  })
})

describe('defineConfig', () => {
  it('keeps its three overloads: an object, a promise and (env) => config', async () => {
    expectTypeOf(defineConfig({ matrix: { task: 'math' } })).toEqualTypeOf<UserConfig>()
    expectTypeOf(defineConfig(Promise.resolve({ matrix: { task: 'math' } }))).toEqualTypeOf<Promise<UserConfig>>()
    const fn = defineConfig((env) => {
      expectTypeOf(env).toEqualTypeOf<ConfigEnv>()
      return { matrix: { task: env.preset ?? 'math' } }
    })
    expectTypeOf(fn).toEqualTypeOf<(env: ConfigEnv) => UserConfig | Promise<UserConfig>>()
    const asyncFn = defineConfig(async () => ({ matrix: { task: 'math' } }))
    expectTypeOf(asyncFn).returns.toEqualTypeOf<UserConfig | Promise<UserConfig>>()
    expect(await asyncFn({ command: 'run' })).toEqual({ matrix: { task: 'math' } })
  })

  it('is the identity at run time', () => {
    expect(defineConfig(everything)).toBe(everything)
  })
})

describe('ResolvedConfig', () => {
  it('stays a different type from UserConfig: required, readonly fields with defaults applied', () => {
    expectTypeOf<ResolvedConfig>().not.toEqualTypeOf<UserConfig>()
    expectTypeOf<ResolvedConfig['task']>().toEqualTypeOf<string>()
    expectTypeOf<ResolvedConfig['nGrid']>().toEqualTypeOf<readonly number[]>()
    expectTypeOf<ResolvedConfig['train']['steps']>().toEqualTypeOf<number>()
    expectTypeOf<ResolvedConfig['train']['lambda']>().toEqualTypeOf<'kl-match' | 'N-1' | number>()
    expectTypeOf<ResolvedConfig['eval']['testPrompts']>().toEqualTypeOf<number | undefined>()
    expectTypeOf<ResolvedConfig>().not.toExtend<UserConfig>()
  })
})
