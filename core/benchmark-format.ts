import { execFileSync } from 'node:child_process'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Bench } from 'tinybench'
import { z } from 'zod'
import { BenchError } from './errors.js'
import { packageRoot } from './package-root.js'

/**
 * The one benchmark JSON format of the project. Every tinybench suite in benchmarks/ writes one
 * file per suite, benchmarks/results/<suite>.json, and the nightly comparison reads them back.
 * A file is self-describing: the suite, when, on which machine (and backend), and a flat list of
 * records, each one number with its unit and direction, so a comparison needs no per-suite code:
 * two files match record by (suite, case, metric).
 */

/** Format tag and version written into every file; readers reject anything else. */
export const BENCHMARK_FORMAT = 'bonbench-benchmark'
export const BENCHMARK_FORMAT_VERSION = 1

const params = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))

/** One measured number. */
export const benchmarkRecordSchema = z.object({
  /** What was measured, unique within the suite with `metric` (e.g. 'pass@k all k, n=1024'). */
  case: z.string().min(1),
  /** Which statistic (e.g. 'latency-mean', 'throughput', 'flops-fraction'). */
  metric: z.string().min(1),
  value: z.number(),
  /** Unit of `value` (e.g. 'ms', 'ops/s', 'samples/s', 'ratio'). */
  unit: z.string().min(1),
  /** Direction: true when a larger value is an improvement (throughput), false for latency. */
  higherIsBetter: z.boolean(),
  /** Relative margin of error in percent (95%), where the suite measured one. */
  rme: z.number().nonnegative().optional(),
  /** How many timed samples the value summarises. */
  samples: z.number().int().nonnegative().optional(),
  /** The case's parameters as data (n, k, backend…), for grouping and plots. */
  params: params.optional(),
  /** Tolerated for files written before this format existed; the file's `suite` is authoritative. */
  suite: z.string().optional(),
})

/** Machine facts: comparisons across different machines are flagged, not silently made. */
export const machineFactsSchema = z.object({
  cpus: z.number().int().positive(),
  cpuModel: z.string(),
  node: z.string(),
  os: z.string(),
  arch: z.string(),
  totalMemoryBytes: z.number().nonnegative().optional(),
  /** 1-minute load average when the suite started (the harness machine is often shared). */
  loadAverage: z.number().nonnegative().optional(),
  /** Compute backend of the suite, where it has one (e.g. 'wasm', 'cpu'). */
  backend: z.string().optional(),
})

/** A whole results file. */
export const benchmarkFileSchema = z.object({
  format: z.literal(BENCHMARK_FORMAT),
  version: z.literal(BENCHMARK_FORMAT_VERSION),
  suite: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  /** ISO 8601 time the file was written. */
  createdAt: z.iso.datetime({ offset: true }),
  git: z.object({ commit: z.string(), dirty: z.boolean().optional() }).optional(),
  machine: machineFactsSchema,
  /** Free text: load on the machine, caveats. */
  notes: z.string().optional(),
  records: z.array(benchmarkRecordSchema),
})

/** One measured number of a suite. */
export type BenchmarkRecord = z.infer<typeof benchmarkRecordSchema>
/** Facts about the machine a suite ran on. */
export type MachineFacts = z.infer<typeof machineFactsSchema>
/** The parsed, validated content of benchmarks/results/<suite>.json. */
export type BenchmarkFile = z.infer<typeof benchmarkFileSchema>

/**
 * Where results go: $BENCH_RESULTS_DIR (resolved against the working directory) when set, else
 * benchmarks/results in this repository.
 */
export function benchmarkResultsDir(): string {
  const fromEnv = process.env.BENCH_RESULTS_DIR
  return fromEnv ? path.resolve(fromEnv) : path.join(packageRoot, 'benchmarks', 'results')
}

/** Facts about this machine, now. */
export function machineFacts(extra: { backend?: string } = {}): MachineFacts {
  const cpus = os.cpus()
  const facts: MachineFacts = {
    cpus: Math.max(1, cpus.length),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    arch: process.arch,
    totalMemoryBytes: os.totalmem(),
    loadAverage: os.loadavg()[0]!,
  }
  if (extra.backend !== undefined) facts.backend = extra.backend
  return facts
}

