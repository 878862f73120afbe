import { describe, expect, it } from 'vitest'
import { dataFileMismatches, pluginMismatches } from '../../../core/run/plugin-mismatches.js'
import { tinyTransformer } from '../../../plugins/models/tiny-transformer/index.js'
import { jsonReporter } from '../../../reports/reporters/json.js'
import { lineReporter } from '../../../plugins/reporters/line/index.js'

describe('dataFileMismatches (a resumed run against its record)', () => {
  it('names each recorded file whose bytes are not loaded here; a file found by another path is the same file', () => {
    const recorded = [
      { path: 'data/a.jsonl', sha256: 'aaa' },
      { path: 'data/b.jsonl', sha256: 'bbb' },
    ]
    expect(dataFileMismatches(recorded, [...recorded])).toEqual([])
    // Resumed from another folder: the same bytes under other paths.
    expect(
      dataFileMismatches(recorded, [
        { path: '../x/data/a.jsonl', sha256: 'aaa' },
        { path: '../x/data/b.jsonl', sha256: 'bbb' },
      ]),
    ).toEqual([])
    expect(
      dataFileMismatches(recorded, [
        { path: 'data/a.jsonl', sha256: 'aaa' },
        { path: 'data/b.jsonl', sha256: 'ccc' },
      ]),
    ).toEqual(['data file data/b.jsonl (sha256 bbb in the run) is not loaded here with those bytes'])
    expect(dataFileMismatches(recorded, [])).toHaveLength(2)
  })
})

describe('pluginMismatches with neutral options (meta.neutralOptions)', () => {
  it('lets the options a plugin declares neutral differ, and no other', () => {
    const harness = { version: '1.0.0' }
    const record = (options: Record<string, unknown>) => ({ harness, plugins: [{ name: 'acme/api', kind: 'model', version: '1.0.0', options, source: 'x' }] })
    const recorded = record({ baseUrl: 'http://a/v1', temperature: 1 })
    const neutral = (kind: string, name: string) => (kind === 'model' && name === 'acme/api' ? ['baseUrl'] : [])
    expect(pluginMismatches(recorded, record({ baseUrl: 'http://b/v1', temperature: 1 }), neutral)).toEqual([])
    expect(pluginMismatches(recorded, record({ baseUrl: 'http://b/v1', temperature: 1 }))).toHaveLength(1)
    expect(pluginMismatches(recorded, record({ baseUrl: 'http://a/v1', temperature: 0.5 }), neutral)).toEqual([
      'model acme/api has other options here ({"baseUrl":"http://a/v1","temperature":0.5})',
    ])
  })

  it('accepts another tiny-transformer sampling-worker count (maxWorkers draws nothing else), not another size', () => {
    const harness = { version: '1.0.0' }
    const record = (options: Parameters<typeof tinyTransformer>[0]) => {
      const model = tinyTransformer(options)
      return { harness, plugins: [{ name: model.name, kind: 'model', version: model.meta.version, options: model.options ?? {}, source: 'builtin' }] }
    }
    const neutral = () => tinyTransformer().meta.neutralOptions ?? []
    const recorded = record({ width: 16, heads: 2, maxWorkers: 1 })
    expect(pluginMismatches(recorded, record({ width: 16, heads: 2 }), neutral)).toEqual([])
    expect(pluginMismatches(recorded, record({ width: 16, heads: 2, maxWorkers: 4 }), neutral)).toEqual([])
    expect(pluginMismatches(recorded, record({ width: 32, heads: 2, maxWorkers: 1 }), neutral)).toHaveLength(1)
  })

  it('says why a run whose run.json predates bonbench versions is refused, rather than naming a version "unknown"', () => {
    const plugins: never[] = []
    expect(pluginMismatches({ harness: { version: 'unknown' }, plugins }, { harness: { version: '0.1.0' }, plugins })).toEqual([
      'the run predates recorded bonbench versions (a version-1 run.json), so nothing shows that bonbench 0.1.0 here ran it',
    ])
    expect(pluginMismatches({ harness: { version: '0.0.9' }, plugins }, { harness: { version: '0.1.0' }, plugins })).toEqual([
      'bonbench 0.1.0 here, 0.0.9 in the run',
    ])
  })
})

describe('pluginMismatches: reporters, whose options decide what the reports hold', () => {
  const harness = { version: '1.0.0' }
  const json = (options: { alpha?: number }) => {
    const reporter = jsonReporter(options)
    return { name: reporter.name, kind: 'reporter', version: reporter.meta.version, options: reporter.options ?? {}, source: 'built-in' }
  }
  const recorded = { harness, plugins: [json({ alpha: 0.05 })] }

  it("names a recorded reporter loaded with other options (the json reporter's alpha changes which comparisons results.json calls significant)", () => {
    expect(pluginMismatches(recorded, { harness, plugins: [json({ alpha: 0.5 })] })).toEqual(['reporter bonbench:json has other options here ({"alpha":0.5})'])
    expect(pluginMismatches(recorded, { harness, plugins: [json({})] })).toEqual([])
  })

  it("lets the line reporter's display options differ (its meta.neutralOptions: how often progress prints is no result)", () => {
    const line = (options: { intervalMs?: number; step?: number }) => {
      const reporter = lineReporter(options)
      return { name: reporter.name, kind: 'reporter', version: reporter.meta.version, options: reporter.options ?? {}, source: 'built-in' }
    }
    const neutral = () => lineReporter({}).meta.neutralOptions ?? []
    expect(
      pluginMismatches({ harness, plugins: [line({ intervalMs: 1000, step: 0.25 })] }, { harness, plugins: [line({ intervalMs: 5000, step: 0.1 })] }, neutral),
    ).toEqual([])
  })

  it('lets a recorded reporter be absent (a queue worker or a resume with --no-reports writes no report)', () => {
    expect(pluginMismatches(recorded, { harness, plugins: [] })).toEqual([])
  })
})
