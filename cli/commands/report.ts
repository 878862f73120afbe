import type { Command } from 'commander'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { holdsNoRecord, type RunData, runFiles } from '../../core/run/run-record.js'
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
  force?: boolean
}

/** The finished cells of the run's results.json as the last report wrote it; undefined when there is none or it does not read. */
function reportedCells(runDir: string): number | undefined {
  try {
    const cells = (JSON.parse(readFileSync(join(runDir, runFiles.results), 'utf8')) as { cells?: unknown }).cells
    return Array.isArray(cells) ? cells.length : undefined
  } catch {
    return undefined
  }
}

/**
 * Refuses a rebuild that would lose results: a journal with no record at all (missing, emptied) has
 * nothing to report, and one that yields fewer finished cells than the results.json already there
 * (a journal cut, truncated or swapped for an older copy) would replace them, unless --force.
 */
function refuseLosingRebuild(run: RunData, finished: number, force: boolean | undefined): void {
  const journal = join(run.runDir, runFiles.journal)
  if (holdsNoRecord(run) && run.torn === undefined)
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `${journal} is missing or empty: there is nothing to report, and the reports in ${run.runDir} are left as they are. Restore the run's journal.jsonl (the reports are rebuilt from it alone).`,
    )
  const reported = reportedCells(run.runDir)
  if (!force && reported !== undefined && reported > finished)
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `${join(run.runDir, runFiles.results)} holds ${reported} finished cell(s) but ${journal} yields ${finished}: rebuilding would replace them, so the reports are left as they are. ` +
        `Restore the full journal.jsonl (a cut or older copy?), or pass --force to rebuild from this journal anyway.`,
    )
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
    .option('--force', 'rebuild even when the journal yields fewer finished cells than the results.json already there')
  deprecatedAlias(command, '--bootstrap <n>', 'resamples', '--resamples')
  addExamples(command, ['bench report .bench/runs/<id>', 'bench report .bench/runs/<id> --format md,json --resamples 500']).action(
    async (runDir: string, flags: ReportFlags, self: Command) => {
      const formats = parseFormats(flags.format)
      const analysis = await analyseRun(runDir, { bootstrap: flags.resamples, alpha: flags.alpha, skipBadLines: flags.skipBadLines })
      const { run, results } = analysis
      refuseLosingRebuild(run, results.cells.length, flags.force)
      if (run.torn)
        process.stderr.write(
          `warning: ${join(run.runDir, runFiles.journal)} ends in a torn line (line ${run.torn.line}): its last record was cut (the run was killed while writing it) and is left out; bench run --resume ${run.runDir} redoes it\n`,
        )
      const written = await writeReports(analysis, formats)
      process.stdout.write(`${results.cells.length} of ${results.run.plannedCells} cells finished in ${results.run.runId}\n`)
      for (const w of results.warnings) process.stdout.write(`warning: ${w}\n`)
      for (const file of written) process.stdout.write(`wrote ${file}\n`)
      // results.json holds the CIs and comparisons the other reports show: rebuilt without it, they part.
      const settings = ['resamples', 'alpha'].filter((name) => self.getOptionValueSource(name) === 'cli').map((name) => `--${name}`)
      if (settings.length > 0 && !formats.includes('json'))
        process.stderr.write(
          `warning: ${formats.map((f) => `report.${f}`).join(' and ')} now ${formats.length > 1 ? 'use' : 'uses'} ${settings.join(' and ')} while results.json keeps the settings it was built with: their CIs and comparisons differ. Add json to --format (or drop --format) to rebuild them together.\n`,
        )
    },
  )
}
