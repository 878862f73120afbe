import type { Command } from 'commander'
import { BenchError } from '../../core/errors.js'
import { addExamples, deprecatedAlias } from '../option-vocabulary.js'
import { integerAtLeast, numberFlag, openUnit } from '../parse-list.js'
import type { ReportFormat } from '../../reports/write-reports.js'
import { analyseRun, reportFormats, writeReports } from '../../reports/write-reports.js'

interface ReportFlags {
  format?: string
  resamples?: number
  alpha: number
  skipBadLines?: boolean
}

function parseFormats(value: string | undefined): ReportFormat[] {
  if (value === undefined) return [...reportFormats]
  const formats = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
  if (formats.length === 0) throw new BenchError('BENCH_USAGE', '--format: give at least one of md, html, json')
  for (const f of formats) {
    if (!(reportFormats as readonly string[]).includes(f))
      throw new BenchError('BENCH_USAGE', `--format: unknown report format '${f}'; use md, html or json (default: all three)`)
  }
  return formats as ReportFormat[]
}

/**
 * `bench report <run-dir>`: regenerates results.json, report.md and report.html from the run's
 * run.json and journal alone (no model, no plugin code). Prints the paths written.
 */
export function registerReport(program: Command): void {
  const command = program
    .command('report')
    .description('regenerate the reports of a run (results.json, report.md, report.html) from its journal alone')
    .argument('<run-dir>', 'the run directory (holds run.json and journal.jsonl)')
    .option('-f, --format <formats>', 'which reports, comma-separated: md, html, json (default: all three)')
    .option(
      '--resamples <n>',
      'bootstrap resamples for CIs and comparisons, an integer ≥ 2 (default: the run config eval.bootstrap, else 2000)',
      numberFlag('--resamples', integerAtLeast(2), 'the number of resamples'),
    )
    .option('--alpha <a>', 'family-wise error rate of the Holm-corrected comparisons, in (0, 1)', numberFlag('--alpha', openUnit, 'alpha'), 0.05)
    .option('--skip-bad-lines', 'skip malformed journal lines (listed as warnings) instead of failing')
  deprecatedAlias(command, '--bootstrap <n>', 'resamples', '--resamples')
  addExamples(command, ['bench report .bench/runs/<id>', 'bench report .bench/runs/<id> --format md,json --resamples 500']).action(
    async (runDir: string, flags: ReportFlags) => {
      const formats = parseFormats(flags.format)
      const analysis = await analyseRun(runDir, { bootstrap: flags.resamples, alpha: flags.alpha, skipBadLines: flags.skipBadLines })
      const written = await writeReports(analysis, formats)
      const { results } = analysis
      process.stdout.write(`${results.cells.length} of ${results.run.plannedCells} cells finished in ${results.run.runId}\n`)
      for (const w of results.warnings) process.stdout.write(`warning: ${w}\n`)
      for (const file of written) process.stdout.write(`wrote ${file}\n`)
    },
  )
}
