import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfigFile } from '../../../core/config/load-config.js'
import { mergePluginLists, resolveConfig } from '../../../core/config/resolve-config.js'
import type { UserConfig } from '../../../core/config/types.js'
import { setupRun } from '../../../core/run/setup.js'
import { tempDir } from '../../e2e/cli-helper.js'

const env = { command: 'run' }
let cleanups: Array<() => void> = []
afterEach(() => {
  cleanups.forEach((c) => c())
  cleanups = []
})
function project(files: Record<string, string>): string {
  const t = tempDir()
  cleanups.push(t.cleanup)
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(t.dir, name, '..'), { recursive: true })
    writeFileSync(join(t.dir, name), text)
  }
  return t.dir
}

describe('loadConfigFile', () => {
  it('loads a .ts config with defineConfig on Node 20', async () => {
    const repoCore = join(process.cwd(), 'core/config/types.ts')
    const cwd = project({
      'bench.config.ts': `import { defineConfig } from '${repoCore}'\nconst n: number[] = [1, 2]\nexport default defineConfig({ matrix: { task: 'toy', nGrid: n } })\n`,
    })
    const { config, file } = await loadConfigFile({ cwd, env })
    expect(file).toBe(join(cwd, 'bench.config.ts'))
    expect(config.matrix).toEqual({ task: 'toy', nGrid: [1, 2] })
  })

  it.each([
    ['bench.config.mjs', 'export default { matrix: { task: "a" } }'],
    ['bench.config.js', 'export default async () => ({ matrix: { task: "a" } })'],
    ['bench.config.json', '{ "matrix": { "task": "a" } }'],
  ])('loads %s', async (name, text) => {
    const cwd = project({ [name]: text, 'package.json': '{"type":"module"}' })
    const { config } = await loadConfigFile({ cwd, env })
    expect(config.matrix?.task).toBe('a')
  })

  it('prefers --config over the working directory', async () => {
    const cwd = project({ 'bench.config.json': '{ "matrix": { "task": "a" } }', 'other/x.json': '{ "matrix": { "task": "b" } }' })
    const { config } = await loadConfigFile({ cwd, env, configPath: 'other/x.json' })
    expect(config.matrix?.task).toBe('b')
  })

  it('returns an empty config when there is no file', async () => {
    expect(await loadConfigFile({ cwd: project({}), env })).toEqual({ config: {} })
  })

  it('rejects a missing --config file with what to do', async () => {
    await expect(loadConfigFile({ cwd: project({}), env, configPath: 'nope.ts' })).rejects.toMatchObject({
      code: 'BENCH_CONFIG_NOT_FOUND',
      message: expect.stringContaining('nope.ts'),
    })
  })

  it('lists the valid keys for an unknown one, at every level', async () => {
    const cwd = project({ 'bench.config.json': '{ "matix": {}, "matrix": { "seed": [1] } }' })
    const error = await loadConfigFile({ cwd, env }).catch((e) => e)
    expect(error.code).toBe('BENCH_CONFIG_INVALID')
    expect(error.message).toContain('bench.config.json')
    expect(error.message).toMatch(/unknown key 'matix'; valid keys are plugins, matrix, train/)
    expect(error.message).toMatch(/matrix: unknown key 'seed'; valid keys are task, model, strategies, nGrid, nTrain, temperatures, baseTemperatures, seeds/)
  })

  it('names the file and the problem for bad values and bad JSON', async () => {
    const bad = project({ 'bench.config.json': '{ "matrix": { "nGrid": [0, 2] } }' })
    await expect(loadConfigFile({ cwd: bad, env })).rejects.toThrow(/matrix\.nGrid\.0/)
    const broken = project({ 'bench.config.json': '{ "matrix": ' })
    await expect(loadConfigFile({ cwd: broken, env })).rejects.toThrow(/not valid JSON/)
    const noDefault = project({ 'bench.config.mjs': 'export const x = 1' })
    await expect(loadConfigFile({ cwd: noDefault, env })).rejects.toThrow(/no default export/)
  })

  it('names the file for a config function that throws, or whose promise rejects (a config error, not a bug in bonbench)', async () => {
    for (const body of ["() => { throw new Error('boom') }", "async () => { throw new Error('boom') }"]) {
      const dir = project({ 'bench.config.mjs': `export default ${body}\n` })
      await expect(loadConfigFile({ cwd: dir, env })).rejects.toMatchObject({
        code: 'BENCH_CONFIG_INVALID',
        message: `Config file ${join(dir, 'bench.config.mjs')}: its exported config function threw: boom. Fix the function (it is called with { command, preset }).`,
      })
    }
  })
})

