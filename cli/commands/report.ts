import type { Command } from 'commander'
import { BenchError } from '../../core/errors.js'
import { checkedNumber } from '../parse-list.js'
import type { ReportFormat } from '../../reports/write-reports.js'
import { analyseRun, reportFormats, writeReports } from '../../reports/write-reports.js'

interface ReportFlags {
  format?: string
  bootstrap?: string
  alpha?: string
  skipBadLines?: boolean
}

function parseFormats(value: string | undefined): ReportFormat[] {
  if (value === undefined) return [...reportFormats]
  const formats = value.split(',').map((v) => v.trim()).filter(Boolean)
  if (formats.length === 0) throw new BenchError('BENCH_USAGE', '--format needs at least one of md, html, json')
  for (const f of formats) {
    if (!(reportFormats as readonly string[]).includes(f)) throw new BenchError('BENCH_USAGE', `unknown report format '${f}'; use md, html or json (default: all three)`)
  }
  return formats as ReportFormat[]
}

/**
 * `bench report <run-dir>`: regenerates results.json, report.md and report.html from the run's
 * run.json and journal alone (no model, no plugin code). Prints the paths written.
 */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('regenerate the reports of a run (results.json, report.md, report.html) from its journal alone')
    .argument('<run-dir>', 'the run directory (holds run.json and journal.jsonl)')
    .option('-f, --format <formats>', 'which reports, comma-separated: md, html, json (default: all three)')
    .option('--bootstrap <n>', 'bootstrap resamples for CIs and comparisons (default: the run config eval.bootstrap, else 2000)')
    .option('--alpha <a>', 'family-wise error rate of the Holm-corrected comparisons', '0.05')
    .option('--skip-bad-lines', 'skip malformed journal lines (listed as warnings) instead of failing')
    .action(async (runDir: string, flags: ReportFlags) => {
      const formats = parseFormats(flags.format)
      const bootstrap = checkedNumber(flags.bootstrap, '--bootstrap', (n) => Number.isInteger(n) && n >= 2, 'an integer ≥ 2')
      const alpha = checkedNumber(flags.alpha, '--alpha', (n) => n > 0 && n < 1, 'a number between 0 and 1')
      const analysis = await analyseRun(runDir, { bootstrap, alpha, skipBadLines: flags.skipBadLines })
      const written = await writeReports(analysis, formats)
      const { results } = analysis
      process.stdout.write(`${results.cells.length} of ${results.run.plannedCells} cells finished in ${results.run.runId}\n`)
      for (const w of results.warnings) process.stdout.write(`warning: ${w}\n`)
      for (const file of written) process.stdout.write(`wrote ${file}\n`)
    })
}