function gitFacts(): BenchmarkFile['git'] {
  try {
    const run = (args: string[]) => execFileSync('git', args, { cwd: packageRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    return { commit: run(['rev-parse', 'HEAD']).trim(), dirty: run(['status', '--porcelain']).trim() !== '' }
  } catch {
    return undefined
  }
}

/** Options of `writeBenchmarkResults`. */
export interface WriteBenchmarkOptions {
  /** Output folder; default `benchmarkResultsDir()`. */
  dir?: string
  backend?: string
  notes?: string
  /** Fixes createdAt (tests). */
  now?: Date
}

/**
 * Writes benchmarks/results/<suite>.json (or into `dir`) after validating it against the schema;
 * the write goes through a temporary file and a rename, so a reader never sees half a file.
 * Returns the path written. Throws BENCH_USAGE for a suite name that is not a plain file name, or
 * a record that does not fit the format.
 */
export async function writeBenchmarkResults(suite: string, records: readonly BenchmarkRecord[], opts: WriteBenchmarkOptions = {}): Promise<string> {
  const content = {
    format: BENCHMARK_FORMAT,
    version: BENCHMARK_FORMAT_VERSION,
    suite,
    createdAt: (opts.now ?? new Date()).toISOString(),
    git: gitFacts(),
    machine: machineFacts({ backend: opts.backend }),
    notes: opts.notes,
    records: [...records],
  }
  const parsed = benchmarkFileSchema.safeParse(content)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new BenchError(
      'BENCH_USAGE',
      `benchmark results for suite '${suite}' do not fit the format at ${issue.path.join('.') || '(file)'}: ${issue.message} (suite names are lower-case file names like 'metrics')`,
    )
  }
  const dir = opts.dir ?? benchmarkResultsDir()
  await mkdir(dir, { recursive: true })
  const file = path.join(dir, `${suite}.json`)
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, `${JSON.stringify(parsed.data, null, 2)}\n`)
  await rename(tmp, file)
  return file
}

/**
 * Reads and validates one results file. Throws BENCH_DATA_MISSING when it cannot be read and
 * BENCH_DATA_INVALID (naming the file and the first bad field) when it is not this format.
 */
export async function readBenchmarkResults(file: string): Promise<BenchmarkFile> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new BenchError('BENCH_DATA_MISSING', `cannot read benchmark results ${file}: ${(error as Error).message}`, { cause: error })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new BenchError('BENCH_DATA_INVALID', `${file} is not JSON: ${(error as Error).message}`, { cause: error })
  }
  const parsed = benchmarkFileSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new BenchError(
      'BENCH_DATA_INVALID',
      `${file} is not a ${BENCHMARK_FORMAT} v${BENCHMARK_FORMAT_VERSION} file: ${issue.path.join('.') || '(file)'}: ${issue.message}`,
    )
  }
  return parsed.data
}

/**
 * Reads results files in order; a file that cannot be read or is not in the format is skipped with
 * a warning naming it (`skipped <file>: <why>`), never an error: one bad file does not hide the rest.
 */
export async function readBenchmarkResultsFiles(paths: readonly string[]): Promise<{ files: BenchmarkFile[]; warnings: string[] }> {
  const files: BenchmarkFile[] = []
  const warnings: string[] = []
  for (const file of paths) {
    try {
      files.push(await readBenchmarkResults(file))
    } catch (error) {
      warnings.push(`skipped ${file}: ${(error as Error).message}`)
    }
  }
  return { files, warnings }
}

/**
 * Turns a finished tinybench `Bench` into records: per task, the mean, median and p99 latency
 * (ms, lower is better) and the mean throughput (ops/s, higher is better), each with the sample
 * count and relative margin of error. `params(taskName)` attaches the case's parameters. Throws
 * BENCH_RUN_INVALID naming the task when a task errored or never ran.
 */
export function recordsFromBench(bench: Pick<Bench, 'tasks'>, opts: { params?: (taskName: string) => z.infer<typeof params> } = {}): BenchmarkRecord[] {
  const records: BenchmarkRecord[] = []
  for (const task of bench.tasks) {
    const result = task.result
    if (result.state === 'errored') {
      throw new BenchError('BENCH_RUN_INVALID', `benchmark task '${task.name}' failed: ${result.error.message}`, { cause: result.error })
    }
    if (result.state !== 'completed' && result.state !== 'aborted-with-statistics') {
      throw new BenchError('BENCH_RUN_INVALID', `benchmark task '${task.name}' has no statistics (state ${result.state}); run the bench first`)
    }
    const base = { case: task.name, samples: result.latency.samplesCount, ...(opts.params ? { params: opts.params(task.name) } : {}) }
    const latency = { unit: 'ms', higherIsBetter: false, rme: Number.isFinite(result.latency.rme) ? result.latency.rme : undefined }
    records.push(
      { ...base, ...latency, metric: 'latency-mean', value: result.latency.mean },
      { ...base, ...latency, metric: 'latency-p50', value: result.latency.p50 },
      { ...base, ...latency, metric: 'latency-p99', value: result.latency.p99 },
      {
        ...base,
        metric: 'throughput',
        value: result.throughput.mean,
        unit: 'ops/s',
        higherIsBetter: true,
        rme: Number.isFinite(result.throughput.rme) ? result.throughput.rme : undefined,
      },
    )
  }
  return records
}