describe('resolveConfig', () => {
  it('layers config file < preset < flags and freezes the result', () => {
    const resolved = resolveConfig({
      cwd: '/tmp',
      fileConfig: { matrix: { task: 'toy', seeds: [5] }, train: { steps: 3 } },
      preset: 'quick',
      flags: { matrix: { nGrid: [1, 4, 2] } },
    })
    expect(resolved.task).toBe('toy')
    expect(resolved.seeds).toEqual([0]) // the preset overrides the file
    expect(resolved.nGrid).toEqual([1, 2, 4]) // flags override the preset, sorted
    expect(resolved.poolSize).toBe(8) // 2 × the largest N
    expect(resolved.train.steps).toBe(8)
    expect(resolved.train.learningRate).toBeUndefined() // left to the model's own default
    expect(resolved.train.batchPrompts).toBe(8) // default kept
    expect(Object.isFrozen(resolved) && Object.isFrozen(resolved.train)).toBe(true)
  })

  it('puts the default preset under the config file when no preset is named', () => {
    const resolved = resolveConfig({ cwd: '/tmp', fileConfig: { matrix: { task: 'toy' }, train: { steps: 3 } } })
    expect(resolved.train.steps).toBe(3) // the file wins over the implicit default preset
    expect(resolved.eval.testPrompts).toBe(200) // the default preset fills the gap
    expect(resolved.nGrid).toEqual([1, 2, 4, 8, 16, 32])
  })

  it("merges plugins by plugin: a preset's task entry keeps the config file's model, server and task options", () => {
    const fileConfig = {
      plugins: [
        ['openai-compatible', { baseUrl: 'http://127.0.0.1:18431/v1', apiKeyEnv: 'LAB_KEY' }],
        ['bonbench:math', { levels: [2], testSize: 90 }],
        './my-verifier.ts',
      ],
      matrix: { task: 'math' },
    } satisfies UserConfig
    const quick = resolveConfig({ cwd: '/tmp', fileConfig, preset: 'quick' })
    // The preset's ['math', { levels: [1] }] wins on levels only; the rest of the file's plugins stay, in order.
    expect(quick.plugins).toEqual([
      ['openai-compatible', { baseUrl: 'http://127.0.0.1:18431/v1', apiKeyEnv: 'LAB_KEY' }],
      ['math', { levels: [1], testSize: 90 }],
      './my-verifier.ts',
    ])
    // The implicit default preset's plugins only fill a file that names none.
    expect(resolveConfig({ cwd: '/tmp', fileConfig }).plugins).toEqual(fileConfig.plugins)
    expect(resolveConfig({ cwd: '/tmp', fileConfig: { matrix: { task: 'math' } } }).plugins).toEqual([['math', { levels: [1] }]])
  })

  it("mergePluginLists: a later entry takes the earlier one's place with options merged; new ones follow; objects replace", () => {
    const inline = { name: 'lab/judge', kind: 'verifier' as const, meta: { version: '1.0.0' }, score: async () => [] }
    const replaced = { ...inline, meta: { version: '2.0.0' } }
    expect(mergePluginLists(['tabular', ['toy', { noise: 1 }], inline], [['tabular', { learningRate: 2 }], 'toy', replaced, 'rl'])).toEqual([
      ['tabular', { learningRate: 2 }],
      ['toy', { noise: 1 }],
      replaced,
      'rl',
    ])
    expect(mergePluginLists([['toy', { noise: 1, prompts: 9 }]], [['toy', { noise: 0 }]])).toEqual([['toy', { noise: 0, prompts: 9 }]])
  })

  it('defaults the pool to twice the largest N and rejects a smaller one', () => {
    expect(resolveConfig({ cwd: '/', fileConfig: { matrix: { task: 't', nGrid: [1, 8] } } }).poolSize).toBe(16)
    expect(() => resolveConfig({ cwd: '/', fileConfig: { matrix: { task: 't', nGrid: [1, 8], poolSize: 4 } } })).toThrow(/poolSize/)
  })

  it('requires a task and a known preset', () => {
    expect(() => resolveConfig({ cwd: '/', fileConfig: {} })).toThrow(/No task given/)
    expect(() => resolveConfig({ cwd: '/', fileConfig: { matrix: { task: 't' } }, preset: 'huge' })).toThrow(
      /Unknown preset 'huge'. Presets: quick, default, study, gpu/,
    )
  })

  it('rejects bad flags like bad config', () => {
    expect(() => resolveConfig({ cwd: '/', fileConfig: { matrix: { task: 't' } }, flags: { matrix: { temperatures: [-1] } } })).toThrow(/command-line flags/)
  })
})

describe('setupRun', () => {
  it('resolves relative plugin paths against the config file folder', async () => {
    const cwd = project({
      'conf/bench.config.json': JSON.stringify({ plugins: ['./plugins/echo.mjs'], matrix: { task: 'x' } }),
      'conf/plugins/echo.mjs':
        "export default { name: 'me/echo', kind: 'verifier', meta: { version: '0.0.1' }, async score(b) { return b.map(() => ({ score: 1, reason: 'passed' })) } }",
    })
    const { registry } = await setupRun({ cwd, configPath: 'conf/bench.config.json', command: 'run' })
    expect(registry.entry('me/echo')?.source).toBe(`file:${join(cwd, 'conf/plugins/echo.mjs')}`)
  })
})
