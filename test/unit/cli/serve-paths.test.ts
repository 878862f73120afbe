import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveCheckpoint } from '../../../cli/serve/resolve-checkpoint.js'
import { withModelOptions } from '../../../core/config/model-option-flags.js'
import { resolveConfig } from '../../../core/config/resolve-config.js'

const root = mkdtempSync(join(tmpdir(), 'bonbench-serve-paths-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('resolveCheckpoint (bench serve <checkpoint | run-dir/cell>)', () => {
  const run = join(root, 'run')
  const cell = join(run, 'checkpoints', 'sft-n1-t1-s0')
  mkdirSync(cell, { recursive: true })
  writeFileSync(join(cell, 'checkpoint.json'), '{}')

  it('takes a checkpoint folder as it is, and <run-dir>/<cell> as that cell’s checkpoint', () => {
    expect(resolveCheckpoint(cell, '/')).toBe(cell)
    expect(resolveCheckpoint('run/sft-n1-t1-s0', root)).toBe(cell)
  })

  it('refuses a run directory or an unknown cell, naming the run’s checkpoints', () => {
    expect(() => resolveCheckpoint(run, '/')).toThrow(/is not a checkpoint[\s\S]*sft-n1-t1-s0/)
    expect(() => resolveCheckpoint(join(run, 'base-n1-t1-s0'), '/')).toThrow(expect.objectContaining({ code: 'BENCH_USAGE' }))
  })
})

describe('withModelOptions (--base-url)', () => {
  const resolved = (plugins: unknown[]) =>
    resolveConfig({ cwd: root, fileConfig: { plugins: plugins as never, matrix: { task: 'math', model: 'openai-compatible' } } })

  it('merges over the config’s own options for the model and keeps every other plugin', () => {
    const config = withModelOptions(resolved(['toy', ['openai-compatible', { model: 'm', baseUrl: 'http://a/v1' }]]), { baseUrl: 'http://b/v1' })
    expect(config.plugins).toEqual(['toy', ['openai-compatible', { model: 'm', baseUrl: 'http://b/v1' }]])
    expect(Object.isFrozen(config.plugins)).toBe(true)
  })

  it('adds the model with the options when the config does not list it, and changes nothing without options', () => {
    expect(withModelOptions(resolved(['toy']), { baseUrl: 'http://b/v1' }).plugins).toEqual(['toy', ['openai-compatible', { baseUrl: 'http://b/v1' }]])
    expect(withModelOptions(resolved(['openai-compatible']), { baseUrl: 'http://b/v1' }).plugins).toEqual([['openai-compatible', { baseUrl: 'http://b/v1' }]])
    const same = resolved(['toy'])
    expect(withModelOptions(same, {})).toBe(same)
  })
})
