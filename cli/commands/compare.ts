import type { Command } from 'commander'
import { stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { BenchError } from '../../core/errors.js'
import { checkedNumber } from '../parse-list.js'
import { compareBenchmarks, loadBenchmarkSet } from '../../reports/compare-benchmarks.js'
import { compareRuns, withBenchmarks } from '../../reports/compare.js'
import type { CompareFormat } from '../../reports/compare-format.js'
import { formatComparison } from '../../reports/compare-format.js'
import { readRun } from '../../core/run/run-record.js'

interface CompareFlags {
  threshold: string
  alpha: string
  resamples: string
  seed: string
  format: string
  failOnRegression?: boolean
  benchBase?: string
  benchNew?: string
  benchThreshold: string
  skipBadLines?: boolean
  output?: string
}

async function isDir(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false)
}

/**
 * `bench compare <base-run> <new-run>`: per-cell differences with paired-bootstrap CIs, Holm-corrected,
 * plus the performance benchmarks (from --bench-base/--bench-new, or each run's `benchmarks/`
 * folder). First says whether each cell is bit-identical to the base run. Prints Markdown, JSON or
 * JUnit XML; exits 3 when a cell changed on unchanged code, config and data (not reproducible),
 * else 1 on a regression with --fail-on-regression.
 */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('compare two runs cell by cell: bit-identical or not (exit 3 when unchanged code does not reproduce), then paired bootstrap, Holm-corrected, with the detectable drop; and their benchmark results; flag significant regressions')
    .argument('<base-run>', 'the reference run directory (e.g. the last good nightly)')
    .argument('<new-run>', 'the run directory to check')
    .option('-t, --threshold <points>', 'a regression must drop by more than this many percentage points', '1')
    .option('--alpha <a>', 'family-wise error rate across every cell\'s primary metrics: pass@1, Bo-N′, pass@max N (Holm)', '0.05')
    .option('--resamples <n>', 'bootstrap resamples (raised automatically when Holm needs more)', '1000')
    .option('--seed <n>', 'bootstrap seed', '0')
    .option('--format <format>', 'output: md (a CI comment), json or junit', 'md')
    .option('-o, --output <file>', 'also write the output to this file')
    .option('--fail-on-regression', 'exit with code 1 when a cell or a benchmark regressed')
    .option('--bench-base <path>', "base benchmark results (folder of <suite>.json or one file; default: <base-run>/benchmarks when present)")
    .option('--bench-new <path>', "new benchmark results (default: <new-run>/benchmarks when present)")
    .option('--bench-threshold <percent>', 'a benchmark regresses when worse by more than this percent (and more than its own noise)', '10')
    .option('--skip-bad-lines', 'skip malformed journal lines instead of failing')
    .action(async (baseDir: string, newDir: string, flags: CompareFlags) => {
      const format = flags.format as CompareFormat
      if (!['md', 'json', 'junit'].includes(format)) throw new BenchError('BENCH_USAGE', `unknown --format '${flags.format}'; use md, json or junit`)
      const threshold = checkedNumber(flags.threshold, '--threshold', (n) => n >= 0 && n <= 100, 'a number of points in 0..100')
      const alpha = checkedNumber(flags.alpha, '--alpha', (n) => n > 0 && n < 1, 'a number between 0 and 1')
      const resamples = checkedNumber(flags.resamples, '--resamples', (n) => Number.isInteger(n) && n >= 2, 'an integer ≥ 2')
      const seed = checkedNumber(flags.seed, '--seed', (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0')
      const benchThreshold = checkedNumber(flags.benchThreshold, '--bench-threshold', (n) => n >= 0, 'a percentage ≥ 0')
      const [base, next] = await Promise.all([readRun(baseDir, { skipBadLines: flags.skipBadLines }), readRun(newDir, { skipBadLines: flags.skipBadLines })])
      let comparison = compareRuns(base, next, { threshold, alpha, resamples, seed })

      const benchBase = flags.benchBase ?? ((await isDir(path.join(baseDir, 'benchmarks'))) ? path.join(baseDir, 'benchmarks') : undefined)
      const benchNew = flags.benchNew ?? ((await isDir(path.join(newDir, 'benchmarks'))) ? path.join(newDir, 'benchmarks') : undefined)
      if ((flags.benchBase || flags.benchNew) && !(benchBase && benchNew)) {
        throw new BenchError('BENCH_USAGE', 'give both --bench-base and --bench-new (or neither, to use each run\'s benchmarks/ folder)')
      }
      if (benchBase && benchNew) {
        const [a, b] = await Promise.all([loadBenchmarkSet(benchBase), loadBenchmarkSet(benchNew)])
        const benchmarks = compareBenchmarks(a.files, b.files, benchThreshold)
        benchmarks.warnings.push(...a.warnings, ...b.warnings)
        comparison = withBenchmarks(comparison, benchmarks)
      }
      const text = formatComparison(comparison, format)
      process.stdout.write(text)
      if (flags.output) await writeFile(flags.output, text)
      // Exit 3 (not reproducible) outranks 1: when unchanged code draws different numbers, no regression verdict can be trusted.
      if (comparison.notReproducible) process.exitCode = 3
      else if (flags.failOnRegression && comparison.regressed) process.exitCode = 1
    })
}
