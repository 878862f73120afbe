import type { Command } from 'commander'
import { stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { BenchError } from '../../core/errors.js'
import { deprecatedAlias, addExamples } from '../option-vocabulary.js'
import { choiceFlag, integerAtLeast, nonNegative, numberFlag, openUnit } from '../parse-list.js'
import { loadBenchmarkHistory } from '../../reports/benchmark-history.js'
import { compareBenchmarks, loadBenchmarkSet } from '../../reports/compare-benchmarks.js'
import { compareRuns, withBenchmarks } from '../../reports/compare.js'
import type { CompareFormat } from '../../reports/compare-format.js'
import { formatComparison } from '../../reports/compare-format.js'
import { readRun } from '../../core/run/run-record.js'

interface CompareFlags {
  threshold: number
  alpha: number
  resamples: number
  seeds: number
  format: CompareFormat
  failOnRegression?: boolean
  benchBase?: string
  benchNew?: string
  benchHistory?: string
  benchThreshold: number
  benchStrict?: boolean
  skipBadLines?: boolean
  out?: string
}

const formats: readonly CompareFormat[] = ['md', 'json', 'junit']

async function isDir(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  )
}

/**
 * `bench compare <base-run> <new-run>`: per-cell differences with paired-bootstrap CIs, Holm-corrected,
 * plus the performance benchmarks (from --bench-base/--bench-new, or each run's `benchmarks/`
 * folder). First says whether each cell is bit-identical to the base run. Prints Markdown, JSON or
 * JUnit XML; exits 3 when a cell changed on unchanged code, config and data (not reproducible),
 * else 1 on a regression with --fail-on-regression.
 */
export function registerCompare(program: Command): void {
  const command = program
    .command('compare')
    .description(
      'compare two runs cell by cell: bit-identical or not (exit 3 when unchanged code does not reproduce), then paired bootstrap, Holm-corrected, with the detectable drop; and their benchmark results; flag significant regressions',
    )
    .argument('<base-run>', 'the reference run directory (e.g. the last good nightly)')
    .argument('<new-run>', 'the run directory to check')
    .option(
      '--threshold <points>',
      'a regression must drop by more than this many percentage points, in 0..100',
      numberFlag('--threshold', { range: 'a number of points in 0..100', test: (n) => n >= 0 && n <= 100 }, 'the threshold'),
      1,
    )
    .option(
      '--alpha <a>',
      "family-wise error rate across every cell's primary metrics: pass@1, Bo-N′, pass@max N (Holm), in (0, 1)",
      numberFlag('--alpha', openUnit, 'alpha'),
      0.05,
    )
    .option(
      '--resamples <n>',
      'bootstrap resamples, an integer ≥ 2 (raised automatically when Holm needs more)',
      numberFlag('--resamples', integerAtLeast(2), 'the number of resamples'),
      1000,
    )
    .option('--seeds <n>', 'seed of the bootstrap, an integer ≥ 0', numberFlag('--seeds', integerAtLeast(0), 'the seed'), 0)
    .option('-f, --format <format>', 'output: md (a CI comment), json or junit', choiceFlag('--format', formats), 'md')
    .option('-o, --out <file>', 'also write the output to this file')
    .option('--fail-on-regression', 'exit with code 1 when a cell or a benchmark regressed, or the new run lacks cells, seeds or N values of the base run')
    .option('--bench-base <path>', 'base benchmark results (folder of <suite>.json or one file; default: <base-run>/benchmarks when present)')
    .option('--bench-new <path>', 'new benchmark results (default: <new-run>/benchmarks when present)')
    .option(
      '--bench-history <folder>',
      "earlier nights' benchmark results (<night>/<suite>.json): show each ratio over time, and judge a record by the band its earlier values drew",
    )
    .option(
      '--bench-strict',
      'let a benchmark record judged against the base run alone (fewer than 3 earlier nights of --bench-history) fail --fail-on-regression; by default it is reported as not judged',
    )
    .option(
      '--bench-threshold <percent>',
      'a benchmark regresses when worse by more than this percent, ≥ 0 (and more than its own noise)',
      numberFlag('--bench-threshold', nonNegative, 'the percentage'),
      10,
    )
    .option('--skip-bad-lines', 'skip malformed journal lines instead of failing')
  deprecatedAlias(command, '--output <file>', 'out', '--out')
  deprecatedAlias(command, '--seed <n>', 'seeds', '--seeds')
  addExamples(command, [
    'bench compare last-good/ .bench/runs/<id>/ --fail-on-regression',
    'bench compare base/ new/ --format junit --out compare.xml --threshold 2',
    'bench compare last-good/ tonight/ --bench-history bench-history/ --fail-on-regression',
  ]).action(async (baseDir: string, newDir: string, flags: CompareFlags) => {
    const { format, threshold, alpha, resamples, seeds: seed, benchThreshold } = flags
    const [base, next] = await Promise.all([readRun(baseDir, { skipBadLines: flags.skipBadLines }), readRun(newDir, { skipBadLines: flags.skipBadLines })])
    // readRun drops a torn last line (as a resume must) and keeps it in `torn`: compare names it, for the base run above all.
    let comparison = compareRuns(base, next, { threshold, alpha, resamples, seed })
    // On stderr too: CI sends stdout to a file, and a cut base run changes no exit code.
    for (const cut of comparison.cutJournals) process.stderr.write(`bench: warning: ${cut.message}\n`)

    const benchBase = flags.benchBase ?? ((await isDir(path.join(baseDir, 'benchmarks'))) ? path.join(baseDir, 'benchmarks') : undefined)
    const benchNew = flags.benchNew ?? ((await isDir(path.join(newDir, 'benchmarks'))) ? path.join(newDir, 'benchmarks') : undefined)
    if ((flags.benchBase || flags.benchNew) && !(benchBase && benchNew)) {
      throw new BenchError('BENCH_USAGE', "give both --bench-base and --bench-new (or neither, to use each run's benchmarks/ folder)")
    }
    if (flags.benchHistory && !(benchBase && benchNew)) {
      throw new BenchError(
        'BENCH_USAGE',
        '--bench-history needs benchmark results on both sides: give --bench-base and --bench-new, or two runs that each hold a benchmarks/ folder',
      )
    }
    if (benchBase && benchNew) {
      const [a, b, history] = await Promise.all([
        loadBenchmarkSet(benchBase),
        loadBenchmarkSet(benchNew),
        flags.benchHistory ? loadBenchmarkHistory(flags.benchHistory) : undefined,
      ])
      const benchmarks = compareBenchmarks(a.files, b.files, benchThreshold, history?.files, { strict: flags.benchStrict === true })
      benchmarks.warnings.push(...a.warnings, ...b.warnings, ...(history?.warnings ?? []))
      comparison = withBenchmarks(comparison, benchmarks)
    }
    const text = formatComparison(comparison, format)
    process.stdout.write(text)
    if (flags.out) await writeFile(flags.out, text)
    // Exit 3 (not reproducible) outranks 1: when unchanged code draws different numbers, no regression verdict can be trusted.
    if (comparison.verdict === 'not-reproducible') process.exitCode = 3
    // An incomplete new run (cells or seeds of the base run missing) is no pass either.
    else if (flags.failOnRegression && comparison.verdict !== 'pass') process.exitCode = 1
  })
}
