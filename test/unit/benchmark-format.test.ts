import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Bench } from 'tinybench'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BENCHMARK_FORMAT, benchmarkResultsDir, readBenchmarkResults, recordsFromBench, writeBenchmarkResults } from '../../core/benchmark-format.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bonbench-format-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const record = { case: 'pass@k n=1024', metric: 'latency-mean', value: 0.12, unit: 'ms', higherIsBetter: false }

describe('benchmark format', () => {
  it('writes <suite>.json that reads back identically, with machine facts', async () => {
    const file = await writeBenchmarkResults('metrics', [record], { dir, backend: 'cpu', now: new Date('2026-01-02T03:04:05Z'), notes: 'taken under load' })
    expect(file).toBe(path.join(dir, 'metrics.json'))
    const back = await readBenchmarkResults(file)
    expect(back).toMatchObject({ format: BENCHMARK_FORMAT, version: 1, suite: 'metrics', createdAt: '2026-01-02T03:04:05.000Z', notes: 'taken under load' })
    expect(back.records).toEqual([record])
    expect(back.machine.backend).toBe('cpu')
    expect(back.machine.cpus).toBeGreaterThan(0)
    expect(back.machine.node).toBe(process.version)
    expect(JSON.parse(await readFile(file, 'utf8')).records[0].case).toBe('pass@k n=1024')
  })

  it('honours BENCH_RESULTS_DIR', async () => {
    const before = process.env.BENCH_RESULTS_DIR
    process.env.BENCH_RESULTS_DIR = dir
    try {
      expect(benchmarkResultsDir()).toBe(path.resolve(dir))
      expect(await writeBenchmarkResults('env-suite', [record])).toBe(path.join(dir, 'env-suite.json'))
    } finally {
      if (before === undefined) delete process.env.BENCH_RESULTS_DIR
      else process.env.BENCH_RESULTS_DIR = before
    }
    expect(benchmarkResultsDir()).toMatch(/benchmarks[/\\]results$/)
  })

  it('refuses a suite name that is not a plain file name, and a bad record', async () => {
    await expect(writeBenchmarkResults('../escape', [record], { dir })).rejects.toMatchObject({ code: 'BENCH_USAGE' })
    await expect(writeBenchmarkResults('ok', [{ ...record, unit: '' }], { dir })).rejects.toThrow(/records\.0\.unit/)
  })

  it('rejects files of another format, a missing file, and non-JSON with the file named', async () => {
    const other = path.join(dir, 'other.json')
    await writeFile(other, JSON.stringify({ format: 'something-else', version: 1 }))
    await expect(readBenchmarkResults(other)).rejects.toMatchObject({ code: 'BENCH_DATA_INVALID', message: expect.stringContaining('other.json') })
    await expect(readBenchmarkResults(path.join(dir, 'none.json'))).rejects.toMatchObject({ code: 'BENCH_DATA_MISSING' })
    const broken = path.join(dir, 'broken.json')
    await writeFile(broken, '{')
    await expect(readBenchmarkResults(broken)).rejects.toMatchObject({ code: 'BENCH_DATA_INVALID' })
  })

  it('turns a tinybench run into latency and throughput records with their directions', async () => {
    const bench = new Bench({ time: 5, iterations: 5, warmup: false })
    bench.add('sum', () => {
      let s = 0
      for (let i = 0; i < 100; i++) s += i
      return s
    })
    await bench.run()
    const records = recordsFromBench(bench, { params: () => ({ n: 100 }) })
    expect(records.map((r) => r.metric)).toEqual(['latency-mean', 'latency-p50', 'latency-p99', 'throughput'])
    expect(records.every((r) => r.case === 'sum' && r.params?.n === 100 && (r.samples ?? 0) >= 5)).toBe(true)
    expect(records[0]!).toMatchObject({ unit: 'ms', higherIsBetter: false })
    expect(records[3]!).toMatchObject({ unit: 'ops/s', higherIsBetter: true })
    expect(records[3]!.value).toBeGreaterThan(0)
    await writeBenchmarkResults('from-bench', records, { dir })
    expect((await readBenchmarkResults(path.join(dir, 'from-bench.json'))).records).toHaveLength(4)
  })

  it('reports a task that threw, by name', async () => {
    const bench = new Bench({ time: 1, iterations: 1, warmup: false, throws: false })
    bench.add('broken', () => {
      throw new Error('boom')
    })
    await bench.run()
    expect(() => recordsFromBench(bench)).toThrow(/'broken' failed: boom/)
  })
})
