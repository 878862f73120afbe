import { describe, expect, it } from 'vitest'
import { parseQueueUrl, queueNameFor, queuesServedBy } from '../../../core/queue/connection.js'
import { pluginMismatches } from '../../../core/run/plugin-mismatches.js'
import { recordKey } from '../../../core/queue/protocol.js'

describe('parseQueueUrl', () => {
  it('takes redis:// and rediss:// URLs with a host and a numeric database', () => {
    expect(parseQueueUrl('redis://127.0.0.1:6379/0').port).toBe('6379')
    expect(parseQueueUrl('rediss://user:pw@redis.example:6380').hostname).toBe('redis.example')
  })
  it('refuses other URLs and non-URLs, naming --queue and the form to use', () => {
    expect(() => parseQueueUrl('localhost:6379')).toThrow(/--queue: .* is not a Redis URL|--queue: .* is not a URL/)
    expect(() => parseQueueUrl('http://127.0.0.1:6379')).toThrow("--queue: 'http://127.0.0.1:6379' is not a Redis URL")
    expect(() => parseQueueUrl('redis://127.0.0.1:6379/x')).toThrow('must be a number')
    expect(() => parseQueueUrl('not a url')).toThrow('is not a URL')
  })
})

describe('capability labels', () => {
  it('a run that requires labels goes to its own queue; a worker serves the plain queue and every subset of its labels', () => {
    expect(queueNameFor('bonbench', [])).toBe('bonbench')
    expect(queueNameFor('bonbench', ['gpu', 'big-mem', 'gpu'])).toBe('bonbench@big-mem+gpu')
    expect(queuesServedBy('bonbench', [])).toEqual(['bonbench'])
    expect(queuesServedBy('bonbench', ['gpu', 'big-mem']).sort()).toEqual(['bonbench', 'bonbench@big-mem', 'bonbench@big-mem+gpu', 'bonbench@gpu'])
  })
})

describe('pluginMismatches', () => {
  const plugin = (name: string, kind: string, version: string, options: Record<string, unknown> = {}) => ({ name, kind, version, options, source: 'built-in' })
  const run = { harness: { version: '1.0.0' }, plugins: [plugin('bonbench:toy', 'task', '1.0.0'), plugin('bonbench:json', 'reporter', '1.0.0')] }
  it('is empty when the cell plugins and bonbench match (sources and reporters may differ)', () => {
    expect(
      pluginMismatches(run, { harness: { version: '1.0.0' }, plugins: [{ ...plugin('bonbench:toy', 'task', '1.0.0'), source: 'file:/elsewhere' }] }),
    ).toEqual([])
  })
  it('names a different version, other options, a missing plugin and another bonbench', () => {
    expect(pluginMismatches(run, { harness: { version: '1.1.0' }, plugins: [plugin('bonbench:toy', 'task', '1.2.0')] })).toEqual([
      'bonbench 1.1.0 here, 1.0.0 in the run',
      'task bonbench:toy is version 1.2.0 here, 1.0.0 in the run',
    ])
    expect(pluginMismatches(run, { harness: { version: '1.0.0' }, plugins: [plugin('bonbench:toy', 'task', '1.0.0', { levels: [2] })] })[0]).toMatch(
      /has other options here/,
    )
    expect(pluginMismatches(run, { harness: { version: '1.0.0' }, plugins: [] })).toEqual(['task bonbench:toy@1.0.0 is not loaded here'])
  })
})

describe('recordKey', () => {
  it('identifies a record by cell and prompt or step, so a retried cell journals nothing twice', () => {
    const key = { task: 't', model: 'm', strategy: 'base', nTrain: 1, temperature: 1, seed: 1 }
    expect(recordKey({ type: 'pool', cellId: 'c', promptId: 'p', samples: [] })).toBe(recordKey({ type: 'pool', cellId: 'c', promptId: 'p', samples: [] }))
    expect(recordKey({ type: 'pool', cellId: 'c', promptId: 'p', samples: [] })).not.toBe(recordKey({ type: 'pool', cellId: 'c', promptId: 'q', samples: [] }))
    expect(recordKey({ type: 'train', cellId: 'c', log: { step: 3, loss: 1, gradNorm: 0 } })).toBe('train|c|3')
    expect(recordKey({ type: 'error', cellId: 'c', key, message: 'x' })).not.toBe(recordKey({ type: 'cell', cellId: 'c', key, result: {} as never }))
  })
})
